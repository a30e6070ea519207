/**
 * deploy.*: saving is not applying. applyRevision/rollback/reapply (tRPC reserves the name "apply") start a rollout and return it at once
 * (progress: deploy.rollout / the `deploy.progress` event); queries read rollouts.
 */
import { z } from "zod";
import { startRollout, rolloutView } from "../../services/deploy/applyRevision.ts";
import type { DeployDeps } from "../../services/deploy/types.ts";
import { ServiceError } from "../../services/ServiceError.ts";
import { auditActor, authedProcedure, router, type Context } from "../trpc.ts";

const topologyId = z.string().min(1).max(64);
const revision = z.number().int().min(1);
const deps = (ctx: Context): DeployDeps => ({ db: ctx.db, bus: ctx.bus, log: ctx.log, now: ctx.now });

const applyInput = z.object({
  topologyId,
  revision: revision.optional(),
  directors: z.array(z.string().min(1).max(64)).max(1000).optional(),
  mode: z.enum(["sequential", "parallel"]).default("sequential"),
  waitMs: z.number().int().min(0).max(600_000).default(15_000),
  message: z.string().max(1024).default(""),
});

async function start(ctx: Context, input: z.infer<typeof applyInput>, kind: "apply" | "rollback" | "reapply") {
  const { rollout, done } = await startRollout(deps(ctx), {
    ...input, kind, force: kind === "reapply", actor: auditActor(ctx),
  });
  done.catch((err: Error) => ctx.log.error({ err, rolloutId: rollout.id }, "rollout crashed"));
  return rollout;
}

export const deployRouter = router({
  /** apply a saved revision (default the latest) to the topology's directors */
  applyRevision: authedProcedure("topology.apply").input(applyInput).mutation(({ ctx, input }) => start(ctx, input, "apply")),

  /** get one rollout (live progress while status is "running") */
  rollout: authedProcedure("topology.read").input(z.object({ id: z.string().min(1).max(64) })).query(async ({ ctx, input }) => {
    const row = await ctx.db.prisma.rollout.findUnique({ where: { id: input.id } });
    if (!row) throw new ServiceError("NOT_FOUND", `no rollout with id ${input.id}`);
    return rolloutView(row);
  }),

  /** the latest rollouts of a topology, newest first */
  rollouts: authedProcedure("topology.read").input(z.object({ topologyId, limit: z.number().int().min(1).max(100).default(20) })).query(async ({ ctx, input }) => {
    const rows = await ctx.db.prisma.rollout.findMany({ where: { topologyId: input.topologyId }, orderBy: { createdAt: "desc" }, take: input.limit });
    return rows.map(rolloutView);
  }),
});
