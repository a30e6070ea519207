/** Revision history (author, time, message, which directors run it) and a readable diff between any two. */
import { diffTopologies, renderChange, type Change } from "../../../lvs/diff.ts";
import { loadRevisionDocument } from "../desiredState.ts";
import { refuse } from "../ServiceError.ts";
import type { DeployDeps } from "./types.ts";

export interface RevisionSummary {
  revision: number;
  author: string | null;
  message: string;
  createdAt: Date;
  /** names of the directors whose agent reports running this revision / that an operator applied it to */
  appliedOn: string[];
  targetOf: string[];
}

export async function listRevisions(deps: DeployDeps, topologyId: string, o: { limit?: number; before?: number } = {}): Promise<RevisionSummary[]> {
  const prisma = deps.db.prisma;
  const rows = await prisma.topologyRevision.findMany({
    where: { topologyId, ...(o.before ? { revision: { lt: o.before } } : {}) },
    select: { revision: true, author: true, message: true, createdAt: true },
    orderBy: { revision: "desc" }, take: o.limit ?? 50,
  });
  const directors = await prisma.director.findMany({ where: { topologyId }, select: { name: true, appliedRevision: true, targetRevision: true }, orderBy: { name: "asc" } });
  return rows.map((r) => ({
    ...r,
    appliedOn: directors.filter((d) => d.appliedRevision === r.revision).map((d) => d.name),
    targetOf: directors.filter((d) => d.targetRevision === r.revision).map((d) => d.name),
  }));
}

export interface RevisionDiff {
  from: number;
  to: number;
  changes: Change[];
  /** one line per change ("~ TCP 10.0.0.1:80 -> 10.0.1.2:8080: weight 1 → 3") */
  lines: string[];
}

export async function diffRevisions(deps: DeployDeps, topologyId: string, from: number, to: number): Promise<RevisionDiff> {
  const [a, b] = await Promise.all([loadRevisionDocument(deps.db.prisma, topologyId, from), loadRevisionDocument(deps.db.prisma, topologyId, to)]);
  if (!a) throw refuse("NOT_FOUND", "topology.no-revision", { id: topologyId, revision: from }, [{ path: "from", message: `no revision ${from}` }]);
  if (!b) throw refuse("NOT_FOUND", "topology.no-revision", { id: topologyId, revision: to }, [{ path: "to", message: `no revision ${to}` }]);
  const changes = diffTopologies(a, b);
  return { from, to, changes, lines: changes.map(renderChange) };
}
