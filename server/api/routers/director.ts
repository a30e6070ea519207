import { z } from "zod";
import { DirectorService } from "../../services/directorService.ts";
import { audited } from "../audited.ts";
import { authedProcedure, router, type Context } from "../trpc.ts";

const id = z.string().min(1).max(64);
const service = (ctx: Context) => new DirectorService({ prisma: ctx.db.prisma, bus: ctx.bus, log: ctx.log, now: ctx.now });

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
