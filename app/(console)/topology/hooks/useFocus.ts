"use client";
import { useReactFlow } from "@xyflow/react";
import { useCallback } from "react";
import type { ViewStore } from "../../_canvas/groups/viewStore.ts";
import type { EditorStore } from "../../_canvas/store/store.ts";

/**
 * Select a node or edge and bring it into view (issues panel, search box). In the grouped canvas the
 * groups and pool that hide it are opened first; the view is fitted once React Flow has measured it.
 */
export function useFocus(store: EditorStore, view: ViewStore) {
  const { fitView, getInternalNode } = useReactFlow();
  return useCallback(
    (objectId: string) => {
      const s = store.getState();
      const node = s.nodes.find((n) => n.id === objectId);
      const edge = node ? undefined : s.edges.find((e) => e.id === objectId);
      if (!node && !edge) return;
      s.select([objectId]);
      if (view.getState().mode === "table") return;
      const opened = view.getState().reveal(objectId, s.nodes, s.edges);
      const around = node ? [node.id] : [edge!.source, edge!.target];
      const fit = (tries: number) => {
        const ready = around.every((id) => getInternalNode(id)?.measured.width);
        if (!ready && tries > 0) return void setTimeout(() => fit(tries - 1), 50);
        void fitView({ nodes: around.map((id) => ({ id })), duration: 300, maxZoom: 1.2, padding: 0.4 });
      };
      if (opened) requestAnimationFrame(() => fit(40));
      else fit(0);
    },
    [store, view, fitView, getInternalNode],
  );
}
