/**
 * wrr (ip_vs_wrr.c): passes with a decreasing current weight `cw` stepping by the gcd `di` of the
 * positive weights, from `mw = max - (di - 1)` down to 1; each pass picks, in list order after the
 * last pick, destinations with weight >= cw. Any destination change resets the position to the head
 * and repairs `cw` exactly like `ip_vs_wrr_dest_changed`.
 */
import type { ScheduleContext, Scheduler, SchedulerDestination } from "./scheduler.ts";

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

export function createWeightedRoundRobin<D extends SchedulerDestination>(): Scheduler<D> {
  let cl = -1; // current position, -1 = head
  let cw = 0;
  let mw = 0;
  let di = 1;

  const recompute = (dests: readonly D[]): void => {
    let g = 0;
    let max = 0;
    for (const d of dests) {
      if (d.weight > 0) g = g > 0 ? gcd(d.weight, g) : d.weight;
      if (d.weight > max) max = d.weight;
    }
    di = g || 1;
    mw = max - (di - 1);
  };

  return {
    name: "wrr",
    init(_service, dests): void {
      cl = -1;
      recompute(dests);
      cw = mw;
    },
    update(dests): void {
      cl = -1;
      recompute(dests);
      if (cw > mw || cw === 0) cw = mw;
      else if (di > 1) cw = Math.trunc(cw / di) * di + 1;
    },
    schedule(ctx: ScheduleContext<D>): D | null {
      const dests = ctx.destinations;
      const n = dests.length;
      if (mw === 0 || n === 0) return null;
      const last = cl >= n ? -1 : cl;
      let pos = last;
      let stop = -2; // index at which to give up (-2 = none)
      let lastPass = false;
      let restarted = false;
      // bounded: at most (mw/di + 2) passes over the list
      for (let guard = 0; guard < 2 * (Math.trunc(mw / di) + 2) + 2; guard++) {
        for (let i = pos + 1; i < n; i++) {
          const d = dests[i]!;
          if (!d.overloaded && d.weight >= cw) {
            cl = i;
            return d;
          }
          if (i === stop) {
            cl = i;
            return null;
          }
        }
        pos = -1;
        cw -= di;
        if (cw <= 0) {
          cw = mw;
          if (lastPass || last === -1) {
            cl = -1;
            return null;
          }
          restarted = true;
        }
        lastPass = cw <= di;
        if (lastPass && restarted && last !== -1) stop = last;
      }
      return null;
    },
  };
}
