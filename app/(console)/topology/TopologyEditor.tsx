"use client";
import {
  Background, Controls, MiniMap, ReactFlow, ReactFlowProvider, useReactFlow, useStore as useFlowStore, type Connection,
  type IsValidConnection, type ReactFlowState,
} from "@xyflow/react";
import { useTranslations } from "next-intl";
import { useCallback, useState, type DragEvent } from "react";
import { useStore } from "zustand";
import type { Topology } from "@/lvs/model.ts";
import { EditorContext } from "./context.ts";
import { ConflictDialog } from "./ConflictDialog.tsx";
import { ExportDialog } from "./ExportDialog.tsx";
import type { EditorEdge, EditorNode, NodeKind } from "./graph.ts";
import { ImportDialog } from "./ImportDialog.tsx";
import { Inspector } from "./Inspector.tsx";
import { IssuesPanel } from "./IssuesPanel.tsx";
import { edgeTypes, nodeTypes } from "./kinds.ts";
import { DND_MIME, Palette } from "./Palette.tsx";
import { createEditorStore, type EditorStore } from "./store.ts";
import { Toolbar } from "./Toolbar.tsx";
import { useDerived } from "./useDerived.ts";
import { useFocus } from "./useFocus.ts";
import { useSave } from "./useSave.ts";
import { useLeaveGuard } from "./useLeaveGuard.ts";
import { useShortcuts } from "./useShortcuts.ts";

export interface TopologyEditorProps {
  id: string;
  revision: number;
  document: Topology;
}

/** Rendered only once the topology query resolved (never drop nodes onto a canvas about to be replaced). */
export function TopologyEditor(props: TopologyEditorProps) {
  const [store] = useState(() => createEditorStore(props.document, { revision: props.revision }));
  return (
    <EditorContext.Provider value={store}>
      <ReactFlowProvider>
        <EditorBody id={props.id} store={store} />
      </ReactFlowProvider>
    </EditorContext.Provider>
  );
}

const MINIMAP_COLOR: Record<NodeKind, string> = { director: "#1e293b", service: "#818cf8", realServer: "#10b981" };
const minimapColor = (n: EditorNode) => MINIMAP_COLOR[n.type];
const proOptions = { hideAttribution: true };

/**
 * Level of detail for big topologies (bench:editor): below this zoom the ~1 000 edge labels are
 * unreadable, so they are not laid out or painted; nodes are drawn as their coloured boxes (text and
 * handles unpainted, issue badges kept) without shadows; while the pane is
 * dragged the viewport is its own compositor layer, so a pan moves pixels instead of repainting.
 */
const FAR_ZOOM = 0.45;
const farSelector = (s: ReactFlowState) => s.transform[2] < FAR_ZOOM;
const LOD_CSS = `[data-lod="far"] .react-flow__edgelabel-renderer{display:none}
[data-lod="far"] .react-flow__node>div{box-shadow:none}
[data-lod="far"] .react-flow__node>div *{visibility:hidden}
[data-lod="far"] .react-flow__node [data-testid^="badge-"],[data-lod="far"] .react-flow__node [data-testid^="badge-"] *{visibility:visible}
.react-flow__pane.dragging .react-flow__viewport{will-change:transform}`;

function EditorBody({ id, store }: { id: string; store: EditorStore }) {
  const nodes = useStore(store, (s) => s.nodes);
  const edges = useStore(store, (s) => s.edges);
  const onNodesChange = useStore(store, (s) => s.onNodesChange);
  const onEdgesChange = useStore(store, (s) => s.onEdgesChange);
  const dirty = useStore(store, (s) => s.dirty);
  const far = useFlowStore(farSelector);
  const { screenToFlowPosition } = useReactFlow();
  const t = useTranslations("editor");
  const focus = useFocus(store);
  const saver = useSave(id, store);
  const [dialog, setDialog] = useState<"export" | "import" | null>(null);
  // fit only a loaded document: on an empty canvas React Flow would fit (and move) at the first drop
  const [fitOnLoad] = useState(() => store.getState().nodes.length > 0);

  useDerived(store);
  useShortcuts(store, () => void saver.save());

  useLeaveGuard(dirty, t("leaveUnsaved"));

  const onDragOver = useCallback((e: DragEvent) => {
    e.preventDefault();
    e.dataTransfer.dropEffect = "move";
  }, []);

  const onDrop = useCallback(
    (e: DragEvent) => {
      e.preventDefault();
      const kind = (e.dataTransfer.getData(DND_MIME) || e.dataTransfer.getData("text/plain")) as NodeKind;
      if (kind !== "director" && kind !== "service" && kind !== "realServer") return;
      const p = screenToFlowPosition({ x: e.clientX, y: e.clientY });
      store.getState().addNode(kind, { x: Math.round(p.x), y: Math.round(p.y) });
    },
    [screenToFlowPosition, store],
  );

  const onConnect = useCallback((c: Connection) => void store.getState().connect(c), [store]);
  const isValidConnection = useCallback<IsValidConnection<EditorEdge>>((c) => store.getState().canConnect(c), [store]);

  return (
    <div className="flex min-h-0 flex-1 flex-col" data-testid="topology-editor">
      <Toolbar
        onSave={() => void saver.save()}
        saving={saver.saving}
        saveError={saver.error}
        onExport={() => setDialog("export")}
        onImport={() => setDialog("import")}
        focus={focus}
      />
      <div className="flex min-h-0 flex-1">
        <Palette />
        <div className="relative min-w-0 flex-1" onDragOver={onDragOver} onDrop={onDrop} data-testid="canvas" data-lod={far ? "far" : "near"}>
          <style>{LOD_CSS}</style>
          <ReactFlow<EditorNode, EditorEdge>
            nodes={nodes}
            edges={edges}
            nodeTypes={nodeTypes}
            edgeTypes={edgeTypes}
            onNodesChange={onNodesChange}
            onEdgesChange={onEdgesChange}
            onConnect={onConnect}
            isValidConnection={isValidConnection}
            deleteKeyCode={null}
            multiSelectionKeyCode={["Meta", "Control", "Shift"]}
            selectionKeyCode="Shift"
            onlyRenderVisibleElements
            fitView={fitOnLoad}
            fitViewOptions={{ maxZoom: 1.2, padding: 0.15 }}
            minZoom={0.05}
            proOptions={proOptions}
          >
            <Background gap={20} />
            <MiniMap<EditorNode> pannable zoomable nodeColor={minimapColor} data-testid="minimap" />
            <Controls showInteractive={false} />
          </ReactFlow>
        </div>
        <aside className="flex w-80 shrink-0 flex-col border-l border-slate-200 bg-white">
          <div className="min-h-0 flex-1 overflow-y-auto">
            <Inspector />
          </div>
          <IssuesPanel onFocus={focus} />
        </aside>
      </div>
      {dialog === "export" && <ExportDialog onClose={() => setDialog(null)} />}
      {dialog === "import" && <ImportDialog onClose={() => setDialog(null)} />}
      {saver.conflict && (
        <ConflictDialog
          conflict={saver.conflict}
          mine={store.getState().topology()}
          onReload={saver.reload}
          onOverwrite={() => void saver.save({ overwriteRevision: saver.conflict!.server.revision })}
          onClose={saver.dismissConflict}
        />
      )}
    </div>
  );
}
