/**
 * Live statistics of a topology's objects, from the directors' snapshots (what the canvas and the
 * per-object charts show).
 *
 * Each director reports `ipvsadm --stats/--rate` figures per IPVS service key and destination
 * (address, port). This maps them back onto the topology: a virtual service sums its key over the
 * directors it is placed on; a membership is the destination its real server compiles to (same
 * port rule as compileDirector: DR/TUN → service port, NAT → the real server's port or the service
 * port, fwmark → the real server's port or 0); a real server sums its memberships; a director sums
 * its services. Health is keyed like the agent reports it: (director, service key, address, port);
 * agents report transitions only, so a running destination without one counts as up.
 * Pure.
 */
import { canonicalAddress } from "../address.ts";
import type {
  Counters, DestinationStats, IpvsServiceKey, Membership, Rates, RealServer, ServiceStats, Topology, VirtualService,
} from "../model.ts";
import { serviceKeyOfVirtualService, serviceKeyString } from "../tableKey.ts";
import { zeroCounters } from "./rollup.ts";

export interface Figures {
  counters: Counters;
  rates: Rates;
  activeConns: number;
  inactConns: number;
  persistConns: number;
}

export type HealthValue = "up" | "down" | "unknown";

export interface MemberFigures extends Figures {
  /** weight the engine runs (0 = quiesced), summed over directors reporting it; null when no director reports it */
  weight: number | null;
  health: HealthValue;
}

export interface RealServerFigures extends Figures {
  /** up: every reported membership up; down: every one down; partial: some; unknown: none reported */
  health: HealthValue | "partial";
  /** every membership that the engines run has weight 0 */
  quiesced: boolean;
}

export interface TopologyFigures {
  services: Record<string, Figures>;
  memberships: Record<string, MemberFigures>;
  realServers: Record<string, RealServerFigures>;
  directors: Record<string, Figures>;
}

/** Health per "directorId|serviceKey|address|port" (see healthKey). */
export type HealthMap = Readonly<Record<string, HealthValue>>;

/**
 * A director's snapshot as StatsSnapshot carries it, or as the live channel does (service keys as
 * serviceKeyString text, "tcp|127.0.10.1|80").
 */
export interface SnapshotLike {
  services: readonly (Omit<ServiceStats, "key" | "destinations"> & { key: IpvsServiceKey | string; destinations: readonly DestinationStats[] })[];
}

const keyText = (k: IpvsServiceKey | string) => (typeof k === "string" ? k : serviceKeyString(k));

export const zeroRates = (): Rates => ({ cps: 0, inPps: 0, outPps: 0, inBps: 0, outBps: 0 });
export const zeroFigures = (): Figures => ({ counters: zeroCounters(), rates: zeroRates(), activeConns: 0, inactConns: 0, persistConns: 0 });

/** Directors are the topology's director ids; services an IpvsServiceKey or its serviceKeyString. */
export function healthKey(directorId: string, service: IpvsServiceKey | string, address: string, port: number): string {
  return `${directorId}|${keyText(service)}|${canonicalAddress(address) ?? address}|${port}`;
}

/** The destination (address, port) a membership compiles to, as compileDirector does. */
export function destinationOf(vs: VirtualService, rs: RealServer, m: Membership): { address: string; port: number } | null {
  const key = serviceKeyOfVirtualService(vs);
  if (!key) return null;
  const port = key.protocol === "fwmark" ? (rs.port ?? 0) : m.method === "nat" ? (rs.port ?? key.port) : key.port;
  return { address: canonicalAddress(rs.address) ?? rs.address, port };
}

const RATE_FIELDS = ["cps", "inPps", "outPps", "inBps", "outBps"] as const;
const COUNTER_FIELDS = ["conns", "inPkts", "outPkts", "inBytes", "outBytes"] as const;

function add(into: Figures, x: Figures): void {
  for (const f of COUNTER_FIELDS) into.counters[f] += x.counters[f];
  for (const f of RATE_FIELDS) into.rates[f] += x.rates[f];
  into.activeConns += x.activeConns;
  into.inactConns += x.inactConns;
  into.persistConns += x.persistConns;
}

/**
 * Per-object figures. `snapshots` by the topology's director id (null or missing = nothing reported,
 * e.g. offline);
 * `health` from the agents' transitions.
 */
export function topologyFigures(
  topology: Topology,
  snapshots: Readonly<Record<string, SnapshotLike | null | undefined>>,
  health: HealthMap = {},
): TopologyFigures {
  const out: TopologyFigures = { services: {}, memberships: {}, realServers: {}, directors: {} };
  const directorIds = new Set(topology.directors.map((d) => d.id));
  // index every director's snapshot by service key, then destination
  const index = new Map<string, Map<string, { svc: Figures; dests: Map<string, Figures & { weight: number }> }>>();
  for (const [directorId, snap] of Object.entries(snapshots)) {
    if (!snap || !directorIds.has(directorId)) continue;
    const byKey = new Map<string, { svc: Figures; dests: Map<string, Figures & { weight: number }> }>();
    const dirTotal = zeroFigures();
    for (const s of snap.services) {
      const svc: Figures = { counters: { ...s.counters }, rates: { ...s.rates }, activeConns: 0, inactConns: 0, persistConns: 0 };
      const dests = new Map<string, Figures & { weight: number }>();
      for (const d of s.destinations) {
        svc.activeConns += d.activeConns;
        svc.inactConns += d.inactConns;
        svc.persistConns += d.persistConns;
        dests.set(`${canonicalAddress(d.address) ?? d.address}|${d.port}`, {
          counters: { ...d.counters }, rates: { ...d.rates }, activeConns: d.activeConns, inactConns: d.inactConns,
          persistConns: d.persistConns, weight: d.weight,
        });
      }
      byKey.set(keyText(s.key), { svc, dests });
      add(dirTotal, svc);
    }
    index.set(directorId, byKey);
    out.directors[directorId] = dirTotal;
  }
  for (const d of topology.directors) out.directors[d.id] ??= zeroFigures();

  const services = new Map(topology.services.map((s) => [s.id, s]));
  const realServers = new Map(topology.realServers.map((r) => [r.id, r]));
  for (const vs of topology.services) {
    const total = zeroFigures();
    const key = serviceKeyOfVirtualService(vs);
    if (key) for (const dirId of vs.directorIds) {
      const found = index.get(dirId)?.get(serviceKeyString(key));
      if (found) add(total, found.svc);
    }
    out.services[vs.id] = total;
  }

  const rsHealth = new Map<string, HealthValue[]>();
  const rsWeights = new Map<string, number[]>();
  for (const rs of topology.realServers) out.realServers[rs.id] = { ...zeroFigures(), health: "unknown", quiesced: false };
  for (const m of topology.memberships) {
    const vs = services.get(m.serviceId);
    const rs = realServers.get(m.realServerId);
    const fig: MemberFigures = { ...zeroFigures(), weight: null, health: "unknown" };
    out.memberships[m.id] = fig;
    if (!vs || !rs || m.state === "disabled") continue;
    const key = serviceKeyOfVirtualService(vs);
    const dest = destinationOf(vs, rs, m);
    if (!key || !dest) continue;
    const states: HealthValue[] = [];
    for (const dirId of vs.directorIds) {
      const found = index.get(dirId)?.get(serviceKeyString(key))?.dests.get(`${dest.address}|${dest.port}`);
      if (found) {
        add(fig, found);
        fig.weight = (fig.weight ?? 0) + found.weight;
      }
      const h = health[healthKey(dirId, key, dest.address, dest.port)];
      // an agent starts every check as up and reports only transitions: a destination an engine
      // runs with no transition on record is up (as the agent itself treats it)
      if (h && h !== "unknown") states.push(h);
      else if (found) states.push("up");
    }
    fig.health = states.length === 0 ? "unknown" : states.includes("down") ? "down" : "up";
    add(out.realServers[rs.id]!, fig);
    if (fig.health !== "unknown") rsHealth.set(rs.id, [...(rsHealth.get(rs.id) ?? []), fig.health]);
    if (fig.weight !== null) rsWeights.set(rs.id, [...(rsWeights.get(rs.id) ?? []), fig.weight]);
  }
  for (const rs of topology.realServers) {
    const f = out.realServers[rs.id]!;
    const hs = rsHealth.get(rs.id) ?? [];
    f.health = hs.length === 0 ? "unknown" : hs.every((h) => h === "up") ? "up" : hs.every((h) => h === "down") ? "down" : "partial";
    const ws = rsWeights.get(rs.id) ?? [];
    f.quiesced = ws.length > 0 && ws.every((w) => w === 0);
  }
  return out;
}
