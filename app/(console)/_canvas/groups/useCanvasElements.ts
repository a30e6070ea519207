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
import { sameObject, type EditorStore } from "../store/store.ts";
import { groupGraph, type CanvasEdge, type CanvasNode } from "./groupGraph.ts";
import type { ViewStore } from "./viewStore.ts";

/**
 * Same drawing: every grouping run rebuilds its nodes (new objects with the document's data, or new
 * group and pool data), most of them unchanged.
 */
function sameDrawing(a: CanvasNode, b: CanvasNode): boolean {
  if (a.type !== b.type || a.position.x !== b.position.x || a.position.y !== b.position.y || a.selected !== b.selected || a.draggable !== b.draggable) return false;
  if (a.data === b.data) return true;
  return (a.type === "serviceGroup" || a.type === "pool") && sameObject(a.data, b.data);
}

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
  // output node per id, reused while its source node and measured size are unchanged: React Flow
  // re-adopts (and re-renders) every node object it has not seen before
  const made = useRef(new Map<string, { src: CanvasNode; size: Dimensions | undefined; out: CanvasNode }>());
  const shown = useMemo((): { nodes: CanvasNode[]; edges: CanvasEdge[] } => {
    if (!grouped) return { nodes, edges };
    const cache = made.current;
    const next = new Map<string, { src: CanvasNode; size: Dimensions | undefined; out: CanvasNode }>();
    const out = grouped.nodes.map((n) => {
      const size = sizes.current.get(n.id);
      const was = cache.get(n.id);
      const reuse = was && was.size === size && (was.src === n || sameDrawing(was.src, n));
      const node = reuse ? was.out : size ? { ...n, measured: size } : n;
      next.set(n.id, { src: n, size, out: node });
      return node;
    });
    made.current = next;
    return { nodes: out, edges: grouped.edges };
    // sizeVersion: the sizes live in a ref
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [grouped, nodes, edges, sizeVersion]);

  const onNodesChange = useCallback(
    (changes: NodeChange<CanvasNode>[]) => {
      const own: NodeChange<EditorNode>[] = [];
      let measured = false;
      const grouping = view.getState().mode === "grouped";
      for (const c of changes) {
        const id = "id" in c ? c.id : c.item.id;
        // grouped: every node's size stays here; a size in the document store would re-run the
        // grouping over the whole document for each batch React Flow measures
        if (c.type === "dimensions" && (grouping || isDerived(id))) {
          if (!c.dimensions) continue;
          const was = sizes.current.get(id);
          if (was?.width === c.dimensions.width && was.height === c.dimensions.height) continue;
          sizes.current.set(id, c.dimensions);
          measured = true;
        } else if (!isDerived(id)) own.push(c as NodeChange<EditorNode>);
      }
      if (own.length) store.getState().onNodesChange(own);
      if (measured) setSizeVersion((v) => v + 1);
    },
    [store, view],
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
