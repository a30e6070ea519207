/**
 * Drift: a director whose reported table (last hello/ack) or latest statistics differ from the
 * revision it applied, beyond what its health checks explain (lvs/deployPlan detectDrift). The
 * remedies: re-apply (a forced rollout of the applied revision to that director) or import the
 * director's actual table as a new revision (lvs/importActual), which is then planned and applied
 * like any other.
 */
import { randomUUID } from "node:crypto";
import { compileDirector } from "../../../lvs/compile.ts";
import { actualTable, detectDrift, type ObservedTable, type PlannedOp } from "../../../lvs/deployPlan.ts";
import { healthPlan } from "../../../lvs/healthPlan.ts";
import { importActualTable } from "../../../lvs/importActual.ts";
import type { IpvsTable, Topology } from "../../../lvs/model.ts";
import { auditError, withAudit } from "../audit.ts";
import { loadRevisionDocument } from "../desiredState.ts";
import { refuse } from "../ServiceError.ts";
import { TopologyService } from "../topologyService.ts";
import type { AuditActor, DeployDeps } from "./types.ts";

export interface DirectorDrift {
  directorId: string;
  key: string;
  name: string;
  online: boolean;
  appliedRevision: number | null;
  targetRevision: number | null;
  reportedAt: Date | null;
  observedAt: Date | null;
  /** the agent does not run its target revision (still applying, failed, or offline) */
  behind: boolean;
  drifted: boolean;
  /** what re-applying would run against the reported table */
  ops: PlannedOp[];
  /** differences seen in the latest statistics */
  observed: string[];
}

/** statistics count only when they are newer than the report (older ones may predate the apply) */
function fresherObserved(r: { observed: unknown; observedAt: Date | null; reportedAt: Date | null }): ObservedTable | null {
  return r.observed && r.observedAt && (!r.reportedAt || r.observedAt > r.reportedAt) ? (r.observed as ObservedTable) : null;
}

export async function driftOf(deps: DeployDeps, topologyId: string): Promise<DirectorDrift[]> {
  const prisma = deps.db.prisma;
  const rows = await prisma.director.findMany({ where: { topologyId }, orderBy: { key: "asc" } });
  const docs = new Map<number, Topology | null>();
  const out: DirectorDrift[] = [];
  for (const r of rows) {
    const base = {
      directorId: r.id, key: r.key, name: r.name, online: r.online, appliedRevision: r.appliedRevision, targetRevision: r.targetRevision,
      reportedAt: r.reportedAt, observedAt: r.observedAt, behind: r.targetRevision != null && r.appliedRevision !== r.targetRevision,
    };
    const rev = r.appliedRevision;
    if (rev == null) {
      out.push({ ...base, drifted: false, ops: [], observed: [] });
      continue;
    }
    if (!docs.has(rev)) docs.set(rev, await loadRevisionDocument(prisma, topologyId, rev));
    const doc = docs.get(rev);
    if (!doc || !doc.directors.some((d) => d.id === r.key)) {
      out.push({ ...base, drifted: false, ops: [], observed: [] });
      continue;
    }
    const desired = compileDirector(doc, r.key);
    const observed = fresherObserved(r);
    const d = detectDrift((r.reportedTable as IpvsTable | null) ?? null, desired, healthPlan(doc, r.key, desired), observed);
    out.push({ ...base, drifted: d.ops.length > 0 || d.observed.length > 0, ops: d.ops, observed: d.observed });
  }
  return out;
}

/** Saves the director's actual table (its last report, corrected by newer statistics) as a new revision. */
export async function importActual(deps: DeployDeps, input: { topologyId: string; directorKey: string; actor: AuditActor }): Promise<{ revision: number }> {
  return withAudit(deps.db, input.actor, { action: "deploy.importActual", target: `topology:${input.topologyId}` }, () => saveActual(deps, input),
    (r) => ({ director: input.directorKey, revision: r.revision }), (err) => ({ director: input.directorKey, ...auditError(err) }));
}

async function saveActual(deps: DeployDeps, input: { topologyId: string; directorKey: string; actor: AuditActor }): Promise<{ revision: number }> {
  const prisma = deps.db.prisma;
  const row = await prisma.director.findUnique({ where: { topologyId_key: { topologyId: input.topologyId, key: input.directorKey } } });
  if (!row) throw refuse("NOT_FOUND", "director.no-key", { key: input.directorKey, id: input.topologyId }, [{ path: "directorKey", message: "no such director" }]);
  if (!row.reportedTable) throw refuse("CONFLICT", "director.no-table", { name: row.name });
  const topo = new TopologyService({ prisma, bus: deps.bus, log: deps.log, ...(deps.now ? { now: deps.now } : {}) });
  const current = await topo.get(input.topologyId);
  const actual = actualTable(row.reportedTable as unknown as IpvsTable, fresherObserved(row));
  const next = importActualTable(current.document, row.key, actual, (kind) => `${kind}-${randomUUID().slice(0, 8)}`);
  const message = `import the actual table of director ${row.name}`;
  const saved = await topo.save({ id: input.topologyId, expectedRevision: current.revision, document: next, message, author: input.actor.actor });
  return { revision: saved.revision };
}
