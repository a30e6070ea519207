/**
 * The desired-state service, created ONCE at start-up (startServer) and shared by the agent hub (what
 * to push) and the live runtime (which targets are health-checked): it owns compilation and its cache.
 * desiredFor(directorId): the state the control plane wants one director's agent to run.
 * Saving is not applying: it is the revision an operator APPLIED to that director
 * (Director.targetRevision, set by applyRevision in server/services/deploy/applyRevision.ts), compiled
 * for the director's key from the stored snapshot (TopologyRevision). A director that was never
 * applied, or that is not in its target revision, gets nothing: its agent keeps its last table.
 * Compiled results are cached per (topology, revision, director key).
 */
import type { PrismaClient } from "../../generated/prisma/client.ts";
import { compileDirector } from "../../lvs/compile.ts";
import { healthPlan } from "../../lvs/healthPlan.ts";
import type { Topology } from "../../lvs/model.ts";
import { upgradeTopology } from "../../lvs/upgradeTopology.ts";
import { desiredHaFor } from "../../lvs/ha/haGroups.ts";
import { directorPrerequisites } from "../../lvs/realServer/directorPrerequisites.ts";
import type { DesiredState } from "../../lvs/protocol/agent.ts";

export type { DesiredState };

export interface DesiredStateService {
  desiredFor(directorId: string): Promise<DesiredState | null>;
}

/** The stored snapshot of one revision, or null. */
export async function loadRevisionDocument(prisma: PrismaClient, topologyId: string, revision: number): Promise<Topology | null> {
  const r = await prisma.topologyRevision.findUnique({ where: { topologyId_revision: { topologyId, revision } }, select: { snapshot: true } });
  return r ? upgradeTopology(r.snapshot as unknown as Topology) : null;
}

export function createDesiredState(prisma: PrismaClient): DesiredStateService {
  const cache = new Map<string, DesiredState>();
  return { desiredFor };
  async function desiredFor(directorId: string): Promise<DesiredState | null> {
    const d = await prisma.director.findUnique({ where: { id: directorId }, select: { topologyId: true, key: true, targetRevision: true } });
    if (!d || d.targetRevision == null) return null;
    const cacheKey = `${d.topologyId}\u0000${d.targetRevision}\u0000${d.key}`;
    const hit = cache.get(cacheKey);
    // a planned switchover is not a revision: the maintenance flag is read on every push
    const inMaintenance = async (state: DesiredState): Promise<DesiredState> => {
      if (!state.ha) return state;
      const open = await prisma.haMaintenance.findFirst({ where: { directorId, endedAt: null }, select: { id: true } });
      return open ? { ...state, ha: { ...state.ha, maintenance: true } } : state;
    };
    if (hit) return inMaintenance(hit);
    const document = await loadRevisionDocument(prisma, d.topologyId, d.targetRevision);
    if (!document || !document.directors.some((x) => x.id === d.key)) return null;
    const table = compileDirector(document, d.key);
    const state: DesiredState = {
      revision: d.targetRevision, table, health: healthPlan(document, d.key, table), ha: desiredHaFor(document, d.key),
      prerequisites: directorPrerequisites(document, d.key),
    };
    if (cache.size > 256) cache.delete(cache.keys().next().value!);
    cache.set(cacheKey, state);
    return inMaintenance(state);
  }
}
