/**
 * Automatic layout with elkjs (layered, left to right: directors → services → real servers),
 * for imported or messy topologies. Returns positions only; the store applies them (one undo step).
 * elkjs is 1.6 MB of JavaScript: it is loaded on first use, not with the editor (bench:editor's
 * first-load figure).
 */
import type { XYPosition } from "@xyflow/react";
import type { EditorEdge, EditorNode, NodeKind } from "../../_canvas/graph.ts";
import { LABEL_ROOM, NODE_WIDTH } from "../../_canvas/spacing.ts";

const SIZE: Record<NodeKind, { width: number; height: number }> = {
  director: { width: NODE_WIDTH.director, height: 80 },
  service: { width: NODE_WIDTH.service, height: 70 },
  realServer: { width: NODE_WIDTH.realServer, height: 60 },
};

const LAYER: Record<NodeKind, number> = { director: 0, service: 1, realServer: 2 };

type Elk = InstanceType<typeof import("elkjs/lib/elk.bundled.js").default>;
let elk: Promise<Elk> | null = null;

/** The layout engine, loaded once (the import dialog starts loading it while the operator reads). */
export function loadElk(): Promise<Elk> {
  elk ??= import("elkjs/lib/elk.bundled.js").then(
    (m) => new m.default(),
    (e: unknown) => {
      elk = null; // a failed chunk load is retried next time
      throw e;
    },
  );
  return elk;
}

export async function autoLayout(
  nodes: readonly EditorNode[],
  edges: readonly EditorEdge[],
  origin: XYPosition = { x: 0, y: 0 },
): Promise<Record<string, XYPosition>> {
  const engine = await loadElk();
  const ids = new Set(nodes.map((n) => n.id));
  const graph = await engine.layout({
    id: "root",
    layoutOptions: {
      "elk.algorithm": "layered",
      "elk.direction": "RIGHT",
      // a membership label sits at its edge's middle: the columns leave it room (spacing.ts)
      "elk.layered.spacing.nodeNodeBetweenLayers": String(LABEL_ROOM),
      "elk.spacing.nodeNode": "40",
      "elk.layered.nodePlacement.strategy": "NETWORK_SIMPLEX",
      "elk.layered.layering.strategy": "INTERACTIVE",
      "elk.separateConnectedComponents": "false",
    },
    children: nodes.map((n) => ({
      id: n.id,
      width: n.measured?.width ?? SIZE[n.type].width,
      height: n.measured?.height ?? SIZE[n.type].height,
      // the interactive layering keeps kinds in their column
      x: LAYER[n.type] * 500,
      y: 0,
    })),
    edges: edges
      .filter((e) => ids.has(e.source) && ids.has(e.target))
      .map((e) => ({ id: e.id, sources: [e.source], targets: [e.target] })),
  });
  const out: Record<string, XYPosition> = {};
  for (const c of graph.children ?? []) {
    out[c.id] = { x: Math.round((c.x ?? 0) + origin.x), y: Math.round((c.y ?? 0) + origin.y) };
  }
  return out;
}
