"use client";
import { MembershipMarksProvider } from "./inspector/MembershipMarksProvider.tsx";
import { MiniMap, ReactFlowProvider, useReactFlow, type Connection, type IsValidConnection } from "@xyflow/react";
import { useTranslations } from "next-intl";
import { useCallback, useState, type DragEvent } from "react";
import { useStore } from "zustand";
import type { Topology } from "@/lvs/model.ts";
import { EditorContext } from "../_canvas/store/context.ts";
import { ConflictDialog } from "./dialogs/ConflictDialog.tsx";
import { ExportDialog } from "./dialogs/ExportDialog.tsx";
import type { NodeKind } from "../_canvas/graph.ts";
import type { CanvasEdge, CanvasNode } from "../_canvas/groups/groupGraph.ts";
import { useCanvasElements } from "../_canvas/groups/useCanvasElements.ts";
import { ViewContext } from "../_canvas/groups/ViewContext.ts";
import { createViewStore, initialMode, type ViewStore } from "../_canvas/groups/viewStore.ts";
import { ServiceTable } from "./table/ServiceTable.tsx";
import { EmptyCanvasGuide } from "./EmptyCanvasGuide.tsx";
import { ImportDialog } from "./dialogs/ImportDialog.tsx";
import { Inspector } from "./inspector/Inspector.tsx";
import { IssuesPanel } from "./inspector/IssuesPanel.tsx";
import { FlowCanvas } from "../_canvas/FlowCanvas.tsx";
import { FIT_VIEW, MINIMAP } from "../_canvas/spacing.ts";
import { DND_MIME, Palette } from "./toolbar/Palette.tsx";
import { createEditorStore, type EditorStore } from "../_canvas/store/store.ts";
import { Toolbar } from "./toolbar/Toolbar.tsx";
import { useDerived } from "./hooks/useDerived.ts";
import { settledIssues } from "./hooks/settledIssues.ts";
import { useReportedRealServers } from "./hooks/useReportedRealServers.ts";
import { useFocus } from "./hooks/useFocus.ts";
import { useSave } from "./hooks/useSave.ts";
import { useLeaveGuard } from "./hooks/useLeaveGuard.ts";
import { useShortcuts } from "./hooks/useShortcuts.ts";

export interface TopologyEditorProps {
  id: string;
  revision: number;
  document: Topology;
  /** a role that cannot save: the canvas, inspector and shortcuts only read (the server refuses anyway) */
  readOnly?: boolean;
}

/** Rendered only once the topology query resolved (never drop nodes onto a canvas about to be replaced). */
export function TopologyEditor(props: TopologyEditorProps) {
  const [store] = useState(() => createEditorStore(props.document, { revision: props.revision, readOnly: props.readOnly ?? false }));
  const [view] = useState(() => createViewStore(initialMode(store.getState().nodes.length)));
  return (
    <EditorContext.Provider value={store}>
      <ViewContext.Provider value={view}>
        <ReactFlowProvider>
          <MembershipMarksProvider>
            <EditorBody id={props.id} store={store} view={view} />
          </MembershipMarksProvider>
        </ReactFlowProvider>
      </ViewContext.Provider>
    </EditorContext.Provider>
  );
}

const MINIMAP_COLOR: Record<CanvasNode["type"], string> = {
  director: "#1e293b", service: "#818cf8", realServer: "#10b981", serviceGroup: "#c7d2fe", pool: "#a7f3d0",
};
const minimapColor = (n: CanvasNode) => MINIMAP_COLOR[n.type];

function EditorBody({ id, store, view }: { id: string; store: EditorStore; view: ViewStore }) {
  const { mode, nodes, edges, onNodesChange, onEdgesChange } = useCanvasElements(store, view);
  const dirty = useStore(store, (s) => s.dirty);
  const readOnly = useStore(store, (s) => s.readOnly);
  const empty = useStore(store, (s) => s.nodes.length === 0);
  const { screenToFlowPosition } = useReactFlow();
  const t = useTranslations("editor");
  const focus = useFocus(store, view);
  const saver = useSave(id, store);
  // the optional revision message (the revisions list reads it); Ctrl+S saves with it too
  const [message, setMessage] = useState("");
  /** errors the last successful save was made with: saving is allowed, but the operator is told */
  const [savedWithErrors, setSavedWithErrors] = useState<{ revision: number; errors: number } | null>(null);
  const saveNow = async () => {
    const ok = await saver.save({ message });
    if (!ok) return;
    setMessage("");
    const revision = store.getState().revision;
    // a big document is checked on a worker: count the errors of the document just saved, not the
    // issues of the one before it (a save right after an edit comes before the worker's answer)
    const errors = (await settledIssues(store)).filter((i) => i.severity === "error").length;
    setSavedWithErrors(errors > 0 ? { revision, errors } : null);
  };
  const [dialog, setDialog] = useState<"export" | "import" | null>(null);
  // fit only a loaded document: on an empty canvas React Flow would fit (and move) at the first drop
  const [fitOnLoad] = useState(() => store.getState().nodes.length > 0);

  useDerived(store, useReportedRealServers());
  useShortcuts(store, () => void (readOnly ? undefined : saveNow()));

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
  const isValidConnection = useCallback<IsValidConnection<CanvasEdge>>((c) => store.getState().canConnect(c), [store]);

  return (
    <div className="flex min-h-0 flex-1 flex-col" data-testid="topology-editor" data-readonly={readOnly}>
      <Toolbar
        onSave={() => void saveNow()}
        message={message}
        onMessage={setMessage}
        savedWithErrors={savedWithErrors}
        saving={saver.saving}
        saveError={saver.error}
        onExport={() => setDialog("export")}
        onImport={() => setDialog("import")}
        readOnly={readOnly}
        focus={focus}
      />
      <div className="flex min-h-0 flex-1">
        {!readOnly && <Palette />}
        {mode === "table" ? <ServiceTable /> : <FlowCanvas
          key={mode}
          testId="canvas"
          className="relative min-w-0 flex-1"
          onDragOver={readOnly ? undefined : onDragOver}
          onDrop={readOnly ? undefined : onDrop}
          nodes={nodes}
          edges={edges}
          onNodesChange={onNodesChange}
          onEdgesChange={onEdgesChange}
          onConnect={readOnly ? undefined : onConnect}
          nodesConnectable={!readOnly}
          isValidConnection={isValidConnection}
          multiSelectionKeyCode={["Meta", "Control", "Shift"]}
          selectionKeyCode="Shift"
          nodesDraggable={mode === "graph" && !readOnly}
          fitView={fitOnLoad || mode === "grouped"}
          fitViewOptions={FIT_VIEW}
          view={mode}
        >
          {empty && <EmptyCanvasGuide readOnly={readOnly} />}
          <MiniMap<CanvasNode> pannable zoomable nodeColor={minimapColor} data-testid="minimap" style={{ width: MINIMAP.width, height: MINIMAP.height }} />
        </FlowCanvas>}
        <aside className="flex w-80 shrink-0 flex-col border-l border-slate-200 bg-white">
          <div className="min-h-0 flex-1 overflow-y-auto">
            <Inspector />
          </div>
          <IssuesPanel onFocus={focus} />
        </aside>
      </div>
      {dialog === "export" && <ExportDialog onClose={() => setDialog(null)} />}
      {dialog === "import" && !readOnly && <ImportDialog onClose={() => setDialog(null)} />}
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
