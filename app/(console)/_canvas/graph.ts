/**
 * Pure mapping between the LVS Topology document and React Flow nodes/edges, plus the connection
 * rules of the canvas. No React, no store: everything here is unit-tested.
 *
 * Node ids are the domain object ids. Edges:
 *  - placement  (director → service): the VIP is placed on that director. The source of truth is
 *    `service.directorIds` (kept in the service node's data); placement edges are its drawing.
 *  - membership (service → realServer): one Membership, edge id = membership id.
 */
import type { Edge, Node, XYPosition } from "@xyflow/react";
import type { Director, Membership, RealServer, Topology, VirtualService } from "@/lvs/model.ts";
import { COLUMN_X } from "./spacing.ts";

export type DirectorNode = Node<{ director: Director }, "director">;
export type ServiceNode = Node<{ service: VirtualService }, "service">;
export type RealServerNode = Node<{ realServer: RealServer }, "realServer">;
export type EditorNode = DirectorNode | ServiceNode | RealServerNode;
export type NodeKind = EditorNode["type"];
export const NODE_KINDS = ["director", "service", "realServer"] as const satisfies readonly NodeKind[];

export type PlacementEdge = Edge<{ directorId: string; serviceId: string }, "placement">;
export type MembershipEdge = Edge<{ membership: Membership }, "membership">;
export type EditorEdge = PlacementEdge | MembershipEdge;

export interface Graph {
  nodes: EditorNode[];
  edges: EditorEdge[];
}

/** Column of each kind when a position is missing from the layout: directors → services → real servers. */
export { COLUMN_X } from "./spacing.ts";
const ROW_HEIGHT = 110;

export const placementEdgeId = (directorId: string, serviceId: string) => `place:${directorId}:${serviceId}`;

export function placementEdge(directorId: string, serviceId: string): PlacementEdge {
  return {
    id: placementEdgeId(directorId, serviceId),
    type: "placement",
    source: directorId,
    target: serviceId,
    data: { directorId, serviceId },
  };
}

export function membershipEdge(membership: Membership): MembershipEdge {
  return {
    id: membership.id,
    type: "membership",
    source: membership.serviceId,
    target: membership.realServerId,
    data: { membership },
  };
}

export function topologyToGraph(topology: Topology): Graph {
  const row: Record<NodeKind, number> = { director: 0, service: 0, realServer: 0 };
  const position = (id: string, kind: NodeKind): XYPosition => {
    const p = topology.layout[id];
    const y = row[kind]++ * ROW_HEIGHT;
    return p ? { x: p.x, y: p.y } : { x: COLUMN_X[kind], y };
  };
  const nodes: EditorNode[] = [
    ...topology.directors.map((director): DirectorNode => ({
      id: director.id, type: "director", position: position(director.id, "director"), data: { director },
    })),
    ...topology.services.map((service): ServiceNode => ({
      id: service.id, type: "service", position: position(service.id, "service"), data: { service },
    })),
    ...topology.realServers.map((realServer): RealServerNode => ({
      id: realServer.id, type: "realServer", position: position(realServer.id, "realServer"), data: { realServer },
    })),
  ];
  const edges: EditorEdge[] = [
    ...topology.services.flatMap((s) => s.directorIds.map((d) => placementEdge(d, s.id))),
    ...topology.memberships.map(membershipEdge),
  ];
  return { nodes, edges };
}

export function graphToTopology(name: string, nodes: readonly EditorNode[], edges: readonly EditorEdge[]): Topology {
  const topology: Topology = { name, directors: [], services: [], realServers: [], memberships: [], layout: {} };
  for (const n of nodes) {
    if (n.type === "director") topology.directors.push(n.data.director);
    else if (n.type === "service") topology.services.push(n.data.service);
    else topology.realServers.push(n.data.realServer);
    topology.layout[n.id] = { x: n.position.x, y: n.position.y };
  }
  for (const e of edges) if (e.type === "membership" && e.data) topology.memberships.push(e.data.membership);
  return topology;
}

// ---------------------------------------------------------------- connection rules

export interface ConnectionLike {
  source: string | null;
  target: string | null;
}

export type ConnectionMeaning =
  | { kind: "placement"; directorId: string; serviceId: string }
  | { kind: "membership"; serviceId: string; realServerId: string };

type KindOf = (id: string) => NodeKind | undefined;

/** What a connection between two nodes would mean, whichever end the user dragged from; null = not allowed. */
export function connectionMeaning(c: ConnectionLike, kindOf: KindOf): ConnectionMeaning | null {
  if (!c.source || !c.target || c.source === c.target) return null;
  const a = { id: c.source, kind: kindOf(c.source) };
  const b = { id: c.target, kind: kindOf(c.target) };
  const pick = (k: NodeKind) => (a.kind === k ? a.id : b.kind === k ? b.id : null);
  const kinds = new Set([a.kind, b.kind]);
  if (kinds.size !== 2) return null;
  if (kinds.has("director") && kinds.has("service")) {
    return { kind: "placement", directorId: pick("director")!, serviceId: pick("service")! };
  }
  if (kinds.has("service") && kinds.has("realServer")) {
    return { kind: "membership", serviceId: pick("service")!, realServerId: pick("realServer")! };
  }
  return null;
}

/**
 * The canvas only accepts meaningful connections: director ↔ service (placement, once per pair)
 * and service → real server (membership, once per pair). Everything else is refused.
 */
export function isValidConnection(c: ConnectionLike, nodes: readonly EditorNode[], edges: readonly EditorEdge[]): boolean {
  const kinds = new Map(nodes.map((n) => [n.id, n.type] as const));
  const meaning = connectionMeaning(c, (id) => kinds.get(id));
  if (!meaning) return false;
  if (meaning.kind === "placement") {
    const svc = nodes.find((n): n is ServiceNode => n.id === meaning.serviceId && n.type === "service");
    return !!svc && !svc.data.service.directorIds.includes(meaning.directorId);
  }
  return !edges.some(
    (e) => e.type === "membership" && e.source === meaning.serviceId && e.target === meaning.realServerId,
  );
}

/** Ids of the edges touching any of the given nodes. */
export function edgesTouching(ids: ReadonlySet<string>, edges: readonly EditorEdge[]): Set<string> {
  return new Set(edges.filter((e) => ids.has(e.source) || ids.has(e.target)).map((e) => e.id));
}
