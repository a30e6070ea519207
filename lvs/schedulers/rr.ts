/**
 * rr (ip_vs_rr.c): the cursor remembers the last chosen destination; scan forward from it for the
 * first non-overloaded destination with weight > 0, wrapping once. `del_dest` moves a cursor that
 * pointed at the removed destination to the entry before it (or the list head).
 */
import type { DestinationChange, ScheduleContext, Scheduler, SchedulerDestination } from "./scheduler.ts";

export function createRoundRobin<D extends SchedulerDestination>(): Scheduler<D> {
  /** index of the last chosen destination; -1 = list head */
  let cursor = -1;
  return {
    name: "rr",
    update(_dests: readonly D[], change: DestinationChange<D>): void {
      if (change.kind === "add") {
        if (cursor >= 0) cursor++; // added at the head: the cursor's entry moved one down
      } else if (change.kind === "del") {
        if (change.index <= cursor) cursor--; // removed entry was the cursor (-> previous) or before it
      }
    },
    schedule(ctx: ScheduleContext<D>): D | null {
      const dests = ctx.destinations;
      const n = dests.length;
      if (n === 0) return null;
      if (cursor >= n) cursor = n - 1;
      // list_for_each_entry_continue from the cursor, wrapping once, ending with the cursor itself
      // (a cursor at the head scans the whole list once)
      for (let step = 1; step <= n; step++) {
        const i = (cursor + step) % n;
        const d = dests[i];
        if (d !== undefined && !d.overloaded && d.weight > 0) {
          cursor = i;
          return d;
        }
      }
      return null;
    },
  };
}
