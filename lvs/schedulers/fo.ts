/** fo (ip_vs_fo.c): weighted fail-over, the non-overloaded destination with the highest weight (first wins ties). */
import type { ScheduleContext, Scheduler, SchedulerDestination } from "./scheduler.ts";

export function createWeightedFailover<D extends SchedulerDestination>(): Scheduler<D> {
  return {
    name: "fo",
    schedule(ctx: ScheduleContext<D>): D | null {
      let best: D | null = null;
      let hw = 0;
      for (const d of ctx.destinations) {
        if (!d.overloaded && d.weight > hw) {
          best = d;
          hw = d.weight;
        }
      }
      return best;
    },
  };
}
