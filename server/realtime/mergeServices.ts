/**
 * Merging stats deltas for a slow socket: values are absolute (counters, rates, connection
 * counts), so the newer value of a service or destination replaces the older one; destinations
 * changed in either delta are kept; a destination removed and not re-added stays removed. Pure.
 */
import type { LiveService } from "../../lvs/protocol/live.ts";

const dkey = (d: { address: string; port: number }) => `${d.address}|${d.port}`;

/** Merges `newer` into `into` (keyed by service key), in place. */
export function mergeServices(into: Map<string, LiveService>, newer: readonly LiveService[]): void {
  for (const s of newer) {
    const old = into.get(s.key);
    if (!old) {
      into.set(s.key, s);
      continue;
    }
    const dests = new Map(old.destinations.map((d) => [dkey(d), d]));
    const removed = new Set(old.removed ?? []);
    for (const d of s.destinations) {
      dests.set(dkey(d), d);
      removed.delete(dkey(d));
    }
    for (const r of s.removed ?? []) {
      dests.delete(r);
      removed.add(r);
    }
    const merged: LiveService = { key: s.key, counters: s.counters, rates: s.rates, destinations: [...dests.values()] };
    if (removed.size) merged.removed = [...removed];
    into.set(s.key, merged);
  }
}
