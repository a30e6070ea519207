/**
 * Reconcile: the ordered, minimal ops that turn the actual table into the desired one.
 *  - Never -C. A service or destination whose key (protocol/address/port or fwmark/family; address/port)
 *    stays is edited in place (-E: scheduler, flags, persistence, pe, ops; -e: method, weight,
 *    thresholds, tunnel) — the kernel keeps its connections. Only a key change is a delete + add.
 *  - Make before break: new services with their real servers first, then per kept service -E, -e,
 *    new -a, removed -d; removed services (-D) last. Deleting drops established connections (the
 *    kernel black-holes or resets them, see expire_nodest_conn); weight 0 does not.
 *  - Services in `actual` that are absent from `desired` are deleted only if `managed(key)` says so;
 *    the others are left alone (the agent reports them as unmanaged).
 */
import { canonicalDestination, canonicalTable } from "./canonical.ts";
import type { IpvsDestination, IpvsService, IpvsServiceKey, IpvsTable, IpvsTimeouts } from "./model.ts";
import { op, serviceSpecOf, type Op, type ServiceSpec } from "./ops.ts";
import { describeServiceKey, destinationKeyString, serviceKeyOf, serviceKeyString } from "./tableKey.ts";
import { canonicalAddress, formatAddressPort } from "./address.ts";

export interface PlanOptions {
  /** may this service be deleted when the desired table lacks it? default: yes for every service */
  managed?: (key: IpvsServiceKey) => boolean;
  /** `actual` is canonical already (values as canonicalTable gives them; order does not matter):
   *  not canonicalised again (a table read back from the kernel through the netlink helper) */
  actualCanonical?: boolean;
  /** canonicalTable(desired), when the caller has it (several plans against one desired table) */
  canonicalDesired?: IpvsTable;
}

/** The key string of a service as canonicalTable would key it (only the address needs canonicalising). */
function canonicalKeyString(s: IpvsServiceKey): string {
  return s.protocol === "fwmark" ? serviceKeyString(s) : serviceKeyString({ ...s, address: canonicalAddress(s.address) ?? s.address });
}

export function sameServiceSpec(a: ServiceSpec, b: ServiceSpec): boolean {
  return (
    serviceKeyString(a) === serviceKeyString(b) &&
    a.family === b.family &&
    a.scheduler === b.scheduler &&
    a.flags.join(",") === b.flags.join(",") &&
    (a.persistence?.timeout ?? null) === (b.persistence?.timeout ?? null) &&
    (a.persistence?.netmask ?? null) === (b.persistence?.netmask ?? null) &&
    a.persistenceEngine === b.persistenceEngine &&
    a.onePacket === b.onePacket
  );
}

export function sameDestination(a: IpvsDestination, b: IpvsDestination): boolean {
  return (
    a.address === b.address && a.port === b.port && a.method === b.method && a.weight === b.weight &&
    a.upperThreshold === b.upperThreshold && a.lowerThreshold === b.lowerThreshold &&
    (a.tunnel?.type ?? null) === (b.tunnel?.type ?? null) &&
    (a.tunnel?.port ?? null) === (b.tunnel?.port ?? null) &&
    (a.tunnel?.checksum ?? null) === (b.tunnel?.checksum ?? null)
  );
}

export function plan(actual: IpvsTable, desired: IpvsTable, opts: PlanOptions = {}): Op[] {
  const managed = opts.managed ?? (() => true);
  const a = opts.actualCanonical ? actual : canonicalTable(actual);
  const d = opts.canonicalDesired ?? canonicalTable(desired);
  const actualByKey = new Map(a.services.map((s) => [serviceKeyString(s), s]));
  const desiredKeys = new Set(d.services.map((s) => serviceKeyString(s)));
  const ops: Op[] = [];
  // --set first: the new timeouts apply to the connections the new services get
  const t = timeoutsChange(actual.timeouts, desired.timeouts);
  if (t) ops.push(t);

  // (only when something is new: keyed like canonicalTable keys, without canonicalising every real server again)
  let givenOrder: Map<string, IpvsDestination[]> | null = null;
  for (const s of d.services) {
    if (actualByKey.has(serviceKeyString(s))) continue;
    givenOrder ??= new Map(desired.services.map((x) => [canonicalKeyString(x), x.destinations]));
    ops.push(op.addService(serviceSpecOf(s)));
    // add in the order the desired table gives: the kernel then lists them in its canonical order
    // (one key object for the service's real servers: 100 000 ops need not carry 100 000 copies)
    const key = serviceKeyOf(s);
    for (const dest of inGivenOrder(s, givenOrder.get(serviceKeyString(s)) ?? [])) ops.push({ kind: "add-destination", service: key, destination: dest, dropsConnections: false });
  }
  for (const s of d.services) {
    const cur = actualByKey.get(serviceKeyString(s));
    if (!cur) continue;
    const spec = serviceSpecOf(s);
    if (!sameServiceSpec(serviceSpecOf(cur), spec)) {
      ops.push({ kind: "edit-service", service: spec, dropsConnections: false, previous: serviceSpecOf(cur) });
    }
    // the usual case at scale: the real servers are the same, in the same (canonical) order
    if (sameDestinationLists(cur.destinations, s.destinations)) continue;
    const curDests = new Map(cur.destinations.map((x) => [destinationKeyString(x), x]));
    const wanted = new Set(s.destinations.map((x) => destinationKeyString(x)));
    for (const dest of s.destinations) {
      const old = curDests.get(destinationKeyString(dest));
      if (old && !sameDestination(old, dest)) {
        ops.push({ kind: "edit-destination", service: serviceKeyOf(s), destination: dest, dropsConnections: false, previous: old });
      }
    }
    for (const dest of s.destinations) if (!curDests.has(destinationKeyString(dest))) ops.push(op.addDestination(s, dest));
    for (const old of cur.destinations) if (!wanted.has(destinationKeyString(old))) ops.push(op.deleteDestination(s, old));
  }
  for (const s of a.services) {
    if (!desiredKeys.has(serviceKeyString(s)) && managed(serviceKeyOf(s))) ops.push(op.deleteService(s));
  }
  return ops;
}

/**
 * The `--set` that brings `actual` to `desired` (0 in desired = leave that value), or null when
 * desired does not manage timeouts or the kernel already has them.
 */
export function timeoutsChange(actual: IpvsTimeouts | undefined, desired: IpvsTimeouts | undefined): Op | null {
  if (!desired) return null;
  const differs = (["tcp", "tcpfin", "udp"] as const).some((k) => desired[k] !== 0 && desired[k] !== actual?.[k]);
  if (!differs) return null;
  return { kind: "set-timeouts", timeouts: { ...desired }, dropsConnections: false, ...(actual ? { previous: { ...actual } } : {}) };
}

/** Same real servers with the same settings in the same order (then plan has nothing to do for them). */
function sameDestinationLists(a: readonly IpvsDestination[], b: readonly IpvsDestination[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i] && !sameDestination(a[i]!, b[i]!)) return false;
  return true;
}

/** Up to this many real servers a service's lists are scanned rather than keyed (no key strings). */
const SCAN_LIMIT = 16;

/** `s`'s (canonical) destinations in the order `given` lists them (the kernel's list is the reverse). */
function inGivenOrder(s: IpvsService, given: readonly IpvsDestination[]): IpvsDestination[] {
  if (s.destinations.length <= SCAN_LIMIT) {
    // canonical keys are unique in s: each given one takes its match, the unmatched keep their order after
    const left: (IpvsDestination | null)[] = [...s.destinations];
    const out: IpvsDestination[] = [];
    for (const g of given) {
      const c = canonicalDestination(s, g);
      for (let i = 0; i < left.length; i++) {
        const x = left[i];
        if (x && x.port === c.port && x.address === c.address) { out.push(x); left[i] = null; break; }
      }
    }
    for (const x of left) if (x) out.push(x);
    return out;
  }
  const byKey = new Map(s.destinations.map((x) => [destinationKeyString(x), x]));
  const out: IpvsDestination[] = [];
  for (const g of given) {
    const k = destinationKeyString(canonicalDestination(s, g));
    const x = byKey.get(k);
    if (x) { out.push(x); byKey.delete(k); }
  }
  return [...out, ...byKey.values()];
}

/** Services of `actual` that plan() leaves alone: absent from `desired` and not managed. */
export function unmanagedServices(actual: IpvsTable, desired: IpvsTable, managed: (key: IpvsServiceKey) => boolean): IpvsServiceKey[] {
  const desiredKeys = new Set(canonicalTable(desired).services.map((s) => serviceKeyString(s)));
  return canonicalTable(actual)
    .services.filter((s) => !desiredKeys.has(serviceKeyString(s)) && !managed(serviceKeyOf(s)))
    .map(serviceKeyOf);
}

const METHOD = { dr: "direct routing", tun: "tunnel", nat: "NAT" } as const;

function describeSpec(s: ServiceSpec): string {
  const parts = [`scheduler ${s.scheduler}`];
  if (s.flags.length) parts.push(`flags ${s.flags.join(",")}`);
  if (s.persistence) parts.push(`persistent ${s.persistence.timeout} s${s.persistence.netmask ? ` mask ${s.persistence.netmask}` : ""}`);
  if (s.persistenceEngine) parts.push(`pe ${s.persistenceEngine}`);
  if (s.onePacket) parts.push("one-packet");
  return parts.join(", ");
}

function describeTimeouts(t: IpvsTimeouts): string {
  const v = (n: number) => (n === 0 ? "unchanged" : `${n} s`);
  return `tcp ${v(t.tcp)}, tcpfin ${v(t.tcpfin)}, udp ${v(t.udp)}`;
}

function describeDest(d: IpvsDestination): string {
  const parts = [METHOD[d.method], `weight ${d.weight}`];
  if (d.tunnel && d.tunnel.type !== "ipip") parts.push(`${d.tunnel.type}${d.tunnel.port ? ` port ${d.tunnel.port}` : ""} ${d.tunnel.checksum ?? "nocsum"}`);
  if (d.upperThreshold) parts.push(`upper threshold ${d.upperThreshold}`);
  if (d.lowerThreshold) parts.push(`lower threshold ${d.lowerThreshold}`);
  return parts.join(", ");
}

/** One line for humans (plan previews, audit logs). */
export function describeOp(o: Op): string {
  const drop = o.dropsConnections ? " (drops its established connections)" : "";
  switch (o.kind) {
    case "clear":
      return `clear the whole table${drop}`;
    case "add-service":
      return `add virtual service ${describeServiceKey(o.service)}: ${describeSpec(o.service)}`;
    case "edit-service":
      return `change virtual service ${describeServiceKey(o.service)}: ${o.previous ? `${describeSpec(o.previous)} → ` : ""}${describeSpec(o.service)}`;
    case "delete-service":
      return `delete virtual service ${describeServiceKey(o.service)}${drop}`;
    case "add-destination":
      return `add real server ${formatAddressPort(o.destination.address, o.destination.port)} to ${describeServiceKey(o.service)}: ${describeDest(o.destination)}`;
    case "edit-destination": {
      const drain = o.destination.weight === 0 && (o.previous?.weight ?? 1) !== 0 ? " (quiesce: no new connections, established ones continue)" : "";
      return `change real server ${formatAddressPort(o.destination.address, o.destination.port)} in ${describeServiceKey(o.service)}: ${o.previous ? `${describeDest(o.previous)} → ` : ""}${describeDest(o.destination)}${drain}`;
    }
    case "delete-destination":
      return `remove real server ${formatAddressPort(o.destination.address, o.destination.port)} from ${describeServiceKey(o.service)}${drop}`;
    case "set-timeouts":
      return `set connection timeouts: ${o.previous ? `${describeTimeouts(o.previous)} → ` : ""}${describeTimeouts(o.timeouts)}`;
  }
}
