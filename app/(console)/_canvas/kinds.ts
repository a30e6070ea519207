import type { EdgeTypes, NodeTypes } from "@xyflow/react";
import { MembershipEdgeView } from "./edges/MembershipEdgeView.tsx";
import { PlacementEdgeView } from "./edges/PlacementEdgeView.tsx";
import { DirectorNodeView } from "./nodes/DirectorNodeView.tsx";
import { RealServerNodeView } from "./nodes/RealServerNodeView.tsx";
import { ServiceNodeView } from "./nodes/ServiceNodeView.tsx";

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
