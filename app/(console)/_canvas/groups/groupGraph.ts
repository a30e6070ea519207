/**
 * The grouped canvas for big clusters (thousands of services): what React Flow draws instead of one
 * node per object. Pure and unit-tested; O(nodes + edges) per call.
 *
 *   director ──▶ service group (the services placed on exactly that set of directors: one director,
 *                an HA pair, or none) ──▶ service ──▶ pool (its real servers, with counts) ──▶ real server
 *
 * Collapsed by default: a service group is one node with counts; expanded it shows its services (at
 * most GROUP_PAGE of them, plus any pinned by search), each with a collapsed pool; an expanded pool
 * shows its real servers joined by the real membership edges (same ids as in the document, so
 * selection, the inspector and live overlays work unchanged). Positions come from a column layout.
 */
import type { Edge, Node } from "@xyflow/react";
import type { Membership } from "@/lvs/model.ts";
import type { DirectorNode, EditorEdge, EditorNode, MembershipEdge, RealServerNode, ServiceNode } from "../graph.ts";

export const GROUP_PAGE = 100;

export interface MembershipCounts {
  active: number;
  draining: number;
  disabled: number;
}

export type ServiceGroupNode = Node<{
  groupId: string;
  directorIds: string[];
  /** all services of the group, in document order */
  serviceIds: string[];
  /** how many of them are drawn (expanded) */
  shown: number;
  realServers: number;
  memberships: MembershipCounts;
  expanded: boolean;
}, "serviceGroup">;

export type PoolNode = Node<{
  poolId: string;
  serviceId: string;
  membershipIds: string[];
  realServerIds: string[];
  memberships: MembershipCounts;
  expanded: boolean;
}, "pool">;

export type GroupLinkEdge = Edge<Record<string, never>, "groupLink">;
export type CanvasNode = EditorNode | ServiceGroupNode | PoolNode;
export type CanvasEdge = EditorEdge | GroupLinkEdge;

export interface GroupView {
  /** ids of expanded service groups and pools */
  expanded: ReadonlySet<string>;
  /** services (or real servers' services) always drawn in an expanded group, e.g. found by search */
  pinned: ReadonlySet<string>;
}

export const groupIdOf = (directorIds: readonly string[]) => `group:${directorIds.length ? [...directorIds].sort().join("+") : "unplaced"}`;
export const poolIdOf = (serviceId: string) => `pool:${serviceId}`;

const X = { director: 0, serviceGroup: 320, service: 660, pool: 1040, realServer: 1380 };
const ROW = 110;

function countStates(ms: readonly Membership[]): MembershipCounts {
  const c: MembershipCounts = { active: 0, draining: 0, disabled: 0 };
  for (const m of ms) c[m.state]++;
  return c;
}

/** The grouped graph of a document for the given expansion state. */
export function groupGraph(nodes: readonly EditorNode[], edges: readonly EditorEdge[], view: GroupView): { nodes: CanvasNode[]; edges: CanvasEdge[] } {
  const directors: DirectorNode[] = [];
  const realServers = new Map<string, RealServerNode>();
  const groups = new Map<string, { directorIds: string[]; services: ServiceNode[] }>();
  for (const n of nodes) {
    if (n.type === "director") directors.push(n);
    else if (n.type === "realServer") realServers.set(n.id, n);
    else {
      const id = groupIdOf(n.data.service.directorIds);
      let g = groups.get(id);
      if (!g) groups.set(id, (g = { directorIds: [...n.data.service.directorIds].sort(), services: [] }));
      g.services.push(n);
    }
  }
  const membersOf = new Map<string, MembershipEdge[]>();
  for (const e of edges) {
    if (e.type !== "membership" || !e.data) continue;
    const list = membersOf.get(e.source);
    if (list) list.push(e);
    else membersOf.set(e.source, [e]);
  }

  const outNodes: CanvasNode[] = [];
  const outEdges: CanvasEdge[] = [];
  const link = (source: string, target: string) => outEdges.push({ id: `link:${source}>${target}`, type: "groupLink", source, target, data: {} });
  const placedRs = new Map<string, number>(); // real server id → y of its first drawn row
  let y = 0;
  const firstGroupY = new Map<string, number>();

  for (const [groupId, g] of groups) {
    const expanded = view.expanded.has(groupId);
    const rsIds = new Set<string>();
    const all: Membership[] = [];
    for (const s of g.services) for (const e of membersOf.get(s.id) ?? []) {
      rsIds.add(e.target);
      all.push(e.data!.membership);
    }
    const shownServices = expanded ? g.services.filter((s, i) => i < GROUP_PAGE || view.pinned.has(s.id)) : [];
    const groupY = y;
    for (const d of g.directorIds) if (!firstGroupY.has(d)) firstGroupY.set(d, groupY);
    outNodes.push({
      id: groupId, type: "serviceGroup", position: { x: X.serviceGroup, y: groupY }, draggable: false, selectable: false,
      data: {
        groupId, directorIds: g.directorIds, serviceIds: g.services.map((s) => s.id), shown: shownServices.length,
        realServers: rsIds.size, memberships: countStates(all), expanded,
      },
    });
    for (const d of g.directorIds) link(d, groupId);
    if (!expanded) {
      y += ROW;
      continue;
    }
    for (const s of shownServices) {
      const members = membersOf.get(s.id) ?? [];
      const poolId = poolIdOf(s.id);
      const poolOpen = view.expanded.has(poolId);
      outNodes.push({ ...s, position: { x: X.service, y }, draggable: false });
      link(groupId, s.id);
      outNodes.push({
        id: poolId, type: "pool", position: { x: X.pool, y }, draggable: false, selectable: false,
        data: {
          poolId, serviceId: s.id, membershipIds: members.map((e) => e.id), realServerIds: members.map((e) => e.target),
          memberships: countStates(members.map((e) => e.data!.membership)), expanded: poolOpen,
        },
      });
      link(s.id, poolId);
      if (!poolOpen || members.length === 0) {
        y += ROW;
        continue;
      }
      for (const e of members) {
        const rs = realServers.get(e.target);
        if (!rs) continue;
        if (!placedRs.has(rs.id)) {
          placedRs.set(rs.id, y);
          outNodes.push({ ...rs, position: { x: X.realServer, y }, draggable: false });
          y += ROW;
        }
        outEdges.push({ ...e, source: poolId });
      }
    }
  }
  // directors beside their first group, each below the one before (an HA pair's two directors share
  // their first group); those without services below everything
  let spare = y;
  let free = 0;
  const placed = directors.map((d) => ({ d, first: firstGroupY.get(d.id) }));
  placed.sort((p, q) => (p.first ?? Number.MAX_SAFE_INTEGER) - (q.first ?? Number.MAX_SAFE_INTEGER));
  const directorNodes = placed.map(({ d, first }): CanvasNode => {
    let at: number;
    if (first === undefined) {
      at = Math.max(spare, free);
      spare = at + ROW;
    } else at = Math.max(first, free);
    free = at + ROW;
    return { ...d, position: { x: X.director, y: at }, draggable: false };
  });
  return { nodes: [...directorNodes, ...outNodes], edges: outEdges };
}

/**
 * What to expand (group and pool ids) and pin (service ids) so that `objectId` (a director, service,
 * real server or membership) is drawn in the grouped canvas. Empty when it is always drawn.
 */
export function revealPlan(objectId: string, nodes: readonly EditorNode[], edges: readonly EditorEdge[]): { expand: string[]; pin: string[] } {
  const byId = new Map(nodes.map((n) => [n.id, n] as const));
  const serviceReveal = (s: ServiceNode, withPool: boolean) => ({
    expand: [groupIdOf(s.data.service.directorIds), ...(withPool ? [poolIdOf(s.id)] : [])],
    pin: [s.id],
  });
  const node = byId.get(objectId);
  if (node?.type === "director") return { expand: [], pin: [] };
  if (node?.type === "service") return serviceReveal(node, false);
  const membership = edges.find((e): e is MembershipEdge => e.type === "membership" && (node ? e.target === objectId : e.id === objectId));
  const svc = membership ? byId.get(membership.source) : undefined;
  return svc?.type === "service" ? serviceReveal(svc, true) : { expand: [], pin: [] };
}
