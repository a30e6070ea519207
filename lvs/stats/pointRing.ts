/**
 * A fixed-capacity ring of chart points in typed arrays (8 bytes for the time, 4 per value):
 * 10 000 series x 900 points cost ~320 MB as typed arrays instead of ~1 GB as objects.
 * Values are float32 (rates within ~1e-7 relative error, counts exact below 2^24). Pure.
 */
export interface Point {
  at: number;
  cps: number;
  inPps: number;
  outPps: number;
  inBps: number;
  outBps: number;
  activeConns: number;
  inactConns: number;
}

export const POINT_FIELDS = ["cps", "inPps", "outPps", "inBps", "outBps", "activeConns", "inactConns"] as const;
const W = POINT_FIELDS.length;

export class PointRing {
  private readonly at: Float64Array;
  private readonly v: Float32Array;
  private start = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`PointRing capacity must be a positive integer, got ${capacity}`);
    this.at = new Float64Array(capacity);
    this.v = new Float32Array(capacity * W);
  }

  get size(): number {
    return this.count;
  }

  /** Appends a point; a point not newer than the last one replaces nothing and is dropped (keeps time order). */
  push(p: Point): void {
    if (this.count > 0 && p.at <= this.at[(this.start + this.count - 1) % this.capacity]!) return;
    const i = (this.start + this.count) % this.capacity;
    this.at[i] = p.at;
    for (let f = 0; f < W; f++) this.v[i * W + f] = p[POINT_FIELDS[f]!];
    if (this.count < this.capacity) this.count++;
    else this.start = (this.start + 1) % this.capacity;
  }

  /** push without a Point object (hot path): rates of a service/destination plus its connection counts */
  pushRates(at: number, r: { cps: number; inPps: number; outPps: number; inBps: number; outBps: number }, active: number, inact: number): void {
    if (this.count > 0 && at <= this.at[(this.start + this.count - 1) % this.capacity]!) return;
    const i = (this.start + this.count) % this.capacity;
    const o = i * W;
    const v = this.v;
    this.at[i] = at;
    v[o] = r.cps;
    v[o + 1] = r.inPps;
    v[o + 2] = r.outPps;
    v[o + 3] = r.inBps;
    v[o + 4] = r.outBps;
    v[o + 5] = active;
    v[o + 6] = inact;
    if (this.count < this.capacity) this.count++;
    else this.start = (this.start + 1) % this.capacity;
  }

  /** time of the oldest point kept, or null when empty */
  oldest(): number | null {
    return this.count === 0 ? null : this.at[this.start]!;
  }

  private point(k: number): Point {
    const i = (this.start + k) % this.capacity;
    const o = i * W;
    const v = this.v;
    return { at: this.at[i]!, cps: v[o]!, inPps: v[o + 1]!, outPps: v[o + 2]!, inBps: v[o + 3]!, outBps: v[o + 4]!, activeConns: v[o + 5]!, inactConns: v[o + 6]! };
  }

  /** Points with from <= at < to, oldest first; at most `max` of the newest when given. */
  range(from: number, to: number, max = Infinity): Point[] {
    // binary search for the first point >= from
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.at[(this.start + mid) % this.capacity]! < from) lo = mid + 1;
      else hi = mid;
    }
    const out: Point[] = [];
    for (let k = lo; k < this.count; k++) {
      const p = this.point(k);
      if (p.at >= to) break;
      out.push(p);
    }
    return out.length > max ? out.slice(out.length - max) : out;
  }
}

/**
 * Averages points into buckets of `stepMs` (aligned to multiples of it): rates and ActiveConn
 * averaged, InActConn last. Used when a live range holds more points than a chart needs.
 */
export function averagePoints(points: readonly Point[], stepMs: number): Point[] {
  if (stepMs <= 1) return [...points];
  const out: Point[] = [];
  let cur: Point | null = null;
  let n = 0;
  const close = () => {
    if (!cur) return;
    for (const f of POINT_FIELDS) if (f !== "inactConns") cur[f] /= n;
    out.push(cur);
  };
  for (const p of points) {
    const bucket = Math.floor(p.at / stepMs) * stepMs;
    if (!cur || cur.at !== bucket) {
      close();
      cur = { ...p, at: bucket };
      n = 1;
      continue;
    }
    for (const f of POINT_FIELDS) if (f !== "inactConns") cur[f] += p[f];
    cur.inactConns = p.inactConns;
    n++;
  }
  close();
  return out;
}
