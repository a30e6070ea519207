/**
 * lblcr (ip_vs_lblcr.c): locality-based least-connection with replication. Each destination address
 * maps to a server SET; the least loaded member (wlc rule, available, weight > 0, not overloaded) is used
 * unless it is lblc-overloaded, in which case wlc over all servers picks one that joins the set (at the
 * head, like `list_add_rcu`). A set with more than one member that has not changed for `expiration`
 * (sysctl lblcr_expiration, default 24 h) drops its most loaded member on use.
 */
import { connOverhead, type ScheduleContext, type Scheduler, type SchedulerDestination } from "./scheduler.ts";
import { weightedLeast } from "./weightedLeast.ts";
import { collectStale, LBLC_DEFAULT_EXPIRATION_MS, localityOverloaded } from "./lblc.ts";

interface LblcrEntry<D> {
  /** most recently inserted first */
  set: D[];
  lastMod: number;
  lastUse: number;
}

/** ip_vs_dest_set_min */
export function setMin<D extends SchedulerDestination>(set: readonly D[]): D | null {
  let i = 0;
  let least: D | null = null;
  for (; i < set.length; i++) {
    const d = set[i]!;
    if (d.overloaded) continue;
    if (d.weight > 0 && d.available) {
      least = d;
      break;
    }
  }
  if (least === null) return null;
  let loh = connOverhead(least);
  for (i++; i < set.length; i++) {
    const d = set[i]!;
    if (d.overloaded) continue;
    const doh = connOverhead(d);
    if (loh * d.weight > doh * least.weight && d.available) {
      least = d;
      loh = doh;
    }
  }
  return least;
}

/** ip_vs_dest_set_max */
export function setMax<D extends SchedulerDestination>(set: readonly D[]): D | null {
  let i = 0;
  let most: D | null = null;
  for (; i < set.length; i++) {
    if (set[i]!.weight > 0) {
      most = set[i]!;
      break;
    }
  }
  if (most === null) return null;
  let moh = connOverhead(most);
  for (i++; i < set.length; i++) {
    const d = set[i]!;
    const doh = connOverhead(d);
    if (moh * d.weight < doh * most.weight && d.weight > 0) {
      most = d;
      moh = doh;
    }
  }
  return most;
}

export function createLocalityLeastConnectionReplicated<D extends SchedulerDestination>(
  expirationMs = LBLC_DEFAULT_EXPIRATION_MS,
): Scheduler<D> {
  const cache = new Map<string, LblcrEntry<D>>();
  return {
    name: "lblcr",
    expire(now: number): void {
      collectStale(cache, now, expirationMs);
    },
    schedule(ctx: ScheduleContext<D>): D | null {
      const en = cache.get(ctx.virtualAddress);
      if (en) {
        en.lastUse = ctx.now;
        let dest = setMin(en.set);
        if (en.set.length > 1 && ctx.now - en.lastMod > expirationMs) {
          const m = setMax(en.set);
          if (m) en.set.splice(en.set.indexOf(m), 1);
        }
        if (dest !== null && !localityOverloaded(dest, ctx.destinations)) return dest;
        dest = weightedLeast(ctx.destinations, false);
        if (dest === null) return null;
        if (!en.set.includes(dest)) {
          en.set.unshift(dest);
          en.lastMod = ctx.now;
        }
        return dest;
      }
      const dest = weightedLeast(ctx.destinations, false);
      if (dest === null) return null;
      cache.set(ctx.virtualAddress, { set: [dest], lastMod: ctx.now, lastUse: ctx.now });
      return dest;
    },
  };
}
