/**
 * The loop shared by wlc (ip_vs_wlc.c), sed (ip_vs_sed.c) and the lblc/lblcr fallbacks:
 * the first non-overloaded destination with weight > 0 is the candidate, then a later one replaces it
 * only when `loh * w(dest) > doh * w(least)` (integer cross-multiplication, first wins ties).
 * Later destinations with weight 0 are not skipped explicitly; `loh * 0 > doh * w` is never true.
 */
import type { SchedulerDestination } from "./scheduler.ts";

export function weightedLeast<D extends SchedulerDestination>(
  dests: readonly D[],
  overhead: (d: D) => number,
): D | null {
  const n = dests.length;
  let i = 0;
  let least: D | null = null;
  for (; i < n; i++) {
    const d = dests[i]!;
    if (!d.overloaded && d.weight > 0) {
      least = d;
      break;
    }
  }
  if (least === null) return null;
  let loh = overhead(least);
  for (i++; i < n; i++) {
    const d = dests[i]!;
    if (d.overloaded) continue;
    const doh = overhead(d);
    if (loh * d.weight > doh * least.weight) {
      least = d;
      loh = doh;
    }
  }
  return least;
}
