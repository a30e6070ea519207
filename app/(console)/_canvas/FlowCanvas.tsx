"use client";
/**
 * The one React Flow canvas of the console: the Design view (editable, with a minimap) and the Live
 * view (read-only, live overlays) both draw a topology through it, with the same node and edge views
 * (kinds.ts), the same level of detail and the same pan behaviour. Callers pass what differs
 * (editing handlers, interactivity) as React Flow props and extra children (minimap).
 */
import {
  Background, Controls, ReactFlow, useStore as useFlowStore, type ReactFlowProps, type ReactFlowState,
} from "@xyflow/react";
import type { ReactNode } from "react";
import type { EditorEdge, EditorNode } from "./graph.ts";
import { edgeTypes, nodeTypes } from "./kinds.ts";

const proOptions = { hideAttribution: true };

/**
 * Level of detail for big topologies (bench:editor): below this zoom the ~1 000 edge labels are
 * unreadable, so they are not laid out or painted; nodes are drawn as their coloured boxes (text and
 * handles unpainted, issue badges kept) without shadows; while the pane is
 * dragged the viewport is its own compositor layer, so a pan moves pixels instead of repainting.
 */
export const FAR_ZOOM = 0.45;
const farSelector = (s: ReactFlowState) => s.transform[2] < FAR_ZOOM;
const LOD_CSS = `[data-lod="far"] .react-flow__edgelabel-renderer{display:none}
[data-lod="far"] .react-flow__node>div{box-shadow:none}
[data-lod="far"] .react-flow__node>div *{visibility:hidden}
[data-lod="far"] .react-flow__node [data-testid^="badge-"],[data-lod="far"] .react-flow__node [data-testid^="badge-"] *{visibility:visible}
.react-flow__pane.dragging .react-flow__viewport{will-change:transform}`;

export type FlowCanvasProps = Omit<ReactFlowProps<EditorNode, EditorEdge>, "nodeTypes" | "edgeTypes" | "proOptions" | "children"> & {
  /** the wrapper's data-testid ("canvas" in the editor, "live-canvas" in the live view) */
  testId: string;
  className?: string;
  children?: ReactNode;
} & Pick<React.HTMLAttributes<HTMLDivElement>, "onDragOver" | "onDrop">;

/** Needs a <ReactFlowProvider> above it (the caller's hooks use the same flow). */
export function FlowCanvas({ testId, className, children, onDragOver, onDrop, ...flow }: FlowCanvasProps) {
  const far = useFlowStore(farSelector);
  return (
    <div className={className} onDragOver={onDragOver} onDrop={onDrop} data-testid={testId} data-lod={far ? "far" : "near"}>
      <style>{LOD_CSS}</style>
      <ReactFlow<EditorNode, EditorEdge>
        nodeTypes={nodeTypes}
        edgeTypes={edgeTypes}
        deleteKeyCode={null}
        onlyRenderVisibleElements
        minZoom={0.05}
        proOptions={proOptions}
        {...flow}
      >
        <Background gap={20} />
        {children}
        <Controls showInteractive={false} />
      </ReactFlow>
    </div>
  );
}
