/**
 * Canonical form of an IpvsTable: the table as the kernel would hold it and `ipvsadm -S -n` would
 * print it. Two tables that mean the same thing to the kernel have equal canonical forms.
 *  - addresses in inet_ntop text; DR/TUN destination ports = the service port (non-fwmark);
 *  - scheduler flags by kernel bit, named as ipvsadm prints them for the scheduler;
 *  - persistence netmask null when it is /32 (IPv4) or /128 (IPv6); -M text normalised;
 *  - TUN destinations always carry tunnel options (ipvsadm defaults to ipip), gue/gre a checksum mode;
 *  - services and destinations in ipvsadm's sort order (see tableKey.ts).
 */
import { canonicalAddress } from "./address.ts";
import type { IpvsDestination, IpvsService, IpvsTable, Persistence, SchedulerFlag, TunnelOptions } from "./model.ts";
import { sortDestinationsIpvs, sortServicesIpvs } from "./ipvsadmOrder.ts";
import { destinationKeyString, serviceKeyString } from "./tableKey.ts";

const FLAG_BIT: Record<SchedulerFlag, number> = {
  "flag-1": 1, "sh-fallback": 1, "mh-fallback": 1,
  "flag-2": 2, "sh-port": 2, "mh-port": 2,
  "flag-3": 4,
};

/** The kernel flag bits (IP_VS_SVC_F_SCHED1..3) of a flag list. */
export function schedulerFlagBits(flags: readonly SchedulerFlag[]): number {
  return flags.reduce((bits, f) => bits | FLAG_BIT[f], 0);
}

/** Flag names for the bits, as ipvsadm prints them for this scheduler. */
export function schedulerFlagNames(scheduler: string, bits: number): SchedulerFlag[] {
  const names: [SchedulerFlag, SchedulerFlag, SchedulerFlag] =
    scheduler === "sh" ? ["sh-fallback", "sh-port", "flag-3"]
    : scheduler === "mh" ? ["mh-fallback", "mh-port", "flag-3"]
    : ["flag-1", "flag-2", "flag-3"];
  return names.filter((_, i) => bits & (1 << i));
}

export function canonicalNetmask(family: "inet" | "inet6", netmask: string | null): string | null {
  if (netmask === null) return null;
  if (family === "inet6") {
    const n = Number(netmask.replace(/^\//, ""));
    return n === 128 ? null : String(n);
  }
  const a = canonicalAddress(netmask) ?? netmask;
  return a === "255.255.255.255" ? null : a;
}

export function canonicalPersistence(family: "inet" | "inet6", p: Persistence | null): Persistence | null {
  if (!p) return null;
  return { timeout: p.timeout, netmask: canonicalNetmask(family, p.netmask) };
}

export function canonicalTunnel(t: TunnelOptions | null): TunnelOptions {
  const type = t?.type ?? "ipip";
  if (type === "ipip") return { type, port: null, checksum: null };
  if (type === "gre") return { type, port: null, checksum: t?.checksum ?? "nocsum" };
  return { type, port: t?.port ?? null, checksum: t?.checksum ?? "nocsum" };
}

const DESTINATION_FIELDS = 7;

/** Object.keys(o).length without the array (this runs once per real server of a table). */
function ownKeys(o: object): number {
  let n = 0;
  for (const k in o) if (Object.hasOwn(o, k)) n++;
  return n;
}

/** The destination as the kernel holds it in `svc`; `d` itself when it already is (a million-destination table is not copied). */
export function canonicalDestination(svc: IpvsService, d: IpvsDestination): IpvsDestination {
  const fixedPort = d.method === "dr" || d.method === "tun";
  const address = canonicalAddress(d.address) ?? d.address;
  const port = fixedPort && svc.protocol !== "fwmark" ? svc.port : d.port;
  const tunnel = d.method === "tun" ? canonicalTunnel(d.tunnel) : null;
  const t = d.tunnel;
  const sameTunnel = tunnel === null ? t === null : t !== null && t.type === tunnel.type && t.port === tunnel.port && t.checksum === tunnel.checksum && ownKeys(t) === 3;
  if (address === d.address && port === d.port && sameTunnel && ownKeys(d) === DESTINATION_FIELDS) return d;
  return {
    address,
    port,
    method: d.method,
    weight: d.weight,
    upperThreshold: d.upperThreshold,
    lowerThreshold: d.lowerThreshold,
    tunnel,
  };
}

/** The service without reordering its destinations' list membership. */
export function canonicalService(s: IpvsService): IpvsService {
  const common = {
    scheduler: s.scheduler,
    flags: schedulerFlagNames(s.scheduler, schedulerFlagBits(s.flags)),
    persistence: canonicalPersistence(s.family, s.persistence),
    persistenceEngine: s.persistenceEngine,
    onePacket: s.onePacket,
    destinations: [] as IpvsDestination[],
  };
  const svc: IpvsService =
    s.protocol === "fwmark"
      ? { protocol: "fwmark", family: s.family, fwmark: s.fwmark, ...common }
      : { protocol: s.protocol, family: s.family, address: canonicalAddress(s.address) ?? s.address, port: s.port, ...common };
  // `ipvsadm -R` adds the real servers in the order given; the kernel keeps each service's list
  // head-first (list_add_rcu in __ip_vs_update_dest) and dumps it that way; ipvsadm sorts the dump.
  // With a comparator that is not a total order (mixed families, addresses 2^31 apart) the input
  // order matters, so sort the reversed list: this is exactly what -S prints after -R (lab-checked).
  svc.destinations = sortDestinationsIpvs(s.destinations.map((d) => canonicalDestination(svc, d)).reverse());
  return svc;
}

export function canonicalTable(t: IpvsTable): IpvsTable {
  return { services: sortServicesIpvs(t.services.map(canonicalService)) };
}

/** What `ipvsadm -S` shows of a table: canonical, with the thresholds it does not save set to 0. */
export function savedView(t: IpvsTable): IpvsTable {
  const c = canonicalTable(t);
  return {
    services: c.services.map((s) => ({
      ...s,
      destinations: s.destinations.map((d) => ({ ...d, upperThreshold: 0, lowerThreshold: 0 })),
    })),
  };
}

/**
 * Canonical table in a total order (services and real servers sorted by their key strings). Use it
 * to compare tables: ipvsadm's own order is not total, so it can differ between equal tables.
 */
export function comparableTable(t: IpvsTable): IpvsTable {
  const c = canonicalTable(t);
  const byKey = <T>(key: (x: T) => string) => (a: T, b: T) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);
  return {
    services: c.services
      .map((s) => ({ ...s, destinations: [...s.destinations].sort(byKey(destinationKeyString)) }))
      .sort(byKey(serviceKeyString)),
  };
}

/** Do two tables mean the same to the kernel (same services, real servers and settings)? */
export function equalTables(a: IpvsTable, b: IpvsTable): boolean {
  return JSON.stringify(comparableTable(a)) === JSON.stringify(comparableTable(b));
}
