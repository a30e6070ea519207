/**
 * Real servers' agents: list (with each one's latest checks), enroll (token shown once, admin),
 * revoke (admin) and prepare (operator: the agent applies its host settings now; audited).
 */
import { z } from "zod";
import { RealServerAgentService } from "../../services/realServerAgentService.ts";
import { audited } from "../audited.ts";
import { authedProcedure, router, type Context } from "../trpc.ts";

const id = z.string().min(1).max(64);
const service = (ctx: Context) => new RealServerAgentService({ prisma: ctx.db.prisma, bus: ctx.bus, log: ctx.log, now: ctx.now });

export const realServerRouter = router({
  agents: authedProcedure("topology.read").input(z.object({ topologyId: id })).query(({ ctx, input }) => service(ctx).list(input.topologyId)),
  /** the token is in this response only (never in the audit log) */
  enroll: authedProcedure("director.admin")
    .input(z.object({ topologyId: id, key: id }))
    .mutation(({ ctx, input }) =>
      audited(ctx, "realServer.enroll", `topology:${input.topologyId}/realServer:${input.key}`, () => service(ctx).enroll(input), (r) => ({ agentId: r.agent.id, name: r.agent.name }))),
  revokeToken: authedProcedure("token.admin")
    .input(z.object({ id }))
    .mutation(({ ctx, input }) => audited(ctx, "realServer.revokeToken", `realServerAgent:${input.id}`, () => service(ctx).revoke(input.id), (r) => ({ key: r.realServerKey, name: r.name }))),
  prepare: authedProcedure("realServer.prepare")
    .input(z.object({ id }))
    .mutation(({ ctx, input }) =>
      audited(ctx, "realServer.prepare", `realServerAgent:${input.id}`, () => service(ctx).prepare(input.id), (r) => ({
        requestId: r.requestId,
        answered: r.report !== null,
        failing: r.report ? r.report.checks.filter((c) => !c.ok).map((c) => c.id).slice(0, 20) : [],
        changes: r.report ? r.report.changes.slice(0, 20) : [],
        errors: r.report ? r.report.errors.slice(0, 20) : [],
      }))),
});
