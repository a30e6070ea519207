/**
 * Draining: a real server (all its active memberships), one membership, or a whole director (every
 * active membership of the services placed on it) is set to state "draining" — a new revision, applied
 * at once to the directors — so its weight is 0 (no new connections; the document keeps the weight for
 * re-enable). evaluateDrains() then follows ActiveConn + InActConn of those destinations in the agents'
 * latest statistics (Director.observed) down to zero → "drained"; after the timeout it is "timed-out"
 * (still followed) and an operator may force it ("forced"). Re-enable sets the memberships active
 * again at their weight, at once or ramped up in steps (enableDrain.ts). Each call of drain and force
 * writes one audit row (success or failure); the drain's rollout writes its own deploy.drain row.
 *
 * Because drain and enable apply the topology's latest saved revision, they refuse (CONFLICT) while a
 * saved revision is not yet applied to the directors: apply or discard it first.
 */
import type { Prisma } from "../../../generated/prisma/client.ts";
import { forceDrained, observeDrain, tickDrain, type DrainState, type DrainStatus } from "../../../lvs/drain.ts";
import type { ObservedTable } from "../../../lvs/deployPlan.ts";
import { realServerLabel, serviceLabel } from "../../../lvs/diff.ts";
import { membershipEndpoints } from "../../../lvs/membershipEndpoints.ts";
import type { Membership, Topology } from "../../../lvs/model.ts";
import { destinationKeyString, serviceKeyString } from "../../../lvs/tableKey.ts";
import { auditError, recordAudit } from "../audit.ts";
import { loadRevisionDocument } from "../desiredState.ts";
import { refuse } from "../ServiceError.ts";
import { TopologyService } from "../topologyService.ts";
import { createRollout } from "./applyRevision.ts";
import type { AuditActor, DeployDeps, RolloutView } from "./types.ts";

export type DrainSubject = { kind: "realServer" | "membership" | "director"; key: string };
export type DrainRowStatus = DrainStatus | "forced" | "ramping" | "enabled";

export interface DrainView {
  id: string;
  topologyId: string;
  subject: string;
  label: string;
  membershipKeys: string[];
  revision: number;
  status: DrainRowStatus;
  timeoutMs: number;
  activeConns: number | null;
  inactConns: number | null;
  author: string | null;
  startedAt: Date;
  since: Date;
}

export const view = (r: DrainView | (Omit<DrainView, "status"> & { status: string })): DrainView => ({ ...r, status: r.status as DrainRowStatus });
const APPLY_WAIT_MS = 10_000;

/** Drain and enable need every applied director to run the latest saved revision. */
export async function latestApplied(deps: DeployDeps, topologyId: string) {
  const topo = new TopologyService({ prisma: deps.db.prisma, bus: deps.bus, log: deps.log, ...(deps.now ? { now: deps.now } : {}) });
  const current = await topo.get(topologyId);
  const directors = await deps.db.prisma.director.findMany({ where: { topologyId, targetRevision: { not: null } }, select: { key: true, name: true, targetRevision: true } });
  if (directors.length === 0) throw refuse("CONFLICT", "drain.nothing-applied");
  const behind = directors.find((d) => d.targetRevision !== current.revision);
  if (behind) {
    throw refuse("CONFLICT", "drain.not-applied", { revision: current.revision, name: behind.name, target: String(behind.targetRevision) });
  }
  return { topo, current, directorKeys: directors.map((d) => d.key) };
}

function selectMemberships(doc: Topology, subject: DrainSubject): { memberships: Membership[]; label: string } {
  const active = (m: Membership) => m.state === "active";
  if (subject.kind === "membership") {
    const m = doc.memberships.find((x) => x.id === subject.key);
    if (!m) throw refuse("NOT_FOUND", "drain.no-membership", { key: subject.key }, [{ path: "subject.key", message: "no such membership" }]);
    const vs = doc.services.find((s) => s.id === m.serviceId)!;
    const rs = doc.realServers.find((r) => r.id === m.realServerId)!;
    return { memberships: [m].filter(active), label: `${serviceLabel(vs)} -> ${realServerLabel(rs)}` };
  }
  if (subject.kind === "realServer") {
    const rs = doc.realServers.find((r) => r.id === subject.key);
    if (!rs) throw refuse("NOT_FOUND", "drain.no-real-server", { key: subject.key }, [{ path: "subject.key", message: "no such real server" }]);
    return { memberships: doc.memberships.filter((m) => m.realServerId === rs.id && active(m)), label: `real server ${realServerLabel(rs)}` };
  }
  const d = doc.directors.find((x) => x.id === subject.key);
  if (!d) throw refuse("NOT_FOUND", "drain.no-director", { key: subject.key }, [{ path: "subject.key", message: "no such director" }]);
  const services = new Set(doc.services.filter((s) => s.directorIds.includes(d.id)).map((s) => s.id));
  return { memberships: doc.memberships.filter((m) => services.has(m.serviceId) && active(m)), label: `director ${d.name}` };
}

export async function saveAndApply(deps: DeployDeps, topologyId: string, next: Topology, o: { message: string; kind: "drain" | "enable"; actor: AuditActor }) {
  const { topo, current, directorKeys } = await latestApplied(deps, topologyId);
  const saved = await topo.save({ id: topologyId, expectedRevision: current.revision, document: next, message: o.message, author: o.actor.actor });
  const started = await createRollout(deps, {
    topologyId, revision: saved.revision, directors: directorKeys.filter((k) => next.directors.some((d) => d.id === k)),
    mode: "parallel", kind: o.kind, waitMs: APPLY_WAIT_MS, actor: o.actor, message: o.message,
  });
  return { revision: saved.revision, ...started };
}

export async function startDrain(
  deps: DeployDeps, input: { topologyId: string; subject: DrainSubject; timeoutMs?: number; actor: AuditActor },
): Promise<{ drain: DrainView; rollout: RolloutView; done: Promise<RolloutView> }> {
  const timeoutMs = input.timeoutMs ?? 300_000;
  let label = `${input.subject.kind} ${input.subject.key}`;
  try {
    if (!(timeoutMs >= 1000 && timeoutMs <= 86_400_000)) throw refuse("BAD_REQUEST", "drain.timeout-range", {}, [{ path: "timeoutMs", message: "1000..86400000" }]);
    const { current } = await latestApplied(deps, input.topologyId);
    const selected = selectMemberships(current.document, input.subject);
    label = selected.label;
    if (selected.memberships.length === 0) throw refuse("BAD_REQUEST", "drain.nothing-active", { label }, [{ path: "subject", message: "nothing active" }]);
    const keys = new Set(selected.memberships.map((m) => m.id));
    const next: Topology = { ...current.document, memberships: current.document.memberships.map((m) => (keys.has(m.id) ? { ...m, state: "draining" } : m)) };
    const message = `drain ${label}`;
    const r = await saveAndApply(deps, input.topologyId, next, { message, kind: "drain", actor: input.actor });
    const row = await deps.db.prisma.drain.create({
      data: {
        topologyId: input.topologyId, subject: `${input.subject.kind}:${input.subject.key}`, label, membershipKeys: [...keys],
        revision: r.revision, status: "draining", timeoutMs, author: input.actor.actor,
        ...(deps.now ? { startedAt: new Date(deps.now()), since: new Date(deps.now()) } : {}),
      },
    });
    await recordAudit(deps.db, input.actor, { action: "realServer.drain", target: `topology:${input.topologyId}`, outcome: "success", diff: { drainId: row.id, label, memberships: [...keys], revision: r.revision, timeoutMs } });
    await deps.bus.publish("drain.changed", { topologyId: input.topologyId, drainId: row.id, status: row.status, at: (deps.now ?? Date.now)() });
    return { drain: view(row), rollout: r.rollout, done: r.done };
  } catch (err) {
    await recordAudit(deps.db, input.actor, { action: "realServer.drain", target: `topology:${input.topologyId}`, outcome: "failure", diff: { label, ...auditError(err) } });
    throw err;
  }
}

/** Follows every unfinished drain (of one topology, or all) from the agents' latest statistics. */
export async function evaluateDrains(deps: DeployDeps, topologyId?: string): Promise<DrainView[]> {
  const prisma = deps.db.prisma;
  const now = (deps.now ?? Date.now)();
  const rows = await prisma.drain.findMany({ where: { status: { in: ["draining", "timed-out"] }, ...(topologyId ? { topologyId } : {}) } });
  const changed: DrainView[] = [];
  for (const row of rows) {
    const doc = await loadRevisionDocument(prisma, row.topologyId, row.revision);
    const directors = new Map((await prisma.director.findMany({ where: { topologyId: row.topologyId } })).map((d) => [d.key, d]));
    let active = 0;
    let inact = 0;
    let known = !!doc;
    for (const key of doc ? row.membershipKeys : []) {
      for (const e of membershipEndpoints(doc!, key)) {
        const d = directors.get(e.directorId);
        if (!d || d.targetRevision == null) continue; // a director nobody applied anything to runs nothing of it
        const obs = d.observed as ObservedTable | null;
        const fresh = d.online && d.appliedRevision != null && d.appliedRevision >= row.revision && obs && d.observedAt && d.reportedAt && d.observedAt >= d.reportedAt;
        const dest = fresh ? obs.services.find((s) => s.key === serviceKeyString(e.service))?.destinations.find((x) => destinationKeyString(x) === destinationKeyString(e.destination)) : undefined;
        if (!fresh) known = false;
        else if (dest) {
          if (dest.weight !== 0) known = false; // not quiesced yet on this director
          active += dest.activeConns;
          inact += dest.inactConns;
        }
        // fresh statistics without the destination: it carries no connections there
      }
    }
    const state: DrainState = {
      status: row.status as DrainStatus, startedAt: row.startedAt.getTime(), timeoutMs: row.timeoutMs, previousWeight: 0,
      activeConns: row.activeConns ?? NaN, inactConns: row.inactConns ?? NaN, since: row.since.getTime(),
    };
    const next = known ? observeDrain(state, active, inact, now) : tickDrain(state, now);
    const counts = known ? { activeConns: active, inactConns: inact } : {};
    if (next.status === row.status && (!known || (active === row.activeConns && inact === row.inactConns))) continue;
    const updated = await prisma.drain.update({ where: { id: row.id }, data: { status: next.status, since: new Date(next.since), ...counts } });
    changed.push(view(updated));
    await deps.bus.publish("drain.changed", { topologyId: row.topologyId, drainId: row.id, status: next.status, at: now });
  }
  return changed;
}

export async function loadDrain(deps: DeployDeps, drainId: string) {
  const row = await deps.db.prisma.drain.findUnique({ where: { id: drainId } });
  if (!row) throw refuse("NOT_FOUND", "drain.not-found", { id: drainId }, [{ path: "drainId", message: "no such drain" }]);
  return row;
}

/** "force": the operator declares it drained without waiting for the connections. Audited once, success or failure. */
export async function forceDrain(deps: DeployDeps, input: { drainId: string; actor: AuditActor }): Promise<DrainView> {
  const audit = { action: "realServer.drain.force", target: `drain:${input.drainId}` };
  let facts: Record<string, Prisma.InputJsonValue | null> = { drainId: input.drainId };
  try {
    const row = await loadDrain(deps, input.drainId);
    audit.target = `topology:${row.topologyId}`;
    facts = { drainId: row.id, label: row.label, activeConns: row.activeConns, inactConns: row.inactConns };
    if (row.status !== "draining" && row.status !== "timed-out") throw refuse("CONFLICT", "drain.not-draining", { status: row.status });
    const now = (deps.now ?? Date.now)();
    forceDrained({ status: row.status, startedAt: row.startedAt.getTime(), timeoutMs: row.timeoutMs, previousWeight: 0, activeConns: 0, inactConns: 0, since: now }, now);
    const updated = await deps.db.prisma.drain.update({ where: { id: row.id }, data: { status: "forced", since: new Date(now) } });
    await recordAudit(deps.db, input.actor, { ...audit, outcome: "success", diff: facts });
    await deps.bus.publish("drain.changed", { topologyId: row.topologyId, drainId: row.id, status: "forced", at: now });
    return view(updated);
  } catch (err) {
    await recordAudit(deps.db, input.actor, { ...audit, outcome: "failure", diff: { ...facts, ...auditError(err) } });
    throw err;
  }
}

export async function listDrains(deps: DeployDeps, topologyId: string, limit = 50): Promise<DrainView[]> {
  const rows = await deps.db.prisma.drain.findMany({ where: { topologyId }, orderBy: { startedAt: "desc" }, take: limit });
  return rows.map(view);
}
