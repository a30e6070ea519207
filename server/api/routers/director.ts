import { z } from "zod";
import { DirectorService } from "../../services/directorService.ts";
import { publicProcedure, router, type Context } from "../trpc.ts";

const id = z.string().min(1).max(64);
const service = (ctx: Context) => new DirectorService({ prisma: ctx.db.prisma, bus: ctx.bus, log: ctx.log, now: ctx.now });

export const directorRouter = router({
  /** directors with online / lastSeen / appliedRevision */
  list: publicProcedure.input(z.object({ topologyId: id.optional() }).default({})).query(({ ctx, input }) => service(ctx).list(input.topologyId)),
  /** enroll: the token is in this response only */
  create: publicProcedure
    .input(z.object({ topologyId: id, key: id, name: z.string().trim().min(1).max(128).optional() }))
    .mutation(({ ctx, input }) => service(ctx).create(input)),
  rotateToken: publicProcedure.input(z.object({ id })).mutation(({ ctx, input }) => service(ctx).rotate(input.id)),
  revokeToken: publicProcedure.input(z.object({ id })).mutation(({ ctx, input }) => service(ctx).revoke(input.id)),
});
