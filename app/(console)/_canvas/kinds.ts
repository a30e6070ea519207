import type { EdgeTypes, NodeTypes } from "@xyflow/react";
import { GroupLinkEdgeView } from "./edges/GroupLinkEdgeView.tsx";
import { MembershipEdgeView } from "./edges/MembershipEdgeView.tsx";
import { PlacementEdgeView } from "./edges/PlacementEdgeView.tsx";
import { DirectorNodeView } from "./nodes/DirectorNodeView.tsx";
import { PoolNodeView } from "./nodes/PoolNodeView.tsx";
import { RealServerNodeView } from "./nodes/RealServerNodeView.tsx";
import { ServiceGroupNodeView } from "./nodes/ServiceGroupNodeView.tsx";
import { ServiceNodeView } from "./nodes/ServiceNodeView.tsx";

/** Module scope: React Flow must see the same objects on every render. */
export const nodeTypes = {
  director: DirectorNodeView,
  service: ServiceNodeView,
  realServer: RealServerNodeView,
  serviceGroup: ServiceGroupNodeView,
  pool: PoolNodeView,
} satisfies NodeTypes;

export const edgeTypes = {
  membership: MembershipEdgeView,
  placement: PlacementEdgeView,
  groupLink: GroupLinkEdgeView,
} satisfies EdgeTypes;
