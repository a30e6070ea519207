/**
 * Apply = make directors run a saved revision. Saving never does this (desiredFor reads
 * Director.targetRevision, which only this module writes).
 *
 *   const rollout = await applyRevision(deps, { topologyId, actor: { actor: "alice@example.com" } });
 *
 * applies the latest saved revision to every enrolled director of the topology, one director after
 * the other (mode "sequential", stops at the first failure; "parallel" = all at once), waiting up to
 * `waitMs` (default 15 s) per director for its agent's acknowledgement, and returns the Rollout with a
 * result per director (applied revision, per-operation errors). `waitMs: 0` only sets the targets
 * (status "pending": agents that are online get the revision at once, the others when they connect).
 * startRollout() returns at once with the running Rollout and a promise of the final one; progress is
 * published on `deploy.progress` and stored in the Rollout row. Every rollout is audited.
 */
import { Prisma } from "../../../generated/prisma/client.ts";
import type { Topology } from "../../../lvs/model.ts";
import type { EventPayload } from "../../events/channels.ts";
import { recordAudit } from "../audit.ts";
import { loadRevisionDocument } from "../desiredState.ts";
import { refuse } from "../ServiceError.ts";
import type { AuditActor, DeployDeps, DirectorResult, RolloutKind, RolloutMode, RolloutStatus, RolloutView } from "./types.ts";

export interface ApplyRevisionInput {
  topologyId: string;
  /** revision number to run (any saved one: an earlier one is a rollback); default the latest saved */
  revision?: number;
  /** lvs keys of the directors to apply to; default every director of that revision */
  directors?: string[];
  /** default "sequential" */
  mode?: RolloutMode;
  /** ms to wait for each director's ack; 0 = set the targets and return (default 15 000) */
  waitMs?: number;
  /** what the rollout is for (audit action deploy.<kind>); default "apply" */
  kind?: RolloutKind;
  /** resend the revision even to agents that already run it (re-apply after drift) */
  force?: boolean;
  actor: AuditActor;
  message?: string;
}

const DEFAULT_WAIT_MS = 15_000;

/**
 * Slack on top of the waits before a rollout still marked running is called interrupted: its instance
 * stopped (with several instances, a browser on another instance sees the failure this long after the
 * rollout's last possible end).
 */
const INTERRUPTED_AFTER_MS = 20_000;

/**
 * The API shape of a Rollout row. A rollout runs inside the instance that started it; if that
 * instance stopped, the row stays "running": once `now` is past its last possible end (one wait per
 * director, plus slack) it is shown as failed, its unfinished directors as interrupted.
 */
export function rolloutView(row: {
  id: string; topologyId: string; revision: number; kind: string; mode: string; status: string; author: string | null;
  message: string; results: unknown; createdAt: Date; finishedAt: Date | null; waitMs?: number;
}, now: number = Date.now()): RolloutView {
  const { waitMs, ...rest } = row;
  const view: RolloutView = {
    ...rest, kind: row.kind as RolloutKind, mode: row.mode as RolloutMode, status: row.status as RolloutStatus,
    results: row.results as DirectorResult[],
  };
  const end = row.createdAt.getTime() + (waitMs ?? DEFAULT_WAIT_MS) * Math.max(1, view.results.length) + INTERRUPTED_AFTER_MS;
  if (view.status === "running" && now > end) {
    view.status = "failed";
    view.results = view.results.map((r) => (r.status === "waiting" || r.status === "applying" ? { ...r, status: "timeout", message: "interrupted: the control plane instance running this rollout stopped" } : r));
  }
  return view;
}

/** The revision to apply and its document; NOT_FOUND names what is missing. */
export async function resolveRevision(deps: DeployDeps, topologyId: string, revision?: number): Promise<{ revision: number; document: Topology }> {
  const t = await deps.db.prisma.topology.findUnique({ where: { id: topologyId }, select: { revision: true } });
  if (!t) throw refuse("NOT_FOUND", "topology.not-found", { id: topologyId });
  const rev = revision ?? t.revision;
  const document = await loadRevisionDocument(deps.db.prisma, topologyId, rev);
  if (!document) throw refuse("NOT_FOUND", "topology.no-revision", { id: topologyId, revision: rev }, [{ path: "revision", message: `no revision ${rev}` }]);
  return { revision: rev, document };
}

export async function startRollout(deps: DeployDeps, input: ApplyRevisionInput): Promise<{ rollout: RolloutView; done: Promise<RolloutView> }> {
  const now = deps.now ?? Date.now;
  const prisma = deps.db.prisma;
  const { revision, document } = await resolveRevision(deps, input.topologyId, input.revision);
  const inDoc = new Map(document.directors.map((d) => [d.id, d]));
  const keys = input.directors ?? document.directors.map((d) => d.id);
  for (const [i, k] of keys.entries()) {
    if (!inDoc.has(k)) throw refuse("BAD_REQUEST", "deploy.director-not-in-revision", { index: i, key: k, revision }, [{ path: `directors.${i}`, message: `not in revision ${revision}` }]);
  }
  const rows = await prisma.director.findMany({ where: { topologyId: input.topologyId, key: { in: keys } } });
  const byKey = new Map(rows.map((r) => [r.key, r]));
  const waitMs = input.waitMs ?? DEFAULT_WAIT_MS;
  const mode = input.mode ?? "sequential";
  const kind = input.kind ?? "apply";
  const results: DirectorResult[] = keys.map((k) => {
    const r = byKey.get(k);
    const base = { key: k, name: inDoc.get(k)!.name, appliedRevision: r?.appliedRevision ?? null, errors: [], startedAt: null, finishedAt: null };
    return r
      ? { ...base, directorId: r.id, status: "waiting", message: null }
      : { ...base, directorId: "", status: "skipped", message: "no such director any more (removed from the topology after this revision)" };
  });
  const row = await prisma.rollout.create({
    data: {
      topologyId: input.topologyId, revision, kind, mode, status: waitMs === 0 ? "pending" : "running", waitMs,
      author: input.actor.actor, message: input.message ?? "", results: results as unknown as Prisma.InputJsonValue,
    },
  });
  const rollout = rolloutView(row);
  const done = runRollout(deps, rollout, { waitMs, force: input.force ?? false, actor: input.actor, now });
  return { rollout, done };
}

/** Starts a rollout and waits for its end. */
export async function applyRevision(deps: DeployDeps, input: ApplyRevisionInput): Promise<RolloutView> {
  return (await startRollout(deps, input)).done;
}

interface RunOptions { waitMs: number; force: boolean; actor: AuditActor; now: () => number }

async function runRollout(deps: DeployDeps, rollout: RolloutView, o: RunOptions): Promise<RolloutView> {
  const prisma = deps.db.prisma;
  const results = rollout.results;
  let writes = Promise.resolve();
  const save = (status: RolloutStatus, directorId: string | null, finished = false) => {
    writes = writes.then(async () => {
      await prisma.rollout.update({
        where: { id: rollout.id },
        data: { status, results: results as unknown as Prisma.InputJsonValue, ...(finished ? { finishedAt: new Date(o.now()) } : {}) },
      });
      await deps.bus.publish("deploy.progress", { topologyId: rollout.topologyId, rolloutId: rollout.id, revision: rollout.revision, status, directorId, at: o.now() });
    }).catch((err: Error) => deps.log.error({ err, rolloutId: rollout.id }, "could not record rollout progress"));
    return writes;
  };

  const acks = new Map<string, (e: EventPayload<"topology.applied">) => void>();
  const off = deps.bus.subscribe("topology.applied", (e) => {
    if (e.topologyId === rollout.topologyId && e.revision === rollout.revision) acks.get(e.directorId)?.(e);
  });

  const attempt = async (targets: DirectorResult[]): Promise<void> => {
    const ids = targets.map((t) => t.directorId);
    const before = new Map((await prisma.director.findMany({ where: { id: { in: ids } }, select: { id: true, online: true, targetRevision: true, appliedRevision: true } })).map((d) => [d.id, d]));
    const waits = targets.map((t) => {
      t.status = "applying";
      t.startedAt = o.now();
      const d = before.get(t.directorId);
      if (o.waitMs === 0) return Promise.resolve(finish(t, "pending", null));
      if (!d?.online) return Promise.resolve(finish(t, "offline", "no agent connected: it gets this revision when it connects"));
      if (!o.force && d.targetRevision === rollout.revision && d.appliedRevision === rollout.revision) {
        t.appliedRevision = rollout.revision;
        return Promise.resolve(finish(t, "applied", "already running this revision"));
      }
      return new Promise<void>((resolve) => {
        const timer = setTimeout(() => { acks.delete(t.directorId); finish(t, "timeout", `no acknowledgement within ${o.waitMs} ms`); resolve(); }, o.waitMs);
        acks.set(t.directorId, (e) => {
          clearTimeout(timer);
          acks.delete(t.directorId);
          t.errors = e.errors ?? [];
          t.appliedRevision = e.outcome === "ok" ? e.revision : t.appliedRevision;
          finish(t, e.outcome === "ok" ? "applied" : "failed", e.message);
          resolve();
        });
      });
    });
    await prisma.director.updateMany({ where: { id: { in: ids } }, data: { targetRevision: rollout.revision } });
    await save(rollout.status, targets.length === 1 ? targets[0]!.directorId : null);
    for (let i = 0; i < ids.length; i += 100) {
      // always resent: a director whose last attempt of this revision failed must try it again
      await deps.bus.publish("deploy.target", { topologyId: rollout.topologyId, revision: rollout.revision, directorIds: ids.slice(i, i + 100), force: true, at: o.now() });
    }
    await Promise.all(waits);
    if (o.waitMs > 0) {
      // the ack handler stored the reported revision; read it back for failed/timed-out directors
      const after = await prisma.director.findMany({ where: { id: { in: ids } }, select: { id: true, appliedRevision: true } });
      for (const t of targets) if (t.status !== "applied") t.appliedRevision = after.find((a) => a.id === t.directorId)?.appliedRevision ?? null;
    }
  };
  const finish = (t: DirectorResult, status: DirectorResult["status"], message: string | null) => {
    t.status = status;
    t.message = message;
    t.finishedAt = o.now();
    void save(rollout.status, t.directorId);
  };

  const ok = (t: DirectorResult) => t.status === "applied" || t.status === "pending";
  try {
    const todo = results.filter((t) => t.status === "waiting");
    if (rollout.mode === "parallel" || o.waitMs === 0) await attempt(todo);
    else {
      for (const [i, t] of todo.entries()) {
        await attempt([t]);
        if (!ok(t)) {
          for (const rest of todo.slice(i + 1)) Object.assign(rest, { status: "skipped", message: `not attempted: ${t.name} ${t.status}` });
          break;
        }
      }
    }
    rollout.status = o.waitMs === 0 ? "pending" : results.every((t) => ok(t)) ? "succeeded" : "failed";
  } catch (err) {
    deps.log.error({ err, rolloutId: rollout.id }, "rollout failed");
    rollout.status = "failed";
    for (const t of results) if (t.status === "waiting" || t.status === "applying") Object.assign(t, { status: "failed", message: (err as Error).message });
  } finally {
    off();
  }
  rollout.finishedAt = new Date(o.now());
  await save(rollout.status, null, true);
  await recordAudit(deps.db, o.actor, {
    action: `deploy.${rollout.kind}`,
    target: `topology:${rollout.topologyId}`,
    outcome: rollout.status === "failed" ? "failure" : "success",
    diff: {
      rolloutId: rollout.id, revision: rollout.revision, mode: rollout.mode,
      directors: results.map((t) => ({ key: t.key, status: t.status, appliedRevision: t.appliedRevision, message: t.message, errors: t.errors })),
    } as unknown as Prisma.InputJsonValue,
  }).catch((err: Error) => deps.log.error({ err, rolloutId: rollout.id }, "could not audit the rollout"));
  return rollout;
}
