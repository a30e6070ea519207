/**
 * While the viewport moves, the canvas draws its edges as a handful of SVG paths instead of ~1 000
 * `<svg>` elements (usePanSnapshot.ts): Chromium rebuilds its compositing layers
 * (PaintArtifactCompositor::Update) on every frame whose viewport transform changed, at a cost that
 * grows with the paint chunks under the viewport, and each React Flow edge is its own chunk
 * (bench/panFrames.ts: 15-35 ms of a 500-node pan frame at load 17, 3 ms with the edges hidden).
 * Pure: groups the drawn edge paths by their look into one `d` per look.
 */

/** One drawn edge path as the DOM has it (BaseEdge's inline style). */
export interface DrawnPath {
  d: string;
  stroke: string;
  strokeWidth: string;
  strokeDasharray: string;
  opacity: string;
}

export interface SnapshotPath extends Omit<DrawnPath, "d"> {
  /** every edge of this look, one subpath each */
  d: string;
  /** how many edges it draws */
  edges: number;
}

/** Same look → one path; first-seen order (later looks paint over earlier ones, as the edges did). */
export function groupPaths(paths: Iterable<DrawnPath>): SnapshotPath[] {
  const byLook = new Map<string, { look: Omit<DrawnPath, "d">; ds: string[] }>();
  for (const p of paths) {
    if (!p.d) continue;
    const key = `${p.stroke}|${p.strokeWidth}|${p.strokeDasharray}|${p.opacity}`;
    let group = byLook.get(key);
    if (!group) byLook.set(key, (group = { look: { stroke: p.stroke, strokeWidth: p.strokeWidth, strokeDasharray: p.strokeDasharray, opacity: p.opacity }, ds: [] }));
    // a subpath must start with a moveto; React Flow's paths do (M…), anything else is skipped
    if (/^\s*[Mm]/.test(p.d)) group.ds.push(p.d.trim());
  }
  return [...byLook.values()].filter((g) => g.ds.length).map((g) => ({ ...g.look, d: g.ds.join(" "), edges: g.ds.length }));
}
