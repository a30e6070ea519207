import { z } from "zod";
import { directorService, enrollDirector, removeDirector, revokeDirectorToken, rotateDirectorToken } from "../../services/directorCommands.ts";
import { PROTOCOL_VERSION } from "../../../lvs/protocol/agent.ts";
import { auditActor, authedProcedure, router, serviceDeps } from "../trpc.ts";

const id = z.string().min(1).max(64);

export const directorRouter = router({
  /** directors with online / lastSeen / appliedRevision */
  list: authedProcedure("director.read").input(z.object({ topologyId: id.optional() }).default({})).query(({ ctx, input }) => directorService(serviceDeps(ctx)).list(input.topologyId)),
  /** what the enroll dialog's command needs: the configured public URL and the agent build this console serves */
  install: authedProcedure("director.read").query(({ ctx }) => ({
    publicUrl: ctx.install?.publicUrl ?? null,
    agent: ctx.install?.release() ?? null,
    protocolVersion: PROTOCOL_VERSION,
  })),
  /** enroll: the token is in this response only (never in the audit log) */
  create: authedProcedure("director.admin")
    .input(z.object({ topologyId: id, key: id, name: z.string().trim().min(1).max(128).optional() }))
    .mutation(({ ctx, input }) => enrollDirector(serviceDeps(ctx), { ...input, actor: auditActor(ctx) })),
  /** removes the director from the topology (new revision) and deletes its row and agent token; confirmed in the UI */
  remove: authedProcedure("director.admin")
    .input(z.object({ topologyId: id, key: id, expectedRevision: z.number().int().min(0) }))
    .mutation(({ ctx, input }) => removeDirector(serviceDeps(ctx), { ...input, actor: auditActor(ctx) })),
  rotateToken: authedProcedure("token.admin")
    .input(z.object({ id }))
    .mutation(({ ctx, input }) => rotateDirectorToken(serviceDeps(ctx), { id: input.id, actor: auditActor(ctx) })),
  revokeToken: authedProcedure("token.admin")
    .input(z.object({ id }))
    .mutation(({ ctx, input }) => revokeDirectorToken(serviceDeps(ctx), { id: input.id, actor: auditActor(ctx) })),
});
