/**
 * dh (ip_vs_dh.c): 256 buckets assigned round-robin over the destinations (weights ignored), indexed
 * by `hash_32(addr_fold, 8)` of the packet's destination address (for a VIP:port service
 * that is the VIP). The bucket's destination is used unless unavailable, weight 0 or overloaded.
 */
import type { ScheduleContext, Scheduler, SchedulerDestination } from "./scheduler.ts";
import { hash32 } from "./hash.ts";

export const DH_TAB_BITS = 8;
export const DH_TAB_SIZE = 1 << DH_TAB_BITS;

/** ip_vs_dh_reassign */
export function buildDhTable<D extends SchedulerDestination>(dests: readonly D[]): (D | null)[] {
  const table = new Array<D | null>(DH_TAB_SIZE).fill(null);
  if (dests.length === 0) return table;
  for (let i = 0; i < DH_TAB_SIZE; i++) table[i] = dests[i % dests.length]!;
  return table;
}

export function createDestinationHashing<D extends SchedulerDestination>(): Scheduler<D> {
  let table: (D | null)[] = buildDhTable<D>([]);
  return {
    name: "dh",
    hashes: "destination",
    init(_service, dests): void {
      table = buildDhTable(dests);
    },
    update(dests): void {
      table = buildDhTable(dests);
    },
    schedule(ctx: ScheduleContext<D>): D | null {
      const d = table[hash32(ctx.virtualFold, DH_TAB_BITS)] ?? null;
      if (d === null || !d.available || d.weight <= 0 || d.overloaded) return null;
      return d;
    },
  };
}
