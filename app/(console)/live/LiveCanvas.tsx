"use client";
/**
 * The topology drawn read-only through the shared canvas (_canvas/FlowCanvas), so the live overlays
 * (conns/s, active connections, health colours, drained real servers, traffic-weighted edges,
 * directors online/offline) appear exactly where the operator designed them.
 */
import { ReactFlowProvider } from "@xyflow/react";
import { useState } from "react";
import { useStore } from "zustand";
import type { Topology } from "@/lvs/model.ts";
import { FlowCanvas } from "../_canvas/FlowCanvas.tsx";
import { EditorContext } from "../_canvas/store/context.ts";
import { createEditorStore } from "../_canvas/store/store.ts";

export function LiveCanvas({ topology }: { topology: Topology }) {
  const [store] = useState(() => createEditorStore(topology));
  const nodes = useStore(store, (s) => s.nodes);
  const edges = useStore(store, (s) => s.edges);
  return (
    <EditorContext.Provider value={store}>
      <ReactFlowProvider>
        <FlowCanvas
          testId="live-canvas"
          className="relative h-[420px] rounded-md border border-slate-200 bg-white"
          nodes={nodes}
          edges={edges}
          nodesDraggable={false}
          nodesConnectable={false}
          elementsSelectable={false}
          fitView
          fitViewOptions={{ maxZoom: 1, padding: 0.1 }}
        />
      </ReactFlowProvider>
    </EditorContext.Provider>
  );
}
