import { z } from "zod";
import { topologySchema } from "../../../lvs/schemas.ts";
import { createTopology, saveTopology, topologyService } from "../../services/topologyCommands.ts";
import { auditActor, authedProcedure, router, serviceDeps } from "../trpc.ts";
import { can } from "../../../lvs/auth/permissions.ts";
import { packTopology } from "../../../lvs/packedTopology.ts";

const topologyId = z.string().min(1).max(64);

export const topologyRouter = router({
  list: authedProcedure("topology.read").query(({ ctx }) => topologyService(serviceDeps(ctx)).list()),

  get: authedProcedure("topology.read").input(z.object({ id: topologyId })).query(({ ctx, input }) => topologyService(serviceDeps(ctx)).get(input.id)),

  /**
   * topology.get for the editor's open: the same stored topology with the document packed by column
   * (lvs/packedTopology.ts: ~1/3 of the JSON at 10 000 services; the browser unpacks it to the same document).
   */
  open: authedProcedure("topology.read").input(z.object({ id: topologyId })).query(async ({ ctx, input }) => {
    const { document, ...stored } = await topologyService(serviceDeps(ctx)).get(input.id);
    return { ...stored, packed: packTopology(document) };
  }),

  create: authedProcedure("topology.create")
    .input(z.object({ name: z.string().trim().min(1, "name is required").max(128, "name is at most 128 characters") }))
    .mutation(({ ctx, input }) => createTopology(serviceDeps(ctx), { name: input.name, actor: auditActor(ctx) })),

  save: authedProcedure("topology.save")
    .input(
      z.object({
        id: topologyId,
        expectedRevision: z.number().int().min(0),
        document: topologySchema,
        message: z.string().max(1024).default(""),
      }),
    )
    .mutation(({ ctx, input }) =>
      saveTopology(serviceDeps(ctx), { ...input, mayChangeExecChecks: can(ctx.session.role, "healthCheck.exec"), actor: auditActor(ctx) })),
});
