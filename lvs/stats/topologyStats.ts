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
 * Where each object's figures come from, which depends only on the topology: service key strings,
 * each membership's destination and health keys per director. Computed once per topology object
 * (the live views call topologyFigures every second with the same document; at 50 000 memberships
 * the address canonicalisation and key building were seconds per call).
 */
interface FiguresPlan {
  services: { id: string; key: string | null; directorIds: readonly string[] }[];
  /** realServerId null: nothing to look up (disabled, or a dangling reference) */
  memberships: { id: string; realServerId: string | null; at: { directorId: string; key: string; dest: string; health: string }[] }[];
}

const frozen = <T extends Figures>(f: T): T => {
  Object.freeze(f.counters);
  Object.freeze(f.rates);
  return Object.freeze(f);
};
/** Shared, frozen: what an object with nothing reported shows (consumers only read figures). */
const NOTHING: Figures = frozen(zeroFigures());
const NO_MEMBER: MemberFigures = frozen({ ...zeroFigures(), weight: null, health: "unknown" });

const quiet = new WeakMap<Topology, TopologyFigures>();

/** The figures of a topology none of whose directors reported anything (computed once per topology). */
function quietFigures(topology: Topology): TopologyFigures {
  const cached = quiet.get(topology);
  if (cached) return cached;
  const out: TopologyFigures = { services: {}, memberships: {}, realServers: {}, directors: {} };
  for (const d of topology.directors) out.directors[d.id] = NOTHING;
  for (const s of topology.services) out.services[s.id] = NOTHING;
  for (const m of topology.memberships) out.memberships[m.id] = NO_MEMBER;
  const rs: RealServerFigures = frozen({ ...zeroFigures(), health: "unknown", quiesced: false });
  for (const r of topology.realServers) out.realServers[r.id] = rs;
  quiet.set(topology, Object.freeze(out));
  return out;
}

const plans = new WeakMap<Topology, FiguresPlan>();

function planOf(topology: Topology): FiguresPlan {
  const cached = plans.get(topology);
  if (cached) return cached;
  const keys = new Map<string, { vs: VirtualService; key: IpvsServiceKey | null; text: string | null }>();
  const services: FiguresPlan["services"] = [];
  for (const vs of topology.services) {
    const key = serviceKeyOfVirtualService(vs);
    const text = key ? serviceKeyString(key) : null;
    keys.set(vs.id, { vs, key, text });
    services.push({ id: vs.id, key: text, directorIds: vs.directorIds });
  }
  const realServers = new Map(topology.realServers.map((r) => [r.id, r]));
  const memberships: FiguresPlan["memberships"] = [];
  for (const m of topology.memberships) {
    const svc = keys.get(m.serviceId);
    const rs = realServers.get(m.realServerId);
    const dest = svc?.key && rs && m.state !== "disabled" ? destinationOf(svc.vs, rs, m) : null;
    if (!svc?.key || !svc.text || !rs || !dest) {
      memberships.push({ id: m.id, realServerId: null, at: [] });
      continue;
    }
    const destKey = `${dest.address}|${dest.port}`;
    const at = svc.vs.directorIds.map((directorId) => ({
      directorId, key: svc.text!, dest: destKey, health: healthKey(directorId, svc.key!, dest.address, dest.port),
    }));
    memberships.push({ id: m.id, realServerId: rs.id, at });
  }
  const plan = { services, memberships };
  plans.set(topology, plan);
  return plan;
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
  // nothing reported at all (no agent yet, all offline): the same answer every second
  let anyHealth = false;
  for (const _ in health) {
    anyHealth = true;
    break;
  }
  if (index.size === 0 && !anyHealth) return quietFigures(topology);

  const plan = planOf(topology);
  for (const p of plan.services) {
    let total: Figures = NOTHING;
    for (const dirId of p.directorIds) {
      const found = p.key === null ? undefined : index.get(dirId)?.get(p.key);
      if (!found) continue;
      if (total === NOTHING) total = zeroFigures();
      add(total, found.svc);
    }
    out.services[p.id] = total;
  }

  const rsHealth = new Map<string, HealthValue[]>();
  const rsWeights = new Map<string, number[]>();
  for (const rs of topology.realServers) out.realServers[rs.id] = { ...zeroFigures(), health: "unknown", quiesced: false };
  const push = <T>(m: Map<string, T[]>, k: string, v: T) => {
    const list = m.get(k);
    if (list) list.push(v);
    else m.set(k, [v]);
  };
  for (const p of plan.memberships) {
    out.memberships[p.id] = NO_MEMBER;
    if (p.realServerId === null) continue;
    // memberships with nothing reported (director offline, destination not in its table) share one
    // frozen value instead of allocating figures per membership every second
    let fig: MemberFigures | null = null;
    const states: HealthValue[] = [];
    for (const at of p.at) {
      const found = index.get(at.directorId)?.get(at.key)?.dests.get(at.dest);
      const h = health[at.health];
      if (!found && (!h || h === "unknown")) continue;
      if (!fig) out.memberships[p.id] = fig = { ...zeroFigures(), weight: null, health: "unknown" };
      if (found) {
        add(fig, found);
        fig.weight = (fig.weight ?? 0) + found.weight;
      }
      // an agent starts every check as up and reports only transitions: a destination an engine
      // runs with no transition on record is up (as the agent itself treats it)
      if (h && h !== "unknown") states.push(h);
      else if (found) states.push("up");
    }
    if (!fig) continue;
    fig.health = states.length === 0 ? "unknown" : states.includes("down") ? "down" : "up";
    add(out.realServers[p.realServerId]!, fig);
    if (fig.health !== "unknown") push(rsHealth, p.realServerId, fig.health);
    if (fig.weight !== null) push(rsWeights, p.realServerId, fig.weight);
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
