/**
 * What applying a table to one director would do, for operators to review, and drift.
 *  - planDirector: the exact ipvsadm operations (lvs/reconcile plan + renderOp) from what the agent
 *    last reported to the desired table, each marked by risk: "drops-connections" (deleting a service
 *    drops all of its connections; removing a real server drops the connections it still has, or
 *    might have when no statistics are known), "deletion" (removing something idle), or "none"
 *    (adds and in-place -E/-e edits: the kernel keeps connections; weight 0 only quiesces).
 *  - drift: the same plan from the reported table to the applied revision, minus the differences the
 *    agent's health checks explain (a failed real server quiesced or removed, a sorry server added);
 *    and the differences between the agent's latest statistics (services, real servers, weights) and
 *    the applied revision, which are fresher than the last report.
 * Pure.
 */
import type { HealthConfig } from "./protocol/agent.ts";
import type { IpvsTable, StatsSnapshot } from "./model.ts";
import type { Op } from "./ops.ts";
import { plan, describeOp } from "./reconcile.ts";
import { renderOp } from "./formats/ipvsadm/render.ts";
import { describeServiceKey, destinationKeyString, serviceKeyString } from "./tableKey.ts";

/** Weights and connection counts per destination, from an agent's statistics (Director.observed). */
export interface ObservedTable {
  at: number;
  services: Array<{ key: string; label: string; destinations: Array<{ address: string; port: number; weight: number; activeConns: number; inactConns: number }> }>;
}

export function observedFromStats(s: StatsSnapshot): ObservedTable {
  return {
    at: s.at,
    services: s.services.map((svc) => ({
      key: serviceKeyString(svc.key),
      label: describeServiceKey(svc.key),
      destinations: svc.destinations.map((d) => ({ address: d.address, port: d.port, weight: d.weight, activeConns: d.activeConns, inactConns: d.inactConns })),
    })),
  };
}

export type OpRisk = "none" | "deletion" | "drops-connections";

export interface PlannedOp {
  op: Op;
  /** the ipvsadm command, e.g. "ipvsadm -d -t 10.0.0.1:80 -r 10.0.0.7:80" */
  command: string;
  /** one line for humans (describeOp) */
  text: string;
  risk: OpRisk;
  /** connections on what the op touches per the latest statistics; null = unknown */
  activeConns: number | null;
  inactConns: number | null;
}

type ObservedService = ObservedTable["services"][number];
interface ObservedIndex {
  services: Map<string, ObservedService>;
  destinations: Map<string, ObservedService["destinations"][number]>;
}

/** Services by key and destinations by service + destination key (the first one wins, as a find would). */
function observedIndex(observed: ObservedTable): ObservedIndex {
  const idx: ObservedIndex = { services: new Map(), destinations: new Map() };
  for (const s of observed.services) {
    if (!idx.services.has(s.key)) idx.services.set(s.key, s);
    for (const d of s.destinations) {
      const k = `${s.key} ${destinationKeyString(d)}`;
      if (!idx.destinations.has(k)) idx.destinations.set(k, d);
    }
  }
  return idx;
}

function connsOf(o: Op, idx: ObservedIndex | null): { activeConns: number | null; inactConns: number | null } {
  if (!idx || o.kind === "clear" || o.kind === "set-timeouts") return { activeConns: null, inactConns: null };
  const key = serviceKeyString(o.service);
  const svc = idx.services.get(key);
  if (!svc) return { activeConns: null, inactConns: null };
  if (o.kind === "delete-service" || o.kind === "add-service" || o.kind === "edit-service") {
    return {
      activeConns: svc.destinations.reduce((n, d) => n + d.activeConns, 0),
      inactConns: svc.destinations.reduce((n, d) => n + d.inactConns, 0),
    };
  }
  const d = idx.destinations.get(`${key} ${destinationKeyString(o.destination)}`);
  return d ? { activeConns: d.activeConns, inactConns: d.inactConns } : { activeConns: null, inactConns: null };
}

export function annotateOps(ops: readonly Op[], observed: ObservedTable | null): PlannedOp[] {
  const idx = observed ? observedIndex(observed) : null;
  return ops.map((o) => {
    const c = connsOf(o, idx);
    let risk: OpRisk = "none";
    if (o.kind === "delete-service" || o.kind === "clear") risk = "drops-connections";
    else if (o.kind === "delete-destination") {
      const idle = c.activeConns === 0 && c.inactConns === 0;
      risk = idle ? "deletion" : "drops-connections";
    }
    return { op: o, command: `ipvsadm ${renderOp(o)}`, text: describeOp(o), risk, ...c };
  });
}

/** The ops that turn `actual` (what the agent last reported) into `desired`, annotated. */
export function planDirector(actual: IpvsTable, desired: IpvsTable, observed: ObservedTable | null = null): PlannedOp[] {
  return annotateOps(plan(actual, desired), observed);
}

const targetId = (service: string, address: string, port: number) => `${service}|${destinationKeyString({ address, port })}`;

interface HealthIndex {
  /** checked targets (check kind not none) by service + destination id; the first one wins */
  targets: Map<string, HealthConfig["targets"][number]>;
  /** "service|address" of every sorry server */
  sorry: Set<string>;
}

function healthIndex(health: HealthConfig): HealthIndex {
  const idx: HealthIndex = { targets: new Map(), sorry: new Set() };
  for (const t of health.targets) {
    if (t.check.kind === "none") continue;
    const id = targetId(serviceKeyString(t.service), t.destination.address, t.destination.port);
    if (!idx.targets.has(id)) idx.targets.set(id, t);
  }
  for (const s of health.sorryServers) idx.sorry.add(`${serviceKeyString(s.service)} ${s.address}`);
  return idx;
}

/** Is this difference between the running and the desired table the agent's health handling? (one op; see healthExplainer for many) */
export function healthExplains(o: Op, health: HealthConfig): boolean {
  return healthExplainer(health)(o);
}

/** healthExplains with the health config indexed once, for filtering a whole plan. */
export function healthExplainer(health: HealthConfig): (o: Op) => boolean {
  const idx = healthIndex(health);
  return (o) => explainedBy(o, idx);
}

function explainedBy(o: Op, idx: HealthIndex): boolean {
  if (o.kind === "clear" || o.kind === "set-timeouts" || o.kind === "add-service" || o.kind === "edit-service" || o.kind === "delete-service") return false;
  const svc = serviceKeyString(o.service);
  const target = idx.targets.get(targetId(svc, o.destination.address, o.destination.port));
  if (o.kind === "edit-destination") {
    // desired weight w, running 0 (quiesced): only the weight differs
    const p = o.previous;
    return !!target && !!p && p.weight === 0 && p.method === o.destination.method && p.upperThreshold === o.destination.upperThreshold && p.lowerThreshold === o.destination.lowerThreshold;
  }
  if (o.kind === "add-destination") return !!target && target.check.kind !== "none" && target.check.onFailure === "remove";
  // delete-destination: an extra real server that is the service's sorry server
  return idx.sorry.has(`${svc} ${o.destination.address}`);
}

/**
 * The table a director runs, as best known: its last report (full detail) corrected by statistics
 * taken after it (which real servers each service has and their weights). A service that only the
 * statistics show cannot be described exactly (no scheduler, no method) and is left out: detectDrift
 * names it. A real server only the statistics show gets its service's first method (NAT if none).
 */
export function actualTable(reported: IpvsTable, observed: ObservedTable | null): IpvsTable {
  if (!observed) return reported;
  const seen = new Map(observed.services.map((s) => [s.key, s]));
  return {
    ...(reported.timeouts ? { timeouts: reported.timeouts } : {}),
    services: reported.services.flatMap((svc) => {
      const o = seen.get(serviceKeyString(svc));
      if (!o) return [];
      const have = new Map(svc.destinations.map((d) => [destinationKeyString(d), d]));
      const method = svc.destinations[0]?.method ?? "nat";
      const destinations = o.destinations.map((x) => {
        const d = have.get(destinationKeyString(x));
        return d ? { ...d, weight: x.weight } : { address: x.address, port: x.port, method, weight: x.weight, upperThreshold: 0, lowerThreshold: 0, tunnel: null };
      });
      return [{ ...svc, destinations }];
    }),
  };
}

export interface Drift {
  /** what re-applying would run against the actual table (health-explained differences left out) */
  ops: PlannedOp[];
  /** what the statistics show that the ops cannot express (services missing from the last report) */
  observed: string[];
}

export function detectDrift(reported: IpvsTable | null, desired: IpvsTable, health: HealthConfig, observed: ObservedTable | null): Drift {
  if (!reported && !observed) return { ops: [], observed: [] };
  const actual = actualTable(reported ?? { services: [] }, observed);
  const explains = healthExplainer(health);
  const ops = annotateOps(plan(actual, desired).filter((o) => !explains(o)), observed);
  const inReport = new Set((reported?.services ?? []).map((s) => serviceKeyString(s)));
  const lines = (observed?.services ?? []).filter((s) => !inReport.has(s.key)).map((s) => `${s.label}: running (seen in statistics), not in the last report`);
  return { ops, observed: lines };
}
