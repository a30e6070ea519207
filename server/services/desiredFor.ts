/**
 * desiredFor(directorId): the state the control plane wants one director's agent to run.
 * Today: the topology's latest SAVED revision (Topology.document / Topology.revision), compiled for
 * the director's key. The change-management work (issue 8) switches the source to the latest
 * APPLIED revision by replacing `loadRevision` — nothing else needs to change.
 * Compiled results are cached per (topology, revision, director key).
 */
import type { PrismaClient } from "../../generated/prisma/client.ts";
import { compileDirector } from "../../lvs/compile.ts";
import { healthPlan } from "../../lvs/healthPlan.ts";
import type { Topology } from "../../lvs/model.ts";
import type { DesiredState } from "../realtime/agentHub.ts";

export interface RevisionSource {
  /** the topology document and its revision number that directors should run, or null */
  loadRevision(topologyId: string): Promise<{ revision: number; document: Topology } | null>;
}

export function latestSavedRevision(prisma: PrismaClient): RevisionSource {
  return {
    async loadRevision(topologyId) {
      const t = await prisma.topology.findUnique({ where: { id: topologyId }, select: { revision: true, document: true } });
      return t ? { revision: t.revision, document: t.document as unknown as Topology } : null;
    },
  };
}

export function createDesiredFor(prisma: PrismaClient, source: RevisionSource = latestSavedRevision(prisma)) {
  const cache = new Map<string, DesiredState>();
  return async function desiredFor(directorId: string): Promise<DesiredState | null> {
    const d = await prisma.director.findUnique({ where: { id: directorId }, select: { topologyId: true, key: true } });
    if (!d) return null;
    const rev = await source.loadRevision(d.topologyId);
    if (!rev) return null;
    const cacheKey = `${d.topologyId}\u0000${rev.revision}\u0000${d.key}`;
    const hit = cache.get(cacheKey);
    if (hit) return hit;
    // a director no longer in the document gets nothing new: its agent keeps its last table
    if (!rev.document.directors.some((x) => x.id === d.key)) return null;
    const table = compileDirector(rev.document, d.key);
    const state: DesiredState = { revision: rev.revision, table, health: healthPlan(rev.document, d.key, table) };
    if (cache.size > 256) cache.delete(cache.keys().next().value!);
    cache.set(cacheKey, state);
    return state;
  };
}
