"use client";
/**
 * A drag pan of the canvas without a React Flow store update per frame (issue 17, bench/panFrames.ts).
 *
 * Uncontrolled, React Flow puts every viewport change of a pan into its store, and every component
 * subscribed to the store re-runs its selector: at 500 nodes / 1 000 edges that is ~4 000 selectors
 * (each node wrapper, each edge wrapper with its edge position) and 8-10 ms of script in every pan
 * frame, the biggest part of a frame that took ~17 ms of main thread, so frames came every other
 * vsync or slower. Nothing those selectors compute depends on a pure translation (the node
 * and edge positions are in flow coordinates), so during a drag pan FlowCanvas controls the
 * viewport (ReactFlow's `viewport` / `onViewportChange`): d3-zoom still runs the gesture and keeps
 * its own transform; this hook writes the transform where it is drawn (the viewport element, the
 * dot grid's pattern offset, the minimap's viewport box: minimapMask.ts), and gives it to the store when the
 * drag ends or the viewport has been still for a moment (usePanSnapshot's IDLE_MS), so the store
 * is stale only while the pointer moves.
 * Any other move (wheel, pinch, zoom buttons, fit view, search) and any change of zoom goes to the
 * store at once, as React Flow does itself. Only while every element is mounted: a culled canvas
 * must mount what a pan brings into view, which needs the store's transform each frame.
 */
import { useStoreApi, type Viewport } from "@xyflow/react";
import { useCallback, useRef, type RefObject } from "react";
import { maskWithViewport } from "./minimapMask.ts";

interface Drag {
  zoom: number;
  viewport: HTMLElement | null;
  pattern: SVGPatternElement | null;
  /** the minimap's mask path as the drag found it */
  minimap: { mask: SVGPathElement; d: string } | null;
}

const isDrag = (event: MouseEvent | TouchEvent | null) => event?.type === "mousedown" || event?.type === "touchstart";

export function useDragViewport(wrapper: RefObject<HTMLDivElement | null>, enabled: boolean) {
  const store = useStoreApi();
  const on = useRef(enabled);
  on.current = enabled;
  const drag = useRef<Drag | null>(null);
  /** the viewport drawn but not yet in the store */
  const pending = useRef<Viewport | null>(null);

  /** the drawn viewport into the store (React Flow then draws the same values) */
  const commit = useCallback(() => {
    const vp = pending.current;
    pending.current = null;
    if (vp) store.setState({ transform: [vp.x, vp.y, vp.zoom] });
  }, [store]);

  const onMoveStart = useCallback((event: MouseEvent | TouchEvent | null) => {
    commit();
    drag.current = null;
    const root = wrapper.current;
    if (!on.current || !root || !isDrag(event)) return;
    const mask = root.querySelector<SVGPathElement>(".react-flow__minimap-mask");
    drag.current = {
      zoom: store.getState().transform[2],
      viewport: root.querySelector<HTMLElement>(".react-flow__viewport"),
      pattern: root.querySelector<SVGPatternElement>(".react-flow__background pattern"),
      minimap: mask ? { mask, d: mask.getAttribute("d") ?? "" } : null,
    };
  }, [wrapper, store, commit]);

  const onViewportChange = useCallback((vp: Viewport) => {
    const d = drag.current;
    if (!d || vp.zoom !== d.zoom || !d.viewport) {
      // not a drag pan (or it zooms: the dot grid, the level of detail and the culling follow the zoom)
      drag.current = null;
      pending.current = null;
      store.setState({ transform: [vp.x, vp.y, vp.zoom] });
      return;
    }
    pending.current = vp;
    // what React Flow's Viewport, Background and MiniMap render for this transform
    d.viewport.style.transform = `translate(${vp.x}px,${vp.y}px) scale(${vp.zoom})`;
    if (d.pattern) {
      d.pattern.setAttribute("x", String(vp.x % Number(d.pattern.getAttribute("width"))));
      d.pattern.setAttribute("y", String(vp.y % Number(d.pattern.getAttribute("height"))));
    }
    if (d.minimap) d.minimap.mask.setAttribute("d", maskWithViewport(d.minimap.d, store.getState(), vp));
  }, [store]);

  /** the move is over (or still for a moment): the store gets the viewport; `end` also ends the drag */
  const settle = useCallback((end: boolean) => {
    commit();
    if (end) drag.current = null;
  }, [commit]);

  return { onMoveStart, onViewportChange, settle };
}
