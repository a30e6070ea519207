/** Small helpers for the fan-out benchmark: percentiles and a latency histogram. */
export function percentile(sorted: readonly number[], p: number): number {
  if (!sorted.length) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export function summarize(values: number[]): { n: number; p50: number; p95: number; p99: number; max: number } {
  const s = [...values].sort((a, b) => a - b);
  return { n: s.length, p50: percentile(s, 50), p95: percentile(s, 95), p99: percentile(s, 99), max: s[s.length - 1] ?? NaN };
}

/** `"at":1234` of the first such key in a frame's first bytes (no full JSON parse on the receiver). */
export function frameAt(buf: Buffer): number | null {
  const head = buf.toString("latin1", 0, Math.min(buf.length, 400));
  const m = /"at":(\d+)/.exec(head);
  return m ? Number(m[1]) : null;
}

export function cpuSeconds(u: NodeJS.CpuUsage): number {
  return (u.user + u.system) / 1e6;
}
