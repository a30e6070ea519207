/**
 * How much room the canvas leaves, in one place: node widths (the views' Tailwind widths), the gap a
 * membership label needs between the service and real-server columns (it sits at the edge's middle,
 * under nodes if the gap is narrower), and the fit-view padding that keeps the minimap's corner free.
 * Used by the default columns (graph.ts), elk's auto layout and every fit view of the editor.
 */
import type { FitViewOptions } from "@xyflow/react";
import type { NodeKind } from "./graph.ts";

/** w-56, w-72, w-52 in the node views */
export const NODE_WIDTH: Record<NodeKind, number> = { director: 224, service: 288, realServer: 208 };

/**
 * Widest membership label: "-> [2001:db8::100]:8080 Masq 65535 DRAINING ✕ 1" is about 240 px at the
 * label's 10 px monospace (6 px a character) plus the state word and badge, with a margin each side.
 */
export const LABEL_ROOM = 280;
/** between director and service columns (placement edges carry no label) */
export const PLACEMENT_ROOM = 100;

/** x of each kind's column when a node has no saved position */
export const COLUMN_X: Record<NodeKind, number> = {
  director: 0,
  service: NODE_WIDTH.director + PLACEMENT_ROOM,
  realServer: NODE_WIDTH.director + PLACEMENT_ROOM + NODE_WIDTH.service + LABEL_ROOM,
};

/** React Flow's MiniMap default size and its margin from the corner */
export const MINIMAP = { width: 200, height: 150, margin: 15 } as const;

/** Fit view never puts a node under the minimap (bottom right) or the zoom controls (bottom left). */
export const FIT_VIEW: FitViewOptions = {
  maxZoom: 1.2,
  padding: { top: "30px", bottom: "30px", left: "60px", right: `${MINIMAP.width + 2 * MINIMAP.margin}px` },
};

/** the same for the read-only live canvas, which has no minimap */
export const FIT_VIEW_LIVE: FitViewOptions = { maxZoom: 1, padding: { top: "20px", bottom: "20px", left: "60px", right: "20px" } };
