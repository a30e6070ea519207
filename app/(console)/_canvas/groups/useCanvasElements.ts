"use client";
/**
 * What the shared canvas draws for a document store and a view store: the document's own nodes and
 * edges (graph mode), or the grouped graph (grouped mode, groupGraph.ts). Changes React Flow reports
 * go back to the document store for document objects; group and pool nodes keep only their measured
 * size here (they are derived, never saved).
 */
import type { Dimensions, EdgeChange, NodeChange } from "@xyflow/react";
import { useCallback, useMemo, useRef, useState } from "react";
import { useStore } from "zustand";
import type { EditorEdge, EditorNode } from "../graph.ts";
import type { EditorStore } from "../store/store.ts";
import { groupGraph, type CanvasEdge, type CanvasNode } from "./groupGraph.ts";
import type { ViewStore } from "./viewStore.ts";

const isDerived = (id: string) => id.startsWith("group:") || id.startsWith("pool:") || id.startsWith("link:");

export function useCanvasElements(store: EditorStore, view: ViewStore) {
  const nodes = useStore(store, (s) => s.nodes);
  const edges = useStore(store, (s) => s.edges);
  const mode = useStore(view, (s) => s.mode);
  const expanded = useStore(view, (s) => s.expanded);
  const pinned = useStore(view, (s) => s.pinned);
  const sizes = useRef(new Map<string, Dimensions>());
  const [sizeVersion, setSizeVersion] = useState(0);

  const grouped = useMemo(
    () => (mode === "grouped" ? groupGraph(nodes, edges, { expanded, pinned }) : null),
    [mode, nodes, edges, expanded, pinned],
  );
  const shown = useMemo((): { nodes: CanvasNode[]; edges: CanvasEdge[] } => {
    if (!grouped) return { nodes, edges };
    return {
      nodes: grouped.nodes.map((n) => {
        const measured = isDerived(n.id) ? sizes.current.get(n.id) : undefined;
        return measured ? { ...n, measured } : n;
      }),
      edges: grouped.edges,
    };
    // sizeVersion: the derived nodes' sizes live in a ref
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [grouped, nodes, edges, sizeVersion]);

  const onNodesChange = useCallback(
    (changes: NodeChange<CanvasNode>[]) => {
      const own: NodeChange<EditorNode>[] = [];
      let measured = false;
      for (const c of changes) {
        const id = "id" in c ? c.id : c.item.id;
        if (!isDerived(id)) own.push(c as NodeChange<EditorNode>);
        else if (c.type === "dimensions" && c.dimensions) {
          const was = sizes.current.get(id);
          if (was?.width === c.dimensions.width && was.height === c.dimensions.height) continue;
          sizes.current.set(id, c.dimensions);
          measured = true;
        }
      }
      if (own.length) store.getState().onNodesChange(own);
      if (measured) setSizeVersion((v) => v + 1);
    },
    [store],
  );
  const onEdgesChange = useCallback(
    (changes: EdgeChange<CanvasEdge>[]) => {
      const own = changes.filter((c) => !isDerived("id" in c ? c.id : c.item.id)) as EdgeChange<EditorEdge>[];
      if (own.length) store.getState().onEdgesChange(own);
    },
    [store],
  );
  return { mode, nodes: shown.nodes, edges: shown.edges, onNodesChange, onEdgesChange };
}
