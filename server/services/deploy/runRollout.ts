/**
 * The effects of a rollout: drives the pure state machine (lvs/rollout.ts) with the directors' rows,
 * the agents' acknowledgements (`topology.applied`) and one timer per awaited director, and persists
 * each state it returns (Rollout row + `deploy.progress`). Sets Director.targetRevision and publishes
 * `deploy.target` for each batch. The rollout's one audit row (deploy.<kind>) is written when it ends.
 */
import type { Prisma } from "../../../generated/prisma/client.ts";
import { awaitingAck, nextBatch, stepRollout, type RolloutEvent, type RolloutState } from "../../../lvs/rollout.ts";
import { recordAudit } from "../audit.ts";
import type { AuditActor, DeployDeps, RolloutView } from "./types.ts";

export interface RunOptions { waitMs: number; force: boolean; actor: AuditActor; now: () => number }

export async function runRollout(deps: DeployDeps, rollout: RolloutView, o: RunOptions): Promise<RolloutView> {
  const prisma = deps.db.prisma;
  let s: RolloutState = { revision: rollout.revision, mode: rollout.mode, waitMs: o.waitMs, force: o.force, status: rollout.status, results: rollout.results };
  let writes = Promise.resolve();
  const save = (directorId: string | null, finished = false) => {
    const { status, results } = s;
    writes = writes.then(async () => {
      await prisma.rollout.update({
        where: { id: rollout.id },
        data: { status, results: results as unknown as Prisma.InputJsonValue, ...(finished ? { finishedAt: new Date(o.now()) } : {}) },
      });
      await deps.bus.publish("deploy.progress", { topologyId: rollout.topologyId, rolloutId: rollout.id, revision: rollout.revision, status, directorId, at: o.now() });
    }).catch((err: Error) => deps.log.error({ err, rolloutId: rollout.id }, "could not record rollout progress"));
    return writes;
  };
  const apply = (e: RolloutEvent, directorId: string | null) => {
    const next = stepRollout(s, e);
    if (next !== s) {
      s = next;
      void save(directorId);
    }
  };

  const waiters = new Map<string, () => void>();
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const settle = (directorId: string, e: RolloutEvent) => {
    const done = waiters.get(directorId);
    if (!done) return;
    waiters.delete(directorId);
    apply(e, directorId);
    done();
  };
  const off = deps.bus.subscribe("topology.applied", (e) => {
    if (e.topologyId !== rollout.topologyId || e.revision !== rollout.revision) return;
    settle(e.directorId, { type: "ack", directorId: e.directorId, ok: e.outcome === "ok", revision: e.revision, message: e.message, errors: e.errors ?? [], at: o.now() });
  });

  const attempt = async (ids: string[]) => {
    const rows = await prisma.director.findMany({ where: { id: { in: ids } }, select: { id: true, online: true, targetRevision: true, appliedRevision: true } });
    s = stepRollout(s, { type: "attempt", ids, directors: rows, at: o.now() });
    const waits = awaitingAck(s).map((id) => new Promise<void>((resolve) => {
      const timer = setTimeout(() => settle(id, { type: "timeout", directorId: id, at: o.now() }), o.waitMs);
      timers.add(timer);
      waiters.set(id, () => { clearTimeout(timer); timers.delete(timer); resolve(); });
    }));
    await prisma.director.updateMany({ where: { id: { in: ids } }, data: { targetRevision: rollout.revision } });
    await save(ids.length === 1 ? ids[0]! : null);
    for (let i = 0; i < ids.length; i += 100) {
      // always resent: a director whose last attempt of this revision failed must try it again
      await deps.bus.publish("deploy.target", { topologyId: rollout.topologyId, revision: rollout.revision, directorIds: ids.slice(i, i + 100), force: true, at: o.now() });
    }
    await Promise.all(waits);
    if (o.waitMs > 0) {
      // the ack handler stored the reported revision; read it back for failed/timed-out directors
      const after = await prisma.director.findMany({ where: { id: { in: ids } }, select: { id: true, appliedRevision: true } });
      s = stepRollout(s, { type: "readBack", applied: Object.fromEntries(after.map((a) => [a.id, a.appliedRevision])) });
    }
  };

  try {
    for (let ids = nextBatch(s); ids.length > 0; ids = nextBatch(s)) await attempt(ids);
    s = stepRollout(s, { type: "end" });
  } catch (err) {
    deps.log.error({ err, rolloutId: rollout.id }, "rollout failed");
    s = stepRollout(s, { type: "crash", message: (err as Error).message });
  } finally {
    off();
    for (const t of timers) clearTimeout(t);
  }
  const final: RolloutView = { ...rollout, status: s.status, results: s.results, finishedAt: new Date(o.now()) };
  await save(null, true);
  await recordAudit(deps.db, o.actor, {
    action: `deploy.${rollout.kind}`,
    target: `topology:${rollout.topologyId}`,
    outcome: final.status === "failed" ? "failure" : "success",
    diff: {
      rolloutId: rollout.id, revision: rollout.revision, mode: rollout.mode,
      directors: final.results.map((t) => ({ key: t.key, status: t.status, appliedRevision: t.appliedRevision, message: t.message, errors: t.errors })),
    } as unknown as Prisma.InputJsonValue,
  }).catch((err: Error) => deps.log.error({ err, rolloutId: rollout.id }, "could not audit the rollout"));
  return final;
}
