/**
 * deploy.*: saving is not applying. Plan (per director, exact ipvsadm ops), applyRevision / rollback
 * / reapply (start a rollout and return it at once; progress: deploy.rollout and the
 * `deploy.progress` event), drift and "import actual", revisions with a readable diff, drains.
 * tRPC reserves the procedure name "apply", hence applyRevision.
 */
import { z } from "zod";
import { startReapply, startRollout } from "../../services/deploy/applyRevision.ts";
import { driftOf, importActual } from "../../services/deploy/drift.ts";
import { forceDrain, listDrains, startDrain } from "../../services/deploy/drainService.ts";
import { MAX_RAMP_MS, startEnable } from "../../services/deploy/enableDrain.ts";
import { planRevision } from "../../services/deploy/planRevision.ts";
import { diffRevisions, listRevisions } from "../../services/deploy/revisions.ts";
import { getRollout, listRollouts } from "../../services/deploy/rolloutView.ts";
import type { RolloutKind, RolloutView } from "../../services/deploy/types.ts";
import { auditActor, authedProcedure, router, serviceDeps as deps, type Context } from "../trpc.ts";

const id = z.string().min(1).max(64);
const revision = z.number().int().min(1);

const rolloutInput = z.object({
  topologyId: id,
  directors: z.array(id).max(1000).optional(),
  mode: z.enum(["sequential", "parallel"]).default("sequential"),
  waitMs: z.number().int().min(0).max(600_000).default(15_000),
  message: z.string().max(1024).default(""),
});

/** the running rollout, at once; its end is only logged if it crashes (progress: deploy.rollout, deploy.progress) */
function background(ctx: Context, started: { rollout: RolloutView; done: Promise<RolloutView> }): RolloutView {
  started.done.catch((err: Error) => ctx.log.error({ err, rolloutId: started.rollout.id }, "rollout crashed"));
  return started.rollout;
}

async function start(ctx: Context, input: z.infer<typeof rolloutInput> & { revision?: number | undefined }, kind: RolloutKind) {
  const { revision: rev, ...rest } = input;
  return background(ctx, await startRollout(deps(ctx), { ...rest, ...(rev ? { revision: rev } : {}), kind, actor: auditActor(ctx) }));
}

export const deployRouter = router({
  /** per director: the ipvsadm ops applying `revision` (default latest) would run; audited, changes nothing */
  plan: authedProcedure("topology.plan")
    .input(z.object({ topologyId: id, revision: revision.optional() }))
    .mutation(({ ctx, input }) => planRevision(deps(ctx), { topologyId: input.topologyId, ...(input.revision ? { revision: input.revision } : {}), actor: auditActor(ctx) })),

  /** apply a saved revision (default the latest) to the topology's directors */
  applyRevision: authedProcedure("topology.apply")
    .input(rolloutInput.extend({ revision: revision.optional() }))
    .mutation(({ ctx, input }) => start(ctx, input, "apply")),

  /** plan/apply an earlier revision: the same rollout, audited as deploy.rollback */
  rollback: authedProcedure("topology.rollback")
    .input(rolloutInput.extend({ revision }))
    .mutation(({ ctx, input }) => start(ctx, input, "rollback")),

  /** drift remedy: send the applied revision again (default: the director's target) to some directors */
  reapply: authedProcedure("topology.apply")
    .input(rolloutInput.extend({ revision: revision.optional(), directors: z.array(id).min(1).max(1000) }))
    .mutation(async ({ ctx, input }) => {
      const { revision: rev, ...rest } = input;
      return background(ctx, await startReapply(deps(ctx), { ...rest, ...(rev ? { revision: rev } : {}), actor: auditActor(ctx) }));
    }),

  /** drift remedy: save a director's actual (reported) table as a new revision */
  importActual: authedProcedure("topology.save")
    .input(z.object({ topologyId: id, directorKey: id }))
    .mutation(({ ctx, input }) => importActual(deps(ctx), { ...input, actor: auditActor(ctx) })),

  /** per director: drift between what it reports and the revision it applied */
  drift: authedProcedure("topology.read").input(z.object({ topologyId: id })).query(({ ctx, input }) => driftOf(deps(ctx), input.topologyId)),

  rollout: authedProcedure("topology.read").input(z.object({ id })).query(({ ctx, input }) => getRollout(deps(ctx), input.id)),

  /** the latest rollouts of a topology, newest first */
  rollouts: authedProcedure("topology.read").input(z.object({ topologyId: id, limit: z.number().int().min(1).max(100).default(20) }))
    .query(({ ctx, input }) => listRollouts(deps(ctx), input.topologyId, input.limit)),

  /** saved revisions (author, time, message, where they run), newest first */
  revisions: authedProcedure("topology.read")
    .input(z.object({ topologyId: id, limit: z.number().int().min(1).max(200).default(50), before: revision.optional() }))
    .query(({ ctx, input }) => listRevisions(deps(ctx), input.topologyId, { limit: input.limit, ...(input.before ? { before: input.before } : {}) })),

  /** readable diff between any two revisions */
  diff: authedProcedure("topology.read")
    .input(z.object({ topologyId: id, from: revision, to: revision }))
    .query(({ ctx, input }) => diffRevisions(deps(ctx), input.topologyId, input.from, input.to)),

  drains: authedProcedure("topology.read").input(z.object({ topologyId: id })).query(({ ctx, input }) => listDrains(deps(ctx), input.topologyId)),

  /** drain a real server, a membership or a whole director's memberships (weight 0, followed to zero connections) */
  drain: authedProcedure("realServer.drain")
    .input(z.object({ topologyId: id, subject: z.object({ kind: z.enum(["realServer", "membership", "director"]), key: id }), timeoutMs: z.number().int().min(1000).max(86_400_000).default(300_000) }))
    .mutation(async ({ ctx, input }) => {
      const r = await startDrain(deps(ctx), { ...input, actor: auditActor(ctx) });
      r.done.catch((err: Error) => ctx.log.error({ err, drainId: r.drain.id }, "drain rollout crashed"));
      return { drain: r.drain, rollout: r.rollout };
    }),

  forceDrain: authedProcedure("realServer.drain").input(z.object({ drainId: id })).mutation(({ ctx, input }) => forceDrain(deps(ctx), { ...input, actor: auditActor(ctx) })),

  /** re-enable at the previous weight, optionally ramped up in steps (runs in the background; see deploy.drains) */
  enable: authedProcedure("realServer.drain")
    .input(z.object({ drainId: id, ramp: z.object({ steps: z.number().int().min(1).max(20), durationMs: z.number().int().min(0).max(MAX_RAMP_MS) }).optional() }))
    .mutation(async ({ ctx, input }) => {
      const r = await startEnable(deps(ctx), { drainId: input.drainId, ...(input.ramp ? { ramp: input.ramp } : {}), actor: auditActor(ctx) });
      // a slow start answers with its first state ("ramping") and runs on; a plain enable with its end
      if (!input.ramp || input.ramp.steps <= 1) return r.done;
      r.done.catch((err: Error) => ctx.log.error({ err, drainId: input.drainId }, "slow start failed"));
      return r.drain;
    }),
});
