/**
 * The topology use cases a procedure calls: create and save, each audited once (withAudit) with a
 * readable diff of what changed. TopologyService stays the un-audited building block other use cases
 * (drain, import actual, director removal) save through under their own audit action.
 */
import { diffTopologies, renderChange } from "../../lvs/diff.ts";
import type { Topology } from "../../lvs/model.ts";
import type { AuditActor } from "./audit.ts";
import { withAudit } from "./audit.ts";
import type { DeployDeps } from "./deploy/types.ts";
import { TopologyService, type SaveTopologyInput, type StoredTopology, type TopologySummary } from "./topologyService.ts";

/** the audit log keeps at most this many change lines per save (and says how many there were) */
const MAX_AUDIT_LINES = 200;

export const topologyService = (deps: DeployDeps): TopologyService =>
  new TopologyService({ prisma: deps.db.prisma, bus: deps.bus, log: deps.log, ...(deps.now ? { now: deps.now } : {}) });

/** "what changed" for the audit log: the readable diff (services, real servers, weights), not raw JSON */
function changeLines(before: Topology | null, after: Topology): { changes: string[]; changeCount: number } {
  const all = before ? diffTopologies(before, after) : [];
  return { changes: all.slice(0, MAX_AUDIT_LINES).map(renderChange), changeCount: all.length };
}

export function createTopology(deps: DeployDeps, input: { name: string; actor: AuditActor }): Promise<StoredTopology> {
  return withAudit(deps.db, input.actor, { action: "topology.create", target: `topology:${input.name}` },
    () => topologyService(deps).create(input.name, input.actor.actor), (t) => ({ id: t.id, revision: t.revision }));
}

export async function saveTopology(deps: DeployDeps, input: Omit<SaveTopologyInput, "author" | "removeEnrolled"> & { actor: AuditActor }): Promise<TopologySummary> {
  const service = topologyService(deps);
  const before = await service.get(input.id).then((t) => t.document, () => null);
  const { actor, ...save } = input;
  return withAudit(deps.db, actor, { action: "topology.save", target: `topology:${input.id}` },
    () => service.save({ ...save, author: actor.actor }),
    (saved) => ({ revision: { from: input.expectedRevision, to: saved.revision }, message: input.message, ...changeLines(before, input.document) }));
}
