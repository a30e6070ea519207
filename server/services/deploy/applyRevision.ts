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
import type { Prisma } from "../../../generated/prisma/client.ts";
import type { Topology } from "../../../lvs/model.ts";
import { auditError, recordAudit } from "../audit.ts";
import { loadRevisionDocument } from "../desiredState.ts";
import { refuse } from "../ServiceError.ts";
import { DEFAULT_WAIT_MS, rolloutView } from "./rolloutView.ts";
import { runRollout } from "./runRollout.ts";
import type { AuditActor, DeployDeps, DirectorResult, RolloutKind, RolloutMode, RolloutView } from "./types.ts";

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

/** The revision to apply and its document; NOT_FOUND names what is missing. */
export async function resolveRevision(deps: DeployDeps, topologyId: string, revision?: number): Promise<{ revision: number; document: Topology }> {
  const t = await deps.db.prisma.topology.findUnique({ where: { id: topologyId }, select: { revision: true } });
  if (!t) throw refuse("NOT_FOUND", "topology.not-found", { id: topologyId });
  const rev = revision ?? t.revision;
  const document = await loadRevisionDocument(deps.db.prisma, topologyId, rev);
  if (!document) throw refuse("NOT_FOUND", "topology.no-revision", { id: topologyId, revision: rev }, [{ path: "revision", message: `no revision ${rev}` }]);
  return { revision: rev, document };
}

/**
 * Starts a rollout: returns at once with the running Rollout and a promise of the final one. Audit:
 * the rollout writes one deploy.<kind> row when it ends; a call refused before a rollout exists
 * (unknown revision, director not in it) writes that row itself, as a failure.
 */
export async function startRollout(deps: DeployDeps, input: ApplyRevisionInput): Promise<{ rollout: RolloutView; done: Promise<RolloutView> }> {
  try {
    return await createRollout(deps, input);
  } catch (err) {
    await recordAudit(deps.db, input.actor, {
      action: `deploy.${input.kind ?? "apply"}`, target: `topology:${input.topologyId}`, outcome: "failure",
      diff: { revision: input.revision ?? null, ...auditError(err) },
    });
    throw err;
  }
}

/**
 * Re-apply after drift: the revision given, or else the one every named director targets (they must
 * agree); then a forced rollout of it.
 */
export async function startReapply(deps: DeployDeps, input: Omit<ApplyRevisionInput, "kind" | "force"> & { directors: string[] }): Promise<{ rollout: RolloutView; done: Promise<RolloutView> }> {
  let revision = input.revision;
  if (!revision) {
    const rows = await deps.db.prisma.director.findMany({ where: { topologyId: input.topologyId, key: { in: input.directors } }, select: { targetRevision: true } });
    const targets = [...new Set(rows.map((r) => r.targetRevision).filter((x): x is number => x != null))];
    if (targets.length === 1) revision = targets[0]!;
  }
  if (!revision) {
    const err = refuse("BAD_REQUEST", "deploy.name-revision", {}, [{ path: "revision", message: "required here" }]);
    await recordAudit(deps.db, input.actor, { action: "deploy.reapply", target: `topology:${input.topologyId}`, outcome: "failure", diff: { revision: null, ...auditError(err) } });
    throw err;
  }
  return startRollout(deps, { ...input, revision, kind: "reapply", force: true });
}

/** The rollout itself, un-audited until it ends: for use cases that audit their own call (drain, enable). */
export async function createRollout(deps: DeployDeps, input: ApplyRevisionInput): Promise<{ rollout: RolloutView; done: Promise<RolloutView> }> {
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
