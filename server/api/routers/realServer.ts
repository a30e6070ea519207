/**
 * Real servers' agents: list (with each one's latest checks), enroll (token shown once, admin),
 * revoke (admin) and prepare (operator: the agent applies its host settings now; audited).
 */
import { z } from "zod";
import { enrollRealServer, prepareRealServer, realServerAgentService, revokeRealServerToken } from "../../services/realServerCommands.ts";
import { auditActor, authedProcedure, router, serviceDeps } from "../trpc.ts";

const id = z.string().min(1).max(64);

export const realServerRouter = router({
  agents: authedProcedure("topology.read").input(z.object({ topologyId: id })).query(({ ctx, input }) => realServerAgentService(serviceDeps(ctx)).list(input.topologyId)),
  /** the token is in this response only (never in the audit log) */
  enroll: authedProcedure("director.admin")
    .input(z.object({ topologyId: id, key: id }))
    .mutation(({ ctx, input }) => enrollRealServer(serviceDeps(ctx), { ...input, actor: auditActor(ctx) })),
  revokeToken: authedProcedure("token.admin")
    .input(z.object({ id }))
    .mutation(({ ctx, input }) => revokeRealServerToken(serviceDeps(ctx), { id: input.id, actor: auditActor(ctx) })),
  prepare: authedProcedure("realServer.prepare")
    .input(z.object({ id }))
    .mutation(({ ctx, input }) => prepareRealServer(serviceDeps(ctx), { id: input.id, actor: auditActor(ctx) })),
});
