/**
 * mh (ip_vs_mh.c): Maglev hashing. Lookup table of M = 4093 entries (the kernel default,
 * CONFIG_IP_VS_MH_TAB_INDEX = 12 -> primes[4]); each destination's permutation starts at
 * `hsiphash(port + fold, key1) % M` and steps by `hsiphash(port + fold, key2) % (M - 1) + 1`, with the
 * kernel's fixed keys. Weights use `last_weight` divided by their gcd and right-shifted so that the
 * largest fits in 6 bits; each destination takes `turns` consecutive picks per round. Clients hash
 * `hsiphash(offset + port + fold, key1) % M` (port only with `mh-port`); `mh-fallback` probes further
 * offsets when the chosen destination is unavailable. Built off the hot path, on every change.
 */
import type { ScheduleContext, Scheduler, SchedulerDestination, SchedulerService } from "./scheduler.ts";
import { hsipKey, hsiphashU32 } from "./hash.ts";

export const MH_TAB_SIZE = 4093;
const MH_TAB_BITS = 6;
const KEY1 = hsipKey(2654435761, 2654435761);
const KEY2 = hsipKey(2654446892, 2654446892);

const unavailable = (d: SchedulerDestination): boolean => d.weight <= 0 || d.overloaded;

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

const fls = (x: number): number => (x === 0 ? 0 : 32 - Math.clz32(x));

export function mhHashKey(fold: number, port: number, key: typeof KEY1, offset: number): number {
  return hsiphashU32((offset + port + fold) >>> 0, key);
}

/** ip_vs_mh_gcd_weight + ip_vs_mh_shift_weight + permutate + populate */
export function buildMhTable<D extends SchedulerDestination>(dests: readonly D[], size = MH_TAB_SIZE): (D | null)[] {
  const lookup = new Array<D | null>(size).fill(null);
  let g = 0;
  let maxWeight = 0;
  for (const d of dests) {
    if (d.lastWeight > 0) g = g > 0 ? gcd(d.lastWeight, g) : d.lastWeight;
    if (d.lastWeight > maxWeight) maxWeight = d.lastWeight;
  }
  if (g < 1 || dests.length > size) return lookup;
  const rshift = Math.max(0, fls(Math.trunc(maxWeight / g)) - MH_TAB_BITS);
  const n = dests.length;
  const perm = new Array<number>(n);
  const skip = new Array<number>(n);
  const turns = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const d = dests[i]!;
    perm[i] = mhHashKey(d.fold, d.port, KEY1, 0) % size;
    skip[i] = (mhHashKey(d.fold, d.port, KEY2, 0) % (size - 1)) + 1;
    const lw = d.lastWeight;
    turns[i] = Math.trunc(lw / g) >> rshift || (lw !== 0 ? 1 : 0);
  }
  const taken = new Uint8Array(size);
  let filled = 0;
  let dtCount = 0;
  // bounded: every inner pick fills one slot, and at least one destination has turns >= 1
  while (filled < size) {
    for (let i = 0; i < n; ) {
      if (turns[i]! < 1) {
        i++;
        continue;
      }
      let c = perm[i]!;
      while (taken[c]) {
        c += skip[i]!;
        if (c >= size) c -= size;
      }
      perm[i] = c;
      taken[c] = 1;
      lookup[c] = dests[i]!;
      if (++filled === size) return lookup;
      if (++dtCount >= turns[i]!) {
        dtCount = 0;
        i++;
      }
    }
  }
  return lookup;
}

export function createMaglevHashing<D extends SchedulerDestination>(): Scheduler<D> {
  let lookup: (D | null)[] = buildMhTable<D>([]);
  let usePort = false;
  let fallback = false;
  return {
    name: "mh",
    hashes: "source",
    init(service: SchedulerService, dests: readonly D[]): void {
      usePort = service.flags.includes("mh-port");
      fallback = service.flags.includes("mh-fallback");
      lookup = buildMhTable(dests);
    },
    update(dests: readonly D[]): void {
      lookup = buildMhTable(dests);
    },
    schedule(ctx: ScheduleContext<D>): D | null {
      const port = usePort ? ctx.clientPort : 0;
      const size = lookup.length;
      const ihash = mhHashKey(ctx.clientFold, port, KEY1, 0) % size;
      const first = lookup[ihash] ?? null;
      if (first === null) return null;
      if (!unavailable(first)) return first;
      if (!fallback) return null;
      for (let offset = 0; offset < size; offset++) {
        const roffset = (offset + ihash) % size;
        const d = lookup[mhHashKey(ctx.clientFold, port, KEY1, roffset) % size] ?? null;
        if (d === null) break;
        if (!unavailable(d)) return d;
      }
      return null;
    },
  };
}
