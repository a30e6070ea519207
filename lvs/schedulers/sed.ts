/** sed (ip_vs_sed.c): shortest expected delay, overhead = activeconns + 1, otherwise as wlc. */
import type { ScheduleContext, Scheduler, SchedulerDestination } from "./scheduler.ts";
import { weightedLeast } from "./weightedLeast.ts";


export function createShortestExpectedDelay<D extends SchedulerDestination>(): Scheduler<D> {
  return {
    name: "sed",
    schedule: (ctx: ScheduleContext<D>): D | null => weightedLeast(ctx.destinations, true),
  };
}
