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

interface Entry {
  /** the service with an empty destinations array (filled in by toTable) */
  service: IpvsService;
  destinations: Map<string, IpvsDestination>;
  /** the source line that last added or edited the service / each destination (when apply got one) */
  line?: number;
  destinationLines?: Map<string, number>;
}

/** Source lines parallel to a table: `services[i]`, `destinations[i][j]` (undefined: not known). */
export interface TableLines {
  services: Array<number | undefined>;
  destinations: Array<Array<number | undefined>>;
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
      const destinations = new Map<string, IpvsDestination>();
      for (const d of s.destinations) {
        const dkey = destinationKeyString({ address: canonicalAddress(d.address) ?? d.address, port: d.port });
        if (!destinations.has(dkey)) destinations.set(dkey, d);
      }
      b.services.set(key, { service: { ...s, destinations: [] }, destinations });
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
    const where = describeServiceKey(op.service);
    switch (op.kind) {
      case "add-service":
        if (existing) throw new LvsError("service_exists", `Service already exists (${where})`);
        this.services.set(key, { service: canonicalService({ ...op.service, destinations: [] }), destinations: new Map(), line });
        return;
      case "edit-service":
        if (!existing) throw new LvsError("no_such_service", `No such service (${where})`);
        existing.service = canonicalService({ ...op.service, destinations: [] });
        if (line !== undefined) existing.line = line;
        return;
      case "delete-service":
        if (!existing) throw new LvsError("no_such_service", `No such service (${where})`);
        this.services.delete(key);
        return;
      default:
        break;
    }
    if (!existing) throw new LvsError("no_such_service", `Service not defined (${where})`);
    const dest = op.kind === "delete-destination" ? op.destination : canonicalDestination(existing.service, op.destination);
    const dkey = destinationKeyString(dest);
    const found = existing.destinations.has(dkey);
    const dwhere = `${formatAddressPort(dest.address, dest.port)} in ${where}`;
    switch (op.kind) {
      case "add-destination":
      case "edit-destination":
        if (op.kind === "add-destination" && found) throw new LvsError("destination_exists", `Destination already exists (${dwhere})`);
        if (op.kind === "edit-destination" && !found) throw new LvsError("no_such_destination", `No such destination (${dwhere})`);
        if (op.destination.lowerThreshold > op.destination.upperThreshold) {
          throw new LvsError("invalid_value", `Numerical result out of range (-y ${op.destination.lowerThreshold} > -x ${op.destination.upperThreshold}, ${dwhere})`);
        }
        existing.destinations.set(dkey, dest as IpvsDestination);
        if (line !== undefined) (existing.destinationLines ??= new Map()).set(dkey, line);
        return;
      case "delete-destination":
        if (!found) throw new LvsError("no_such_destination", `No such destination (${dwhere})`);
        existing.destinations.delete(dkey);
        existing.destinationLines?.delete(dkey);
        return;
    }
  }

  /** The table, in list order (fresh arrays; destination objects are shared, never mutated here). */
  toTable(): IpvsTable {
    const services: IpvsService[] = [];
    for (const e of this.services.values()) services.push({ ...e.service, destinations: [...e.destinations.values()] });
    return this.timeouts ? { services, timeouts: { ...this.timeouts } } : { services };
  }

  /** toTable, and the source line of each service and destination in it. */
  toTableWithLines(): { table: IpvsTable; lines: TableLines } {
    const lines: TableLines = { services: [], destinations: [] };
    for (const e of this.services.values()) {
      lines.services.push(e.line);
      const dl: Array<number | undefined> = [];
      for (const k of e.destinations.keys()) dl.push(e.destinationLines?.get(k));
      lines.destinations.push(dl);
    }
    return { table: this.toTable(), lines };
  }
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
