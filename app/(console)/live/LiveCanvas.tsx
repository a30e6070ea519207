"use client";
/**
 * The topology drawn read-only with the editor's own node and edge views, so the live overlays
 * (conns/s, active connections, health colours, drained real servers, traffic-weighted edges,
 * directors online/offline) appear exactly where the operator designed them.
 */
import { Background, Controls, ReactFlow, ReactFlowProvider } from "@xyflow/react";
import { useState } from "react";
import { useStore } from "zustand";
import type { Topology } from "@/lvs/model.ts";
import { EditorContext } from "../topology/context.ts";
import type { EditorEdge, EditorNode } from "../topology/graph.ts";
import { edgeTypes, nodeTypes } from "../topology/kinds.ts";
import { createEditorStore } from "../topology/store.ts";

const proOptions = { hideAttribution: true };

export function LiveCanvas({ topology }: { topology: Topology }) {
  const [store] = useState(() => createEditorStore(topology));
  const nodes = useStore(store, (s) => s.nodes);
  const edges = useStore(store, (s) => s.edges);
  return (
    <EditorContext.Provider value={store}>
      <ReactFlowProvider>
        <div className="h-[420px] rounded-md border border-slate-200 bg-white" data-testid="live-canvas">
          <ReactFlow<EditorNode, EditorEdge>
            nodes={nodes}
            edges={edges}
            nodeTypes={nodeTypes}
            edgeTypes={edgeTypes}
            nodesDraggable={false}
            nodesConnectable={false}
            elementsSelectable={false}
            deleteKeyCode={null}
            fitView
            fitViewOptions={{ maxZoom: 1, padding: 0.1 }}
            minZoom={0.05}
            proOptions={proOptions}
          >
            <Background gap={20} />
            <Controls showInteractive={false} />
          </ReactFlow>
        </div>
      </ReactFlowProvider>
    </EditorContext.Provider>
  );
}
