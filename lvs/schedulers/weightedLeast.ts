/**
 * The loop shared by wlc (ip_vs_wlc.c), sed (ip_vs_sed.c) and the lblc/lblcr fallbacks:
 * the first non-overloaded destination with weight > 0 is the candidate, then a later one replaces it
 * only when `loh * w(dest) > doh * w(least)` (integer cross-multiplication, first wins ties).
 * Later destinations with weight 0 are not skipped explicitly; `loh * 0 > doh * w` is never true.
 * Overhead: `(active << 8) + inactive` (wlc), or `active + 1` when `sed` (ip_vs_sed_dest_overhead);
 * inlined rather than passed as a callback so the hot loop stays monomorphic.
 */
import type { SchedulerDestination } from "./scheduler.ts";

export function weightedLeast<D extends SchedulerDestination>(dests: readonly D[], sed: boolean): D | null {
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
  let loh = sed ? least.activeConns + 1 : least.activeConns * 256 + least.inactConns;
  for (i++; i < n; i++) {
    const d = dests[i]!;
    if (d.overloaded) continue;
    const doh = sed ? d.activeConns + 1 : d.activeConns * 256 + d.inactConns;
    if (loh * d.weight > doh * least.weight) {
      least = d;
      loh = doh;
    }
  }
  return least;
}
