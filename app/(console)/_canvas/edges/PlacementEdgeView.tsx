"use client";
import { BaseEdge, getSmoothStepPath, type EdgeProps } from "@xyflow/react";
import { memo } from "react";
import type { PlacementEdge } from "../graph.ts";

/** director → service: the VIP lives on this director (two or more = an HA pair). */
export const PlacementEdgeView = memo(function PlacementEdgeView(props: EdgeProps<PlacementEdge>) {
  const [path] = getSmoothStepPath(props);
  return (
    <BaseEdge
      id={props.id}
      path={path}
      interactionWidth={14}
      style={{ stroke: props.selected ? "#0ea5e9" : "#475569", strokeWidth: props.selected ? 3 : 1.5 }}
    />
  );
});
