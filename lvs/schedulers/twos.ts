/**
 * twos (ip_vs_twos.c): weighted random two choices. Two random numbers in [0, total weight] (inclusive,
 * `prandom_u32() % (total + 1)`) each select the first destination at which the running sum reaches it;
 * the second choice wins only when `w2 * overhead1 > w1 * overhead2`.
 */
import { connOverhead, type ScheduleContext, type Scheduler, type SchedulerDestination } from "./scheduler.ts";

export function createTwoChoices<D extends SchedulerDestination>(): Scheduler<D> {
  return {
    name: "twos",
    schedule(ctx: ScheduleContext<D>): D | null {
      const dests = ctx.destinations;
      let total = 0;
      let choice1: D | null = null;
      for (const d of dests) {
        if (!d.overloaded && d.weight > 0) {
          total += d.weight;
          choice1 = d;
        }
      }
      if (choice1 === null) return null;
      total += 1;
      let r1 = ctx.random() % total;
      let r2 = ctx.random() % total;
      let choice2: D | null = null;
      let w1 = -1;
      let w2 = -1;
      let oh1 = 0;
      let oh2 = 0;
      for (const d of dests) {
        if (d.overloaded || d.weight <= 0) continue;
        r1 -= d.weight;
        r2 -= d.weight;
        if (r1 <= 0 && w1 === -1) {
          choice1 = d;
          w1 = d.weight;
          oh1 = connOverhead(d);
        }
        if (r2 <= 0 && w2 === -1) {
          choice2 = d;
          w2 = d.weight;
          oh2 = connOverhead(d);
        }
        if (w1 !== -1 && w2 !== -1) break;
      }
      if (choice2 !== null && w2 * oh1 > w1 * oh2) choice1 = choice2;
      return choice1;
    },
  };
}
