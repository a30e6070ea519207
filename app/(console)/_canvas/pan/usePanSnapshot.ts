"use client";
/**
 * The moving-viewport mode of the canvas (see edgeSnapshot.ts for why): on the first viewport change
 * of a pan or zoom the wrapper gets `data-moving` (FlowCanvas's CSS then lays a pointer shield over
 * the pane), and, while every edge is mounted (no culling: a culled canvas has no paths for the
 * edges a pan brings into view), the drawn edge paths are copied into one SVG layer in the viewport
 * (a few paths, grouped by look) and the wrapper gets `data-snapshot` (its edge count), under which
 * React Flow's per-edge SVGs and the edge labels are hidden. When the move ends all comes back, and
 * also once the viewport has been still for IDLE_MS: d3-zoom does not always pair its events (a
 * transition interrupted before it started ends a gesture that never began, and the next one then
 * moves without start or end events: search, then fit view), and a canvas must not stay in this mode.
 * A click (a move start without a move) changes nothing. `settle` (useDragViewport's) is told when
 * the mode ends: `true` for the move's end event, `false` when the viewport was merely still.
 */
import { useCallback, useEffect, useRef, type RefObject } from "react";
import { groupPaths, type DrawnPath } from "./edgeSnapshot.ts";

const SVG_NS = "http://www.w3.org/2000/svg";
/** still this long (ms) = the move is over, whatever d3-zoom reported */
export const IDLE_MS = 250;

function drawnPath(path: SVGPathElement): DrawnPath {
  const s = path.style;
  const computed = s.stroke ? null : getComputedStyle(path);
  return {
    d: path.getAttribute("d") ?? "",
    stroke: s.stroke || computed!.stroke,
    strokeWidth: s.strokeWidth || (computed?.strokeWidth ?? "1"),
    strokeDasharray: s.strokeDasharray,
    opacity: s.opacity,
  };
}

export function usePanSnapshot(wrapper: RefObject<HTMLDivElement | null>, enabled: boolean, settle?: (end: boolean) => void) {
  const layer = useRef<SVGSVGElement>(null);
  const moving = useRef(false);
  const on = useRef(enabled);
  on.current = enabled;
  const idle = useRef<ReturnType<typeof setTimeout>>(undefined);
  const settled = useRef(settle);
  settled.current = settle;

  const finish = useCallback((end: boolean) => {
    clearTimeout(idle.current);
    settled.current?.(end);
    if (!moving.current) return;
    moving.current = false;
    if (wrapper.current) {
      delete wrapper.current.dataset.moving;
      delete wrapper.current.dataset.snapshot;
    }
    layer.current?.replaceChildren();
  }, [wrapper]);
  const onMoveEnd = useCallback(() => finish(true), [finish]);
  const onIdle = useCallback(() => finish(false), [finish]);
  useEffect(() => () => clearTimeout(idle.current), []);

  const onMove = useCallback(() => {
    clearTimeout(idle.current);
    idle.current = setTimeout(onIdle, IDLE_MS);
    const root = wrapper.current, svg = layer.current;
    if (moving.current || !root) return;
    moving.current = true;
    root.dataset.moving = "";
    if (!on.current || !svg) return;
    const paths = groupPaths([...root.querySelectorAll<SVGPathElement>(".react-flow__edges .react-flow__edge-path")].map(drawnPath));
    svg.replaceChildren(...paths.map((g) => {
      const el = document.createElementNS(SVG_NS, "path");
      el.setAttribute("d", g.d);
      el.setAttribute("fill", "none");
      el.setAttribute("stroke", g.stroke);
      el.setAttribute("stroke-width", g.strokeWidth);
      if (g.strokeDasharray && g.strokeDasharray !== "none") el.setAttribute("stroke-dasharray", g.strokeDasharray);
      if (g.opacity) el.setAttribute("opacity", g.opacity);
      return el;
    }));
    root.dataset.snapshot = String(paths.reduce((a, g) => a + g.edges, 0));
  }, [wrapper, onIdle]);

  return { layer, onMove, onMoveEnd };
}
