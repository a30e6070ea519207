/** lc (ip_vs_lc.c): least overhead; skips overloaded and weight 0; the first one wins ties (`doh < loh`). */
import { connOverhead, type ScheduleContext, type Scheduler, type SchedulerDestination } from "./scheduler.ts";

export function createLeastConnection<D extends SchedulerDestination>(): Scheduler<D> {
  return {
    name: "lc",
    schedule(ctx: ScheduleContext<D>): D | null {
      let least: D | null = null;
      let loh = 0;
      for (const d of ctx.destinations) {
        if (d.overloaded || d.weight === 0) continue;
        const doh = connOverhead(d);
        if (least === null || doh < loh) {
          least = d;
          loh = doh;
        }
      }
      return least;
    },
  };
}
