/**
 * A VRRP transition from the live socket (`ha.changed` with `to`), applied to the HA overview the
 * panel shows, before the panel re-reads it: the director's state and since, who is MASTER, split
 * brain. Pure; the overview's shape is ha.overview's (server/services/ha/haService.ts).
 */
import type { VrrpState } from "@/lvs/protocol/ha.ts";

interface Member { directorId: string | null; key: string; state: VrrpState; since: number | null }
interface Group<M extends Member> { id: string; members: M[]; masters: string[]; masterSince: number | null; splitBrain: boolean }

export function applyHaTransition<M extends Member, G extends Group<M>>(
  groups: readonly G[], e: { directorId: string; groupId?: string; to?: VrrpState; at: number },
): G[] {
  if (!e.to || !e.groupId) return [...groups];
  return groups.map((g) => {
    if (g.id !== e.groupId || !g.members.some((m) => m.directorId === e.directorId)) return g;
    const members = g.members.map((m) => (m.directorId === e.directorId ? { ...m, state: e.to!, since: e.at } : m));
    const masters = members.filter((m) => m.state === "MASTER").map((m) => m.key);
    const master = members.find((m) => m.state === "MASTER");
    return { ...g, members, masters, masterSince: master?.since ?? null, splitBrain: masters.length >= 2 };
  });
}
