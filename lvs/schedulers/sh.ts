/**
 * sh (ip_vs_sh.c): 256 buckets filled in list order, each destination taking `weight` consecutive
 * buckets (at least one, also with weight 0); bucket = `(offset + hash_32(port + addr_fold, 8)) % 256`
 * over the client address (and source port with `sh-port`). An unavailable bucket (weight 0 or
 * overloaded) gives no destination, unless `sh-fallback`: then probe offsets from the original hash.
 * The table is rebuilt off the hot path, on every destination change.
 */
import type { DestinationChange, ScheduleContext, Scheduler, SchedulerDestination, SchedulerService } from "./scheduler.ts";
import { hash32 } from "./hash.ts";

export const SH_TAB_BITS = 8;
export const SH_TAB_SIZE = 1 << SH_TAB_BITS;
const MASK = SH_TAB_SIZE - 1;

const unavailable = (d: SchedulerDestination): boolean => d.weight <= 0 || d.overloaded;

/** ip_vs_sh_reassign */
export function buildShTable<D extends SchedulerDestination>(dests: readonly D[]): (D | null)[] {
  const table = new Array<D | null>(SH_TAB_SIZE).fill(null);
  if (dests.length === 0) return table;
  let p = 0;
  let count = 0;
  for (let i = 0; i < SH_TAB_SIZE; i++) {
    if (p >= dests.length) p = 0;
    const d = dests[p]!;
    table[i] = d;
    if (++count >= d.weight) {
      p++;
      count = 0;
    }
  }
  return table;
}

export function shHashKey(fold: number, port: number, offset: number): number {
  return (offset + hash32((port + fold) >>> 0, SH_TAB_BITS)) & MASK;
}

export function createSourceHashing<D extends SchedulerDestination>(): Scheduler<D> {
  let table: (D | null)[] = buildShTable<D>([]);
  let usePort = false;
  let fallback = false;
  return {
    name: "sh",
    hashes: "source",
    init(service: SchedulerService, dests: readonly D[]): void {
      usePort = service.flags.includes("sh-port");
      fallback = service.flags.includes("sh-fallback");
      table = buildShTable(dests);
    },
    update(dests: readonly D[], _change: DestinationChange<D>): void {
      table = buildShTable(dests);
    },
    schedule(ctx: ScheduleContext<D>): D | null {
      const port = usePort ? ctx.clientPort : 0;
      const ihash = shHashKey(ctx.clientFold, port, 0);
      const first = table[ihash] ?? null;
      if (first === null) return null;
      if (!unavailable(first)) return first;
      if (!fallback) return null;
      for (let offset = 0; offset < SH_TAB_SIZE; offset++) {
        const roffset = (offset + ihash) % SH_TAB_SIZE;
        const d = table[shHashKey(ctx.clientFold, port, roffset)] ?? null;
        if (d === null) break;
        if (!unavailable(d)) return d;
      }
      return null;
    },
  };
}
