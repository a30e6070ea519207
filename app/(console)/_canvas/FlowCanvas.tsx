"use client";
/**
 * The one React Flow canvas of the console: the Design view (editable, with a minimap) and the Live
 * view (read-only, live overlays) both draw a topology through it, with the same node and edge views
 * (kinds.ts), the same level of detail and the same pan behaviour. Callers pass what differs
 * (editing handlers, interactivity) as React Flow props and extra children (minimap).
 */
import {
  Background, Controls, ReactFlow, useStore as useFlowStore, type ReactFlowProps, type ReactFlowState, type Viewport,
} from "@xyflow/react";
import { useLayoutEffect, useRef, useState, type ReactNode } from "react";
import { createPortal } from "react-dom";
import { EdgeLabelLayerContext } from "./edges/EdgeLabelPortal.tsx";
import { useDragViewport } from "./pan/useDragViewport.ts";
import { usePanSnapshot } from "./pan/usePanSnapshot.ts";
import type { CanvasEdge, CanvasNode } from "./groups/groupGraph.ts";
import { edgeTypes, nodeTypes } from "./kinds.ts";

const proOptions = { hideAttribution: true };
/**
 * The viewport is controlled (pan/useDragViewport.ts puts every change into React Flow's store
 * itself, at once or when a drag pan ends); this is only the start, React Flow's default.
 */
const CONTROLLED_VIEWPORT: Viewport = { x: 0, y: 0, zoom: 1 };

/**
 * Level of detail for big topologies (bench:editor): below this zoom the ~1 000 edge labels are
 * unreadable, so they are not laid out or painted; nodes are drawn as their coloured boxes (text and
 * handles unpainted, issue badges kept) without shadows; while the pane is
 * dragged the viewport is its own compositor layer, so a pan moves pixels instead of repainting.
 * Once the viewport really moves (not on a mere click, which may start a pan on a node's button),
 * an empty layer on top of the pane takes the pointer: every mouse move of a pan was otherwise
 * hit-tested through ~1 500 node and edge layers (edge strokes included) and flipped :hover styles
 * (a restyle and repaint) on the nodes the pointer crossed; d3-zoom follows the drag on the window.
 * The edges are drawn as one snapshot layer while it moves (pan/usePanSnapshot.ts), and a drag pan
 * moves the drawn viewport without React Flow's store until it ends (pan/useDragViewport.ts).
 */
export const FAR_ZOOM = 0.45;
/**
 * Up to this many nodes + edges every element stays mounted: culling (React Flow's
 * onlyRenderVisibleElements) mounts and unmounts elements on every pan frame of a graph larger than
 * the screen, and that churn (React commits, layout, repaint and re-raster of the viewport layer)
 * was most of a 500-node pan frame (bench/panFrames.ts). A mounted, unchanging viewport is one
 * compositor layer that a pan only moves. Above it (a 10 000-service graph view) culling stays.
 */
export const RENDER_ALL_MAX = 2_000;
/**
 * React Flow gives a node that is neither selectable nor draggable `pointer-events: none` unless the
 * flow has a node click handler: the group and pool nodes (and every node of the read-only live
 * canvas) have buttons that must be clickable.
 */
const keepPointerEvents = () => {};
const farSelector = (s: ReactFlowState) => s.transform[2] < FAR_ZOOM;
const LOD_CSS = `[data-lod="far"] .react-flow__edgelabel-renderer{display:none}
[data-lod="far"] .react-flow__node>div{box-shadow:none}
[data-lod="far"] .react-flow__node>div:not([data-kind="serviceGroup"]):not([data-kind="pool"]) *{visibility:hidden}
[data-lod="far"] .react-flow__node [data-testid^="badge-"],[data-lod="far"] .react-flow__node [data-testid^="badge-"] *{visibility:visible}
[data-moving] .react-flow__pane.dragging .react-flow__viewport{will-change:transform}
[data-moving] .react-flow__pane::after{content:"";position:absolute;inset:0;z-index:2147483647}
[data-snapshot] .react-flow__edges,[data-snapshot] .react-flow__edgelabel-renderer{display:none}
[data-testid="pan-edges"]{display:none;position:absolute;left:0;top:0;width:1px;height:1px;overflow:visible;z-index:-1;pointer-events:none}
[data-snapshot] [data-testid="pan-edges"]{display:block}`;

export type FlowCanvasProps = Omit<ReactFlowProps<CanvasNode, CanvasEdge>, "nodeTypes" | "edgeTypes" | "proOptions" | "children" | "viewport" | "onViewportChange" | "defaultViewport"> & {
  /** the wrapper's data-testid ("canvas" in the editor, "live-canvas" in the live view) */
  testId: string;
  className?: string;
  /** data-view of the wrapper: "graph" or "grouped" */
  view?: string;
  children?: ReactNode;
} & Pick<React.HTMLAttributes<HTMLDivElement>, "onDragOver" | "onDrop">;

/** Needs a <ReactFlowProvider> above it (the caller's hooks use the same flow). */
export function FlowCanvas({ testId, className, view, children, onDragOver, onDrop, onMoveStart, onMove, onMoveEnd, ...flow }: FlowCanvasProps) {
  const far = useFlowStore(farSelector);
  const wrapper = useRef<HTMLDivElement>(null);
  const [labelLayer, setLabelLayer] = useState<Element | null>(null);
  const [viewportLayer, setViewportLayer] = useState<Element | null>(null);
  // after commit: React Flow renders the label layer and the viewport portal inside our wrapper
  useLayoutEffect(() => {
    setLabelLayer(wrapper.current?.querySelector(".react-flow__edgelabel-renderer") ?? null);
    setViewportLayer(wrapper.current?.querySelector(".react-flow__viewport-portal") ?? null);
  }, []);
  const cull = (flow.nodes?.length ?? 0) + (flow.edges?.length ?? 0) > RENDER_ALL_MAX;
  const drag = useDragViewport(wrapper, !cull);
  const snapshot = usePanSnapshot(wrapper, !cull, drag.settle);
  return (
    <div ref={wrapper} className={className} onDragOver={onDragOver} onDrop={onDrop} data-testid={testId} data-view={view} data-lod={far ? "far" : "near"}>
      <style>{LOD_CSS}</style>
      <EdgeLabelLayerContext.Provider value={labelLayer}>
        <ReactFlow<CanvasNode, CanvasEdge>
          nodeTypes={nodeTypes}
          edgeTypes={edgeTypes}
          deleteKeyCode={null}
          onlyRenderVisibleElements={cull}
          onNodeClick={keepPointerEvents}
          minZoom={0.05}
          proOptions={proOptions}
          viewport={CONTROLLED_VIEWPORT}
          onViewportChange={drag.onViewportChange}
          onMoveStart={onMoveStart ? (e, v) => (drag.onMoveStart(e), onMoveStart(e, v)) : drag.onMoveStart}
          onMove={onMove ? (e, v) => (snapshot.onMove(), onMove(e, v)) : snapshot.onMove}
          onMoveEnd={onMoveEnd ? (e, v) => (snapshot.onMoveEnd(), onMoveEnd(e, v)) : snapshot.onMoveEnd}
          {...flow}
        >
          {viewportLayer && createPortal(<svg ref={snapshot.layer} data-testid="pan-edges" />, viewportLayer)}
          {/* far out, the dot grid is not drawn: a full repaint of the pattern per pan frame for dots too small to see */}
          {!far && <Background gap={20} />}
          {children}
          <Controls showInteractive={false} />
        </ReactFlow>
      </EdgeLabelLayerContext.Provider>
    </div>
  );
}
