/**
 * Plan: per director, the exact ipvsadm operations applying a revision would run against the table
 * its agent last reported (lvs/deployPlan), with deletions and connection-dropping operations marked,
 * and the readable diff from the revision the director currently runs. Nothing is changed; the plan
 * is audited ("deploy.plan").
 */
import { compileDirector } from "../../../lvs/compile.ts";
import { diffTopologies, renderChange, type Change } from "../../../lvs/diff.ts";
import { planDirector, type ObservedTable, type PlannedOp } from "../../../lvs/deployPlan.ts";
import type { IpvsTable } from "../../../lvs/model.ts";
import { auditError, withAudit } from "../audit.ts";
import { loadRevisionDocument } from "../desiredState.ts";
import { resolveRevision } from "./applyRevision.ts";
import type { AuditActor, DeployDeps } from "./types.ts";

export interface DirectorPlan {
  directorId: string | null;
  key: string;
  name: string;
  online: boolean;
  /** what the agent last reported running, and when */
  appliedRevision: number | null;
  targetRevision: number | null;
  reportedAt: Date | null;
  /** "reported": planned against the agent's last report; "none": no report yet (planned from an empty table) */
  basis: "reported" | "none";
  ops: PlannedOp[];
  /** the ops as one `ipvsadm -R` batch */
  batch: string;
  /** readable diff from the director's target revision (null: never applied) to this revision */
  diffFrom: number | null;
  changes: Change[];
  /** the changes, one readable line each */
  changeLines: string[];
}

export interface RevisionPlan {
  topologyId: string;
  revision: number;
  directors: DirectorPlan[];
  totals: { ops: number; deletions: number; dropsConnections: number };
}

/** Plans `revision` (default the latest); audited once as deploy.plan, success or failure. */
export function planRevision(deps: DeployDeps, input: { topologyId: string; revision?: number; actor: AuditActor }): Promise<RevisionPlan> {
  return withAudit(deps.db, input.actor, { action: "deploy.plan", target: `topology:${input.topologyId}` }, () => buildPlan(deps, input),
    (plan) => ({ revision: plan.revision, totals: plan.totals, directors: plan.directors.map((d) => ({ key: d.key, ops: d.ops.map((o) => o.command) })) }),
    (err) => ({ revision: input.revision ?? null, ...auditError(err) }));
}

async function buildPlan(deps: DeployDeps, input: { topologyId: string; revision?: number }): Promise<RevisionPlan> {
  const prisma = deps.db.prisma;
  const { revision, document } = await resolveRevision(deps, input.topologyId, input.revision);
  const rows = await prisma.director.findMany({ where: { topologyId: input.topologyId } });
  const byKey = new Map(rows.map((r) => [r.key, r]));
  const docs = new Map<number, Awaited<ReturnType<typeof loadRevisionDocument>>>();
  const directors: DirectorPlan[] = [];
  for (const d of document.directors) {
    const row = byKey.get(d.id);
    const reported = (row?.reportedTable as IpvsTable | null | undefined) ?? null;
    const observed = (row?.observed as ObservedTable | null | undefined) ?? null;
    const ops = planDirector(reported ?? { services: [] }, compileDirector(document, d.id), observed);
    const from = row?.targetRevision ?? null;
    let changes: Change[] = [];
    if (from != null && from !== revision) {
      if (!docs.has(from)) docs.set(from, await loadRevisionDocument(prisma, input.topologyId, from));
      const before = docs.get(from);
      if (before) changes = diffTopologies(before, document);
    }
    directors.push({
      directorId: row?.id ?? null, key: d.id, name: d.name, online: row?.online ?? false,
      appliedRevision: row?.appliedRevision ?? null, targetRevision: from, reportedAt: row?.reportedAt ?? null,
      basis: reported ? "reported" : "none", ops, batch: ops.map((o) => o.command.replace(/^ipvsadm /, "")).join("\n"),
      diffFrom: from, changes, changeLines: changes.map(renderChange),
    });
  }
  const all = directors.flatMap((d) => d.ops);
  const result: RevisionPlan = {
    topologyId: input.topologyId, revision, directors,
    totals: { ops: all.length, deletions: all.filter((o) => o.risk !== "none").length, dropsConnections: all.filter((o) => o.risk === "drops-connections").length },
  };
  return result;
}
