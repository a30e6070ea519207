import { z } from "zod";
import { diffTopologies, renderChange } from "../../../lvs/diff.ts";
import type { Topology } from "../../../lvs/model.ts";
import { topologySchema } from "../../../lvs/schemas.ts";
import { TopologyService } from "../../services/topologyService.ts";
import { audited } from "../audited.ts";
import { authedProcedure, router, type Context } from "../trpc.ts";
import { can } from "../../../lvs/auth/permissions.ts";

const topologyId = z.string().min(1).max(64);
const service = (ctx: Context) => new TopologyService({ prisma: ctx.db.prisma, bus: ctx.bus, log: ctx.log, now: ctx.now });
const author = (ctx: Context) => ctx.session?.email ?? null;
/** the audit log keeps at most this many change lines per save (and says how many there were) */
const MAX_AUDIT_LINES = 200;

/** "what changed" for the audit log: the readable diff (services, real servers, weights), not raw JSON */
function changeLines(before: Topology | null, after: Topology): { changes: string[]; changeCount: number } {
  const all = before ? diffTopologies(before, after) : [];
  return { changes: all.slice(0, MAX_AUDIT_LINES).map(renderChange), changeCount: all.length };
}

export const topologyRouter = router({
  list: authedProcedure("topology.read").query(({ ctx }) => service(ctx).list()),

  get: authedProcedure("topology.read").input(z.object({ id: topologyId })).query(({ ctx, input }) => service(ctx).get(input.id)),

  create: authedProcedure("topology.create")
    .input(z.object({ name: z.string().trim().min(1, "name is required").max(128, "name is at most 128 characters") }))
    .mutation(({ ctx, input }) =>
      audited(ctx, "topology.create", `topology:${input.name}`, () => service(ctx).create(input.name, author(ctx)), (t) => ({ id: t.id, revision: t.revision }))),

  save: authedProcedure("topology.save")
    .input(
      z.object({
        id: topologyId,
        expectedRevision: z.number().int().min(0),
        document: topologySchema,
        message: z.string().max(1024).default(""),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const before = await service(ctx).get(input.id).then((t) => t.document, () => null);
      const mayChangeExecChecks = can(ctx.session?.role, "healthCheck.exec");
      return audited(ctx, "topology.save", `topology:${input.id}`, () => service(ctx).save({ ...input, author: author(ctx), mayChangeExecChecks }), (saved) => ({
        revision: { from: input.expectedRevision, to: saved.revision },
        message: input.message,
        ...changeLines(before, input.document),
      }));
    }),
});
