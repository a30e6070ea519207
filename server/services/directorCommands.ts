/**
 * The director use cases a procedure calls: enroll, remove, rotate and revoke the agent token, each
 * audited once (withAudit). Tokens never reach the audit log.
 */
import { withAudit, type AuditActor } from "./audit.ts";
import type { DeployDeps } from "./deploy/types.ts";
import { DirectorService, type DirectorSummary } from "./directorService.ts";
import { topologyService } from "./topologyCommands.ts";
import type { TopologySummary } from "./topologyService.ts";

export const directorService = (deps: DeployDeps): DirectorService =>
  new DirectorService({ prisma: deps.db.prisma, bus: deps.bus, log: deps.log, ...(deps.now ? { now: deps.now } : {}) });

export function enrollDirector(deps: DeployDeps, input: { topologyId: string; key: string; name?: string; actor: AuditActor }): Promise<{ director: DirectorSummary; token: string }> {
  const { actor, ...enroll } = input;
  return withAudit(deps.db, actor, { action: "director.enroll", target: `topology:${input.topologyId}/director:${input.key}` },
    () => directorService(deps).create(enroll), (r) => ({ directorId: r.director.id, name: r.director.name }));
}

/** Removes the director from the topology (a new revision) and deletes its row and agent token. */
export function removeDirector(deps: DeployDeps, input: { topologyId: string; key: string; expectedRevision: number; actor: AuditActor }): Promise<TopologySummary & { name: string }> {
  return withAudit(deps.db, input.actor, { action: "director.remove", target: `topology:${input.topologyId}/director:${input.key}` },
    () => topologyService(deps).removeDirector({ id: input.topologyId, key: input.key, expectedRevision: input.expectedRevision, author: input.actor.actor }),
    (r) => ({ name: r.name, revision: r.revision }));
}

export function rotateDirectorToken(deps: DeployDeps, input: { id: string; actor: AuditActor }): Promise<{ director: DirectorSummary; token: string }> {
  return withAudit(deps.db, input.actor, { action: "director.rotateToken", target: `director:${input.id}` },
    () => directorService(deps).rotate(input.id), (r) => ({ key: r.director.key, name: r.director.name }));
}

export function revokeDirectorToken(deps: DeployDeps, input: { id: string; actor: AuditActor }): Promise<DirectorSummary> {
  return withAudit(deps.db, input.actor, { action: "director.revokeToken", target: `director:${input.id}` },
    () => directorService(deps).revoke(input.id), (r) => ({ key: r.key, name: r.name }));
}
