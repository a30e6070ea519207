/**
 * Recent chart points per series, kept in the browser (one point a second per series while live),
 * and their columnar form for uPlot. Series ids follow the server's `recent` ids:
 * "directorId/serviceKey" for a virtual service, "directorId/serviceKey/address|port" for a real server.
 */
import type { LivePoint } from "@/lvs/protocol/live.ts";

export const SERIES_CAPACITY = 900;

export const seriesId = (directorId: string, serviceKey: string, destination?: string) =>
  destination === undefined ? `${directorId}/${serviceKey}` : `${directorId}/${serviceKey}/${destination}`;

/** Ring of points in time order; a point not newer than the last is dropped (or replaces an equal time). */
export class PointRing {
  private readonly items: LivePoint[] = [];

  constructor(readonly capacity = SERIES_CAPACITY) {}

  get size(): number {
    return this.items.length;
  }

  last(): LivePoint | undefined {
    return this.items[this.items.length - 1];
  }

  push(p: LivePoint): void {
    const last = this.last();
    if (last && p.at < last.at) return;
    if (last && p.at === last.at) {
      this.items[this.items.length - 1] = p;
      return;
    }
    this.items.push(p);
    if (this.items.length > this.capacity) this.items.splice(0, this.items.length - this.capacity);
  }

  /** Merge points that may overlap what is held (a resume's `recent`): result sorted, one per time. */
  merge(points: readonly LivePoint[]): void {
    const byAt = new Map<number, LivePoint>();
    for (const p of this.items) byAt.set(p.at, p);
    for (const p of points) byAt.set(p.at, p);
    const all = [...byAt.values()].sort((a, b) => a.at - b.at);
    this.items.length = 0;
    this.items.push(...all.slice(Math.max(0, all.length - this.capacity)));
  }

  /** Points with at >= since, oldest first. */
  since(since: number): LivePoint[] {
    let lo = 0;
    let hi = this.items.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.items[mid]!.at < since) lo = mid + 1;
      else hi = mid;
    }
    return this.items.slice(lo);
  }

  toArray(): LivePoint[] {
    return this.items.slice();
  }
}

export const POINT_FIELDS = ["cps", "inPps", "outPps", "inBps", "outBps", "activeConns", "inactConns"] as const;
export type PointField = (typeof POINT_FIELDS)[number];

/**
 * uPlot's AlignedData: x in seconds, then one array per field. When `stepMs` is given, a missing
 * step between two points becomes a null (a gap in the line, not a straight interpolation).
 */
export function toColumns(points: readonly LivePoint[], fields: readonly PointField[], stepMs?: number): [number[], ...(number | null)[][]] {
  const xs: number[] = [];
  const ys: (number | null)[][] = fields.map(() => []);
  let prev: number | null = null;
  for (const p of points) {
    if (stepMs !== undefined && prev !== null && p.at - prev > 2.5 * stepMs) {
      xs.push((prev + stepMs) / 1000);
      ys.forEach((col) => col.push(null));
    }
    xs.push(p.at / 1000);
    fields.forEach((f, i) => ys[i]!.push(p[f]));
    prev = p.at;
  }
  return [xs, ...ys];
}
