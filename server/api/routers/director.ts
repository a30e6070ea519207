import { z } from "zod";
import { DirectorService } from "../../services/directorService.ts";
import { TopologyService } from "../../services/topologyService.ts";
import { audited } from "../audited.ts";
import { PROTOCOL_VERSION } from "../../../lvs/protocol/agent.ts";
import { authedProcedure, router, type Context } from "../trpc.ts";

const id = z.string().min(1).max(64);
const service = (ctx: Context) => new DirectorService({ prisma: ctx.db.prisma, bus: ctx.bus, log: ctx.log, now: ctx.now });

export const directorRouter = router({
  /** directors with online / lastSeen / appliedRevision */
  list: authedProcedure("director.read").input(z.object({ topologyId: id.optional() }).default({})).query(({ ctx, input }) => service(ctx).list(input.topologyId)),
  /** what the enroll dialog's command needs: the configured public URL and the agent build this console serves */
  install: authedProcedure("director.read").query(({ ctx }) => ({
    publicUrl: ctx.install?.publicUrl ?? null,
    agent: ctx.install?.release() ?? null,
    protocolVersion: PROTOCOL_VERSION,
  })),
  /** enroll: the token is in this response only (never in the audit log) */
  create: authedProcedure("director.admin")
    .input(z.object({ topologyId: id, key: id, name: z.string().trim().min(1).max(128).optional() }))
    .mutation(({ ctx, input }) =>
      audited(ctx, "director.enroll", `topology:${input.topologyId}/director:${input.key}`, () => service(ctx).create(input), (r) => ({ directorId: r.director.id, name: r.director.name }))),
  /** removes the director from the topology (new revision) and deletes its row and agent token; confirmed in the UI */
  remove: authedProcedure("director.admin")
    .input(z.object({ topologyId: id, key: id, expectedRevision: z.number().int().min(0) }))
    .mutation(({ ctx, input }) =>
      audited(ctx, "director.remove", `topology:${input.topologyId}/director:${input.key}`,
        () => new TopologyService({ prisma: ctx.db.prisma, bus: ctx.bus, log: ctx.log, now: ctx.now })
          .removeDirector({ id: input.topologyId, key: input.key, expectedRevision: input.expectedRevision, author: ctx.session?.email ?? null }),
        (r) => ({ name: r.name, revision: r.revision }))),
  rotateToken: authedProcedure("token.admin")
    .input(z.object({ id }))
    .mutation(({ ctx, input }) => audited(ctx, "director.rotateToken", `director:${input.id}`, () => service(ctx).rotate(input.id), (r) => ({ key: r.director.key, name: r.director.name }))),
  revokeToken: authedProcedure("token.admin")
    .input(z.object({ id }))
    .mutation(({ ctx, input }) => audited(ctx, "director.revokeToken", `director:${input.id}`, () => service(ctx).revoke(input.id), (r) => ({ key: r.key, name: r.name }))),
});
