/** wlc (ip_vs_wlc.c), the kernel default: least `overhead / weight`, compared by cross-multiplication. */
import { type ScheduleContext, type Scheduler, type SchedulerDestination } from "./scheduler.ts";
import { weightedLeast } from "./weightedLeast.ts";

export function createWeightedLeastConnection<D extends SchedulerDestination>(): Scheduler<D> {
  return {
    name: "wlc",
    schedule: (ctx: ScheduleContext<D>): D | null => weightedLeast(ctx.destinations, false),
  };
}
