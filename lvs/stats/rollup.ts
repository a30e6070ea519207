/**
 * Per-minute rollups of 1 Hz statistics samples, and downsampling of rollups for long ranges.
 *
 * A sample carries the cumulative counters of one service or destination (as `ipvsadm --stats`
 * reports them) plus its ActiveConn/InActConn. A rollup holds, for one bucket, the counter increase
 * inside the bucket (a counter that went down — agent restart, `ipvsadm -Z` — is treated as reset to
 * zero, so its new value is the increase), the peak and last ActiveConn, the last InActConn, and the
 * number of samples. Rates for a bucket are increase / bucket length, like the kernel's estimator
 * over a longer window. Pure.
 */
import type { Counters } from "../model.ts";

export const MINUTE_MS = 60_000;
export const COUNTER_FIELDS = ["conns", "inPkts", "outPkts", "inBytes", "outBytes"] as const;

export interface Sample {
  at: number;
  counters: Counters;
  activeConns: number;
  inactConns: number;
}

export interface Rollup {
  /** bucket start, ms, aligned to bucketMs */
  bucket: number;
  bucketMs: number;
  /** counter increase inside the bucket */
  delta: Counters;
  activeMax: number;
  activeLast: number;
  inactLast: number;
  samples: number;
}

/** shared empty result of MinuteRoller.add (most calls complete nothing); never mutated */
const NONE: readonly Rollup[] = Object.freeze([]);

export const zeroCounters = (): Counters => ({ conns: 0, inPkts: 0, outPkts: 0, inBytes: 0, outBytes: 0 });

/** Increase from `prev` to `next`, field by field, with counter resets handled. */
export function counterDelta(prev: Counters | null, next: Counters): Counters {
  const d = zeroCounters();
  for (const f of COUNTER_FIELDS) {
    const p = prev ? prev[f] : next[f];
    d[f] = next[f] >= p ? next[f] - p : next[f];
  }
  return d;
}

/**
 * Incremental roller for one series: feed samples in time order; completed buckets come out.
 * The first sample of a series only establishes the baseline (its increase is unknown).
 */
export class MinuteRoller {
  private prev: Counters | null = null;
  private current: Rollup | null = null;

  constructor(private readonly bucketMs = MINUTE_MS) {}

  /** Returns the rollups completed by this sample (0 or 1; more never, buckets without samples are skipped). */
  add(sample: Sample): readonly Rollup[] {
    const bucket = Math.floor(sample.at / this.bucketMs) * this.bucketMs;
    let out: readonly Rollup[] = NONE;
    if (this.current && this.current.bucket !== bucket) {
      if (bucket < this.current.bucket) return NONE; // late sample: ignore, keeps rollups monotonic
      out = [this.current];
      this.current = null;
    }
    if (!this.current) {
      this.current = { bucket, bucketMs: this.bucketMs, delta: zeroCounters(), activeMax: 0, activeLast: 0, inactLast: 0, samples: 0 };
    }
    const r = this.current;
    // counterDelta inlined: this runs for every series every second
    const prev = this.prev;
    const next = sample.counters;
    for (const f of COUNTER_FIELDS) {
      const p = prev ? prev[f] : next[f];
      r.delta[f] += next[f] >= p ? next[f] - p : next[f];
    }
    this.prev = next;
    r.activeMax = Math.max(r.activeMax, sample.activeConns);
    r.activeLast = sample.activeConns;
    r.inactLast = sample.inactConns;
    r.samples++;
    return out;
  }

  /** The bucket in progress (for "live" reads), without closing it. */
  peek(): Rollup | null {
    return this.current ? { ...this.current, delta: { ...this.current.delta } } : null;
  }

  /** Close the bucket in progress (e.g. at shutdown). */
  flush(): Rollup[] {
    const r = this.current;
    this.current = null;
    return r ? [r] : [];
  }
}

/** Merge rollups into coarser buckets (e.g. 1-minute rows into 15-minute points for a 24 h chart). */
export function downsample(rollups: readonly Rollup[], bucketMs: number): Rollup[] {
  const byBucket = new Map<number, Rollup>();
  const sorted = [...rollups].sort((a, b) => a.bucket - b.bucket);
  for (const r of sorted) {
    const bucket = Math.floor(r.bucket / bucketMs) * bucketMs;
    let m = byBucket.get(bucket);
    if (!m) {
      m = { bucket, bucketMs, delta: zeroCounters(), activeMax: 0, activeLast: 0, inactLast: 0, samples: 0 };
      byBucket.set(bucket, m);
    }
    for (const f of COUNTER_FIELDS) m.delta[f] += r.delta[f];
    m.activeMax = Math.max(m.activeMax, r.activeMax);
    m.activeLast = r.activeLast;
    m.inactLast = r.inactLast;
    m.samples += r.samples;
  }
  return [...byBucket.values()];
}

/** Choose a bucket size so a range yields at most `maxPoints` points (multiples of a minute). */
export function bucketFor(rangeMs: number, maxPoints = 300): number {
  const steps = [1, 2, 5, 10, 15, 30, 60, 120, 360, 720, 1440].map((m) => m * MINUTE_MS);
  return steps.find((s) => rangeMs / s <= maxPoints) ?? steps[steps.length - 1]!;
}

/** Per-second rates of a rollup (cps, pps, Bps), like --rate over the bucket. */
export function rollupRates(r: Rollup): { cps: number; inPps: number; outPps: number; inBps: number; outBps: number } {
  const s = r.bucketMs / 1000;
  return { cps: r.delta.conns / s, inPps: r.delta.inPkts / s, outPps: r.delta.outPkts / s, inBps: r.delta.inBytes / s, outBps: r.delta.outBytes / s };
}
