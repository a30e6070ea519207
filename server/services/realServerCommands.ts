/**
 * The real-server agent use cases a procedure calls: enroll, revoke and prepare, each audited once
 * (withAudit). Tokens never reach the audit log.
 */
import { withAudit, type AuditActor } from "./audit.ts";
import type { DeployDeps } from "./deploy/types.ts";
import { RealServerAgentService, type RealServerAgentSummary } from "./realServerAgentService.ts";

export const realServerAgentService = (deps: DeployDeps): RealServerAgentService =>
  new RealServerAgentService({ prisma: deps.db.prisma, bus: deps.bus, log: deps.log, ...(deps.now ? { now: deps.now } : {}) });

export function enrollRealServer(deps: DeployDeps, input: { topologyId: string; key: string; actor: AuditActor }): Promise<{ agent: RealServerAgentSummary; token: string }> {
  return withAudit(deps.db, input.actor, { action: "realServer.enroll", target: `topology:${input.topologyId}/realServer:${input.key}` },
    () => realServerAgentService(deps).enroll({ topologyId: input.topologyId, key: input.key }), (r) => ({ agentId: r.agent.id, name: r.agent.name }));
}

export function revokeRealServerToken(deps: DeployDeps, input: { id: string; actor: AuditActor }): Promise<RealServerAgentSummary> {
  return withAudit(deps.db, input.actor, { action: "realServer.revokeToken", target: `realServerAgent:${input.id}` },
    () => realServerAgentService(deps).revoke(input.id), (r) => ({ key: r.realServerKey, name: r.name }));
}

/** The agent applies its host settings now; the audit row says what failed or changed. */
export function prepareRealServer(deps: DeployDeps, input: { id: string; actor: AuditActor }) {
  return withAudit(deps.db, input.actor, { action: "realServer.prepare", target: `realServerAgent:${input.id}` },
    () => realServerAgentService(deps).prepare(input.id), (r) => ({
      requestId: r.requestId,
      answered: r.report !== null,
      failing: r.report ? r.report.checks.filter((c) => !c.ok).map((c) => c.id).slice(0, 20) : [],
      changes: r.report ? r.report.changes.slice(0, 20) : [],
      errors: r.report ? r.report.errors.slice(0, 20) : [],
    }));
}
