/**
 * ovf (ip_vs_ovf.c): the highest-weight destination whose active connections do not exceed its weight;
 * skips overloaded and weight 0; the first wins ties.
 */
import type { ScheduleContext, Scheduler, SchedulerDestination } from "./scheduler.ts";

export function createOverflow<D extends SchedulerDestination>(): Scheduler<D> {
  return {
    name: "ovf",
    schedule(ctx: ScheduleContext<D>): D | null {
      let h: D | null = null;
      let hw = 0;
      for (const d of ctx.destinations) {
        const w = d.weight;
        if (d.overloaded || d.activeConns > w || w === 0) continue;
        if (h === null || w > hw) {
          h = d;
          hw = w;
        }
      }
      return h;
    },
  };
}
