import { z } from "zod";
import { topologySchema } from "../../../lvs/schemas.ts";
import { TopologyService } from "../../services/topologyService.ts";
import { authedProcedure, router, type Context } from "../trpc.ts";

const topologyId = z.string().min(1).max(64);
const service = (ctx: Context) => new TopologyService({ prisma: ctx.db.prisma, bus: ctx.bus, log: ctx.log, now: ctx.now });
const author = (ctx: Context) => ctx.session?.email ?? null;

export const topologyRouter = router({
  list: authedProcedure("topology.read").query(({ ctx }) => service(ctx).list()),

  get: authedProcedure("topology.read").input(z.object({ id: topologyId })).query(({ ctx, input }) => service(ctx).get(input.id)),

  create: authedProcedure("topology.create")
    .input(z.object({ name: z.string().trim().min(1, "name is required").max(128, "name is at most 128 characters") }))
    .mutation(({ ctx, input }) => service(ctx).create(input.name, author(ctx))),

  save: authedProcedure("topology.save")
    .input(
      z.object({
        id: topologyId,
        expectedRevision: z.number().int().min(0),
        document: topologySchema,
        message: z.string().max(1024).default(""),
      }),
    )
    .mutation(({ ctx, input }) => service(ctx).save({ ...input, author: author(ctx) })),
});
