/**
 * TableBuilder: an IpvsTable held as maps keyed by service and destination keys, so that applying
 * one op (ipvsadm -A -E -D -a -e -d -C) costs O(1) map work instead of a scan and a copy of the
 * whole table. Parsing rules files, the agent's fake ipvsadm and applyOps replay ops through it.
 *
 * Order is the kernel's list order, as the array form had it: a new service or destination goes
 * last, an edit keeps its place, a delete removes it (Map insertion order gives exactly that).
 * Errors are the kernel's (libipvs ipvs_strerror texts); an op that throws changes nothing.
 */
import { canonicalAddress, formatAddressPort } from "./address.ts";
import { canonicalDestination, canonicalService } from "./canonical.ts";
import { LvsError } from "./errors.ts";
import { MAX_IPVS_TIMEOUT, type IpvsDestination, type IpvsService, type IpvsServiceKey, type IpvsTable, type IpvsTimeouts } from "./model.ts";
import type { Op } from "./ops.ts";
import { describeServiceKey, destinationKeyString, serviceKeyString } from "./tableKey.ts";

/** Services with more real servers than this get a map from key to position; fewer are scanned. */
const SCAN_MAX = 16;

/**
 * One service and its real servers in list order, held compactly: a million-destination table
 * costs one object per real server (the destination itself) plus array slots, with no key string
 * or map entry per real server, except in services bigger than SCAN_MAX.
 */
interface Entry {
  /** the service with an empty destinations array (filled in by toTable) */
  service: IpvsService;
  /** list order; a deleted one leaves `undefined` until the list is compacted */
  list: Array<IpvsDestination | undefined>;
  /** the key address (canonical) of each list slot: destinations taken from a table may be written otherwise */
  addrs: string[];
  /** the source line of each list slot (0: not known), once apply got one */
  lines: number[] | null;
  holes: number;
  /** "address|port" -> list position, for services bigger than SCAN_MAX */
  index: Map<string, number> | null;
  /** the source line that last added or edited the service (when apply got one) */
  line?: number;
}

/** Source lines parallel to a table: `services[i]`, `destinations[i][j]` (undefined: not known). */
export interface TableLines {
  services: Array<number | undefined>;
  destinations: Array<Array<number | undefined>>;
}

const newEntry = (service: IpvsService, line?: number): Entry => ({ service, list: [], addrs: [], lines: null, holes: 0, index: null, line });

function find(e: Entry, address: string, port: number): number {
  if (e.index) return e.index.get(destinationKeyString({ address, port })) ?? -1;
  for (let i = 0; i < e.list.length; i++) if (e.list[i]?.port === port && e.addrs[i] === address) return i;
  return -1;
}

function push(e: Entry, address: string, d: IpvsDestination, line: number | undefined): void {
  const at = e.list.length;
  e.list.push(d);
  e.addrs.push(address);
  if (line !== undefined) (e.lines ??= new Array<number>(at).fill(0)).push(line);
  else e.lines?.push(0);
  if (e.index) e.index.set(destinationKeyString({ address, port: d.port }), at);
  else if (e.list.length - e.holes > SCAN_MAX) reindex(e);
}

function remove(e: Entry, at: number): void {
  const d = e.list[at] as IpvsDestination;
  e.index?.delete(destinationKeyString({ address: e.addrs[at] as string, port: d.port }));
  e.list[at] = undefined;
  e.holes++;
  if (e.holes > 8 && e.holes * 2 > e.list.length) compact(e);
}

function compact(e: Entry): void {
  const list: IpvsDestination[] = [];
  const addrs: string[] = [];
  const lines: number[] | null = e.lines ? [] : null;
  e.list.forEach((d, i) => {
    if (!d) return;
    list.push(d);
    addrs.push(e.addrs[i] as string);
    lines?.push(e.lines?.[i] ?? 0);
  });
  e.list = list;
  e.addrs = addrs;
  e.lines = lines;
  e.holes = 0;
  e.index = null;
  if (list.length > SCAN_MAX) reindex(e);
}

function reindex(e: Entry): void {
  const index = new Map<string, number>();
  e.list.forEach((d, i) => {
    if (d) index.set(destinationKeyString({ address: e.addrs[i] as string, port: d.port }), i);
  });
  e.index = index;
}

/** "TCP 10.0.0.1:80": made only when an op fails (a million-line replay fails rarely). */
function where(op: Extract<Op, { service: unknown }>): string {
  return describeServiceKey(op.service);
}

function destWhere(op: Extract<Op, { service: unknown }>, dest: { address: string; port: number }): string {
  return `${formatAddressPort(dest.address, dest.port)} in ${where(op)}`;
}

export class TableBuilder {
  private readonly services = new Map<string, Entry>();
  /** `--set` values seen (0 = unchanged, merged field by field as the kernel does) */
  private timeouts: IpvsTimeouts | undefined;

  /** A builder holding `table` (its services and destinations as they are, in their order). */
  static from(table: IpvsTable): TableBuilder {
    const b = new TableBuilder();
    for (const s of table.services) {
      // keyed as the kernel would hold it (ops carry canonical addresses)
      const key = serviceKeyString(s.protocol === "fwmark" ? s : { ...s, address: canonicalAddress(s.address) ?? s.address });
      // a table with a key twice is not one the kernel can hold; the first one is the one ops see
      if (b.services.has(key)) continue;
      const e = newEntry({ ...s, destinations: [] });
      for (const d of s.destinations) {
        const address = canonicalAddress(d.address) ?? d.address;
        if (find(e, address, d.port) < 0) push(e, address, d, undefined);
      }
      b.services.set(key, e);
    }
    if (table.timeouts) b.timeouts = { ...table.timeouts };
    return b;
  }

  has(key: IpvsServiceKey): boolean {
    return this.services.has(serviceKeyString(key));
  }

  get size(): number {
    return this.services.size;
  }

  /**
   * Applies one op; throws LvsError with the kernel's message and leaves the table unchanged.
   * `line`: the source line of the op, remembered for what it adds or edits (see toTableWithLines).
   */
  apply(op: Op, line?: number): void {
    if (op.kind === "clear") {
      // -C flushes services; the timeouts are not part of the service table and stay
      this.services.clear();
      return;
    }
    if (op.kind === "set-timeouts") {
      this.timeouts = mergeTimeouts(this.timeouts, op.timeouts);
      return;
    }
    const key = serviceKeyString(op.service);
    const existing = this.services.get(key);
    switch (op.kind) {
      case "add-service":
        if (existing) throw new LvsError("service_exists", `Service already exists (${where(op)})`);
        this.services.set(key, newEntry(canonicalService({ ...op.service, destinations: [] }), line));
        return;
      case "edit-service":
        if (!existing) throw new LvsError("no_such_service", `No such service (${where(op)})`);
        existing.service = canonicalService({ ...op.service, destinations: [] });
        if (line !== undefined) existing.line = line;
        return;
      case "delete-service":
        if (!existing) throw new LvsError("no_such_service", `No such service (${where(op)})`);
        this.services.delete(key);
        return;
      default:
        break;
    }
    if (!existing) throw new LvsError("no_such_service", `Service not defined (${where(op)})`);
    const dest = op.kind === "delete-destination" ? op.destination : canonicalDestination(existing.service, op.destination);
    const at = find(existing, dest.address, dest.port);
    switch (op.kind) {
      case "add-destination":
      case "edit-destination":
        if (op.kind === "add-destination" && at >= 0) throw new LvsError("destination_exists", `Destination already exists (${destWhere(op, dest)})`);
        if (op.kind === "edit-destination" && at < 0) throw new LvsError("no_such_destination", `No such destination (${destWhere(op, dest)})`);
        if (op.destination.lowerThreshold > op.destination.upperThreshold) {
          throw new LvsError("invalid_value", `Numerical result out of range (-y ${op.destination.lowerThreshold} > -x ${op.destination.upperThreshold}, ${destWhere(op, dest)})`);
        }
        if (at < 0) push(existing, dest.address, dest as IpvsDestination, line);
        else {
          existing.list[at] = dest as IpvsDestination;
          if (line !== undefined) (existing.lines ??= new Array<number>(existing.list.length).fill(0))[at] = line;
        }
        return;
      case "delete-destination":
        if (at < 0) throw new LvsError("no_such_destination", `No such destination (${destWhere(op, dest)})`);
        remove(existing, at);
        return;
    }
  }

  /** The table, in list order (fresh arrays; destination objects are shared, never mutated here). */
  toTable(): IpvsTable {
    const services: IpvsService[] = [];
    for (const e of this.services.values()) services.push({ ...e.service, destinations: destinationsOf(e) });
    return this.timeouts ? { services, timeouts: { ...this.timeouts } } : { services };
  }

  /** toTable, and the source line of each service and destination in it. */
  toTableWithLines(): { table: IpvsTable; lines: TableLines } {
    const lines: TableLines = { services: [], destinations: [] };
    for (const e of this.services.values()) {
      lines.services.push(e.line);
      const dl: Array<number | undefined> = [];
      e.list.forEach((d, i) => {
        if (d) dl.push(e.lines?.[i] || undefined);
      });
      lines.destinations.push(dl);
    }
    return { table: this.toTable(), lines };
  }
}

function destinationsOf(e: Entry): IpvsDestination[] {
  return e.holes === 0 ? (e.list.slice() as IpvsDestination[]) : e.list.filter((d): d is IpvsDestination => d !== undefined);
}

/**
 * `--set` on top of the timeouts known so far: a 0 keeps the previous value (as the kernel does); with
 * nothing known before, the 0 stays (= "whatever the kernel has"). Values outside 0..2678400 are
 * refused as ipvsadm refuses them.
 */
export function mergeTimeouts(prev: IpvsTimeouts | undefined, next: IpvsTimeouts): IpvsTimeouts {
  for (const k of ["tcp", "tcpfin", "udp"] as const) {
    const v = next[k];
    if (!Number.isInteger(v) || v < 0 || v > MAX_IPVS_TIMEOUT) throw new LvsError("invalid_value", `invalid timeout value \`${v}' specified (0..${MAX_IPVS_TIMEOUT} seconds)`);
  }
  return {
    tcp: next.tcp || prev?.tcp || 0,
    tcpfin: next.tcpfin || prev?.tcpfin || 0,
    udp: next.udp || prev?.udp || 0,
  };
}
