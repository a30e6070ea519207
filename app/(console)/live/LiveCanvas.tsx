"use client";
/**
 * The topology drawn read-only through the shared canvas (_canvas/FlowCanvas), so the live overlays
 * (conns/s, active connections, health colours, drained real servers, traffic-weighted edges,
 * directors online/offline) appear exactly where the operator designed them. Big clusters open
 * grouped (service groups and pools with aggregate health), as in the editor.
 */
import { ReactFlowProvider } from "@xyflow/react";
import { useState } from "react";
import type { Topology } from "@/lvs/model.ts";
import { FlowCanvas } from "../_canvas/FlowCanvas.tsx";
import { useCanvasElements } from "../_canvas/groups/useCanvasElements.ts";
import { ViewContext } from "../_canvas/groups/ViewContext.ts";
import { createViewStore, initialMode, type ViewStore } from "../_canvas/groups/viewStore.ts";
import { EditorContext } from "../_canvas/store/context.ts";
import { createEditorStore, type EditorStore } from "../_canvas/store/store.ts";
import { FIT_VIEW_LIVE } from "../_canvas/spacing.ts";

export function LiveCanvas({ topology }: { topology: Topology }) {
  const [store] = useState(() => createEditorStore(topology));
  const [view] = useState(() => createViewStore(initialMode(store.getState().nodes.length)));
  return (
    <EditorContext.Provider value={store}>
      <ViewContext.Provider value={view}>
        <ReactFlowProvider>
          <LiveFlow store={store} view={view} />
        </ReactFlowProvider>
      </ViewContext.Provider>
    </EditorContext.Provider>
  );
}

function LiveFlow({ store, view }: { store: EditorStore; view: ViewStore }) {
  const { mode, nodes, edges, onNodesChange } = useCanvasElements(store, view);
  return (
    <FlowCanvas
      testId="live-canvas"
      view={mode}
      className="relative h-[420px] rounded-md border border-slate-200 bg-white"
      nodes={nodes}
      edges={edges}
      onNodesChange={onNodesChange}
      nodesDraggable={false}
      nodesConnectable={false}
      elementsSelectable={false}
      fitView
      fitViewOptions={FIT_VIEW_LIVE}
    />
  );
}
