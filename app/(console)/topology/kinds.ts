import type { EdgeTypes, NodeTypes } from "@xyflow/react";
import { MembershipEdgeView } from "./edges/MembershipEdge.tsx";
import { PlacementEdgeView } from "./edges/PlacementEdge.tsx";
import { DirectorNodeView } from "./nodes/director/node.tsx";
import { RealServerNodeView } from "./nodes/realServer/node.tsx";
import { ServiceNodeView } from "./nodes/service/node.tsx";

/** Module scope: React Flow must see the same objects on every render. */
export const nodeTypes = {
  director: DirectorNodeView,
  service: ServiceNodeView,
  realServer: RealServerNodeView,
} satisfies NodeTypes;

export const edgeTypes = {
  membership: MembershipEdgeView,
  placement: PlacementEdgeView,
} satisfies EdgeTypes;
