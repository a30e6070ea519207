"use client";
import { useReactFlow } from "@xyflow/react";
import { useCallback } from "react";
import type { EditorStore } from "../../_canvas/store/store.ts";

/** Select a node or edge and bring it into view (issues panel, search box). */
export function useFocus(store: EditorStore) {
  const { fitView } = useReactFlow();
  return useCallback(
    (objectId: string) => {
      const s = store.getState();
      const node = s.nodes.find((n) => n.id === objectId);
      const edge = node ? undefined : s.edges.find((e) => e.id === objectId);
      if (!node && !edge) return;
      s.select([objectId]);
      const around = node ? [node.id] : [edge!.source, edge!.target];
      void fitView({ nodes: around.map((id) => ({ id })), duration: 300, maxZoom: 1.2, padding: 0.4 });
    },
    [store, fitView],
  );
}
