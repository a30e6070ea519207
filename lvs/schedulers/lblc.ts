/**
 * lblc (ip_vs_lblc.c): locality-based least-connection. A cache maps the packet's destination address
 * (for a VIP:port service: the VIP) to a real server; a cached server is kept while available, weight > 0
 * and not "overloaded" in lblc's sense (active > weight while some server has active * 2 < weight);
 * otherwise wlc picks a new one and replaces the entry. Entries unused for `expiration` (sysctl
 * lblc_expiration, default 24 h) are collected by the full check; when the table holds more than
 * 16 * 1024 entries, entries unused for 6 minutes are collected first (ip_vs_lblc_check_expire).
 */
import { type ScheduleContext, type Scheduler, type SchedulerDestination } from "./scheduler.ts";
import { weightedLeast } from "./weightedLeast.ts";

export const LBLC_DEFAULT_EXPIRATION_MS = 24 * 60 * 60 * 1000;
export const LBLC_ENTRY_TIMEOUT_MS = 6 * 60 * 1000;
export const LBLC_MAX_SIZE = 1024 * 16;

/** lblc/lblcr `is_overloaded`: busier than its weight while another server is under half of its own. */
export function localityOverloaded(d: SchedulerDestination, dests: readonly SchedulerDestination[]): boolean {
  if (d.activeConns > d.weight) {
    for (const o of dests) if (o.activeConns * 2 < o.weight) return true;
  }
  return false;
}

/** The cache's garbage collection, shared by lblc and lblcr. */
export function collectStale<E extends { lastUse: number }>(
  cache: Map<string, E>,
  now: number,
  expirationMs: number,
): void {
  const idle = cache.size > LBLC_MAX_SIZE ? LBLC_ENTRY_TIMEOUT_MS : expirationMs;
  for (const [key, e] of cache) if (now - e.lastUse >= idle) cache.delete(key);
}

interface LblcEntry<D> {
  dest: D;
  lastUse: number;
}

export function createLocalityLeastConnection<D extends SchedulerDestination>(
  expirationMs = LBLC_DEFAULT_EXPIRATION_MS,
): Scheduler<D> {
  const cache = new Map<string, LblcEntry<D>>();
  return {
    name: "lblc",
    expire(now: number): void {
      collectStale(cache, now, expirationMs);
    },
    schedule(ctx: ScheduleContext<D>): D | null {
      const en = cache.get(ctx.virtualAddress);
      if (en) {
        en.lastUse = ctx.now;
        const d = en.dest;
        if (d.available && d.weight > 0 && !localityOverloaded(d, ctx.destinations)) return d;
      }
      const dest = weightedLeast(ctx.destinations, false);
      if (dest === null) return null;
      if (!en || en.dest !== dest) cache.set(ctx.virtualAddress, { dest, lastUse: ctx.now });
      return dest;
    },
  };
}
