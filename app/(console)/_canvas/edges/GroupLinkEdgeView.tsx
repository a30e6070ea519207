"use client";
import { BaseEdge, getSmoothStepPath, type EdgeProps } from "@xyflow/react";
import { memo } from "react";
import type { GroupLinkEdge } from "../groups/groupGraph.ts";

/** director → service group → service → pool in the grouped canvas: structure only, no label. */
export const GroupLinkEdgeView = memo(function GroupLinkEdgeView(props: EdgeProps<GroupLinkEdge>) {
  const [path] = getSmoothStepPath(props);
  return <BaseEdge id={props.id} path={path} style={{ stroke: "#94a3b8", strokeWidth: 1.5 }} />;
});
