/**
 * The viewport box of React Flow's <MiniMap> during a drag pan (pan/useDragViewport.ts moves the
 * viewport without React Flow's store, so MiniMap does not redraw until the drag ends). MiniMap's
 * mask path is two subpaths: the whole drawn area, then the viewport (viewBB) cut out of it
 * (fill-rule evenodd); this replaces the second with the moving viewport, written as MiniMap writes
 * it (@xyflow/react 12, MiniMapComponent), so after the drag MiniMap draws the same box.
 * The drawn area (the first subpath and the svg's viewBox) stays as the drag found it: MiniMap
 * would also widen it when the viewport leaves the nodes' bounds, which re-lays-out and repaints
 * every node of the minimap (~1 ms of layout and ~1.3 ms of paint per frame at 500 nodes,
 * bench/panFrames.ts) for a box that is then drawn at the minimap's edge until the drag ends.
 * Pure, unit-tested; the e2e canvas spec compares it with MiniMap's own rendering.
 */

export interface Viewport {
  x: number;
  y: number;
  zoom: number;
}

/** mask: MiniMap's current mask path; pane: the flow's width and height in screen pixels */
export function maskWithViewport(mask: string, pane: { width: number; height: number }, vp: Viewport): string {
  const cut = mask.lastIndexOf("M");
  const drawn = cut > 0 ? mask.slice(0, cut) : "";
  const x = -vp.x / vp.zoom, y = -vp.y / vp.zoom, width = pane.width / vp.zoom, height = pane.height / vp.zoom;
  return `${drawn}M${x},${y}h${width}v${height}h${-width}z`;
}
