/**
 * nq (ip_vs_nq.c): never queue. The first usable destination with no active connection wins at once;
 * otherwise sed's rule (`(active + 1) / weight`, cross-multiplied, first wins ties).
 */
import type { ScheduleContext, Scheduler, SchedulerDestination } from "./scheduler.ts";

export function createNeverQueue<D extends SchedulerDestination>(): Scheduler<D> {
  return {
    name: "nq",
    schedule(ctx: ScheduleContext<D>): D | null {
      let least: D | null = null;
      let loh = 0;
      for (const d of ctx.destinations) {
        if (d.overloaded || d.weight === 0) continue;
        const doh = d.activeConns + 1;
        if (d.activeConns === 0) return d;
        if (least === null || loh * d.weight > doh * least.weight) {
          least = d;
          loh = doh;
        }
      }
      return least;
    },
  };
}
