import { z } from "zod";
import { recordAudit } from "../../services/audit.ts";
import { DirectorService } from "../../services/directorService.ts";
import { auditActor, authedProcedure, router, type Context } from "../trpc.ts";

const id = z.string().min(1).max(64);
const service = (ctx: Context) => new DirectorService({ prisma: ctx.db.prisma, bus: ctx.bus, log: ctx.log, now: ctx.now });

/** Runs a token administration step and records it (success with what changed, or failure with the error). */
async function audited<T>(ctx: Context, action: string, target: string, run: () => Promise<T>, diff: (r: T) => Record<string, string | number | boolean | null>): Promise<T> {
  try {
    const r = await run();
    await recordAudit(ctx.db, auditActor(ctx), { action, target, outcome: "success", diff: diff(r) });
    return r;
  } catch (err) {
    await recordAudit(ctx.db, auditActor(ctx), { action, target, outcome: "failure", diff: { error: err instanceof Error ? err.message : String(err) } });
    throw err;
  }
}

export const directorRouter = router({
  /** directors with online / lastSeen / appliedRevision */
  list: authedProcedure("director.read").input(z.object({ topologyId: id.optional() }).default({})).query(({ ctx, input }) => service(ctx).list(input.topologyId)),
  /** enroll: the token is in this response only (never in the audit log) */
  create: authedProcedure("director.admin")
    .input(z.object({ topologyId: id, key: id, name: z.string().trim().min(1).max(128).optional() }))
    .mutation(({ ctx, input }) =>
      audited(ctx, "director.enroll", `topology:${input.topologyId}/director:${input.key}`, () => service(ctx).create(input), (r) => ({ directorId: r.director.id, name: r.director.name }))),
  rotateToken: authedProcedure("token.admin")
    .input(z.object({ id }))
    .mutation(({ ctx, input }) => audited(ctx, "director.rotateToken", `director:${input.id}`, () => service(ctx).rotate(input.id), (r) => ({ key: r.director.key, name: r.director.name }))),
  revokeToken: authedProcedure("token.admin")
    .input(z.object({ id }))
    .mutation(({ ctx, input }) => audited(ctx, "director.revokeToken", `director:${input.id}`, () => service(ctx).revoke(input.id), (r) => ({ key: r.key, name: r.name }))),
});
