/**
 * Statistics in columns: what a director's stats reader keeps between reads at 10 000 services × 10
 * real servers, without an object per real server per second. Each service sits in a numbered slot
 * that stays the same while the service exists; a slot holds the service key, its real servers'
 * address/port/weight (the "shape") and one Float64Array of figures: row 0 the service, row 1 + i its
 * real server i, FIELDS.length figures a row (the service row leaves the three connection counts 0).
 *
 * A reader updates `values` in place; when a slot's shape changes (real servers added, removed,
 * reordered, a weight changed) it puts a NEW slot object there, so "same object" means "same shape".
 *
 *  - FIELDS: the order of the figures in a row (the stats.fields protocol numbers them the same way).
 *  - serviceStatsOf(slot): the ServiceStats the `stats` / `stats.delta` frames carry.
 *  - ColumnsFromSnapshots: columns kept up to date from an engine's StatsSnapshot (engines without a
 *    columnar reader: the userspace engine, ipvsadm listings).
 * Pure.
 */
import type { DestinationStats, IpvsServiceKey, ServiceStats, StatsSnapshot } from "../model.ts";
import { serviceKeyString } from "../tableKey.ts";

export const FIELDS = [
  "activeConns", "inactConns", "persistConns",
  "conns", "inPkts", "outPkts", "inBytes", "outBytes",
  "cps", "inPps", "outPps", "inBps", "outBps",
] as const;
export const NF = FIELDS.length;
/** the fields a service row carries (it has no connection counts of its own) */
export const SERVICE_FIELD_MASK = ((1 << NF) - 1) & ~0b111;

export interface SlotDestination { address: string; port: number; weight: number }

export interface ColumnSlot {
  key: IpvsServiceKey;
  destinations: readonly SlotDestination[];
  /** (1 + destinations.length) × NF figures */
  values: Float64Array;
}

export interface StatsColumns {
  /** when the figures were read (ms, the reader's clock) */
  at: number;
  /** by slot number; null = a free slot */
  slots: (ColumnSlot | null)[];
  /**
   * Slots the reader wrote, replaced or freed since this set was last emptied (by the one encoder
   * that reads these columns); absent = unknown, every slot is looked at. Lets an idle read cost
   * nothing per slot.
   */
  changed?: Set<number>;
}

export function newSlot(key: IpvsServiceKey, destinations: readonly SlotDestination[]): ColumnSlot {
  return { key, destinations, values: new Float64Array((1 + destinations.length) * NF) };
}

/** The figures of one slot as the `stats` frames carry them. */
export function serviceStatsOf(slot: ColumnSlot): ServiceStats {
  const v = slot.values;
  return {
    key: slot.key,
    counters: { conns: v[3]!, inPkts: v[4]!, outPkts: v[5]!, inBytes: v[6]!, outBytes: v[7]! },
    rates: { cps: v[8]!, inPps: v[9]!, outPps: v[10]!, inBps: v[11]!, outBps: v[12]! },
    destinations: slot.destinations.map((d, i) => destinationStatsOf(d, v, (1 + i) * NF)),
  };
}

export function destinationStatsOf(d: SlotDestination, v: Float64Array, o: number): DestinationStats {
  return {
    address: d.address, port: d.port, weight: d.weight,
    activeConns: v[o]!, inactConns: v[o + 1]!, persistConns: v[o + 2]!,
    counters: { conns: v[o + 3]!, inPkts: v[o + 4]!, outPkts: v[o + 5]!, inBytes: v[o + 6]!, outBytes: v[o + 7]! },
    rates: { cps: v[o + 8]!, inPps: v[o + 9]!, outPps: v[o + 10]!, inBps: v[o + 11]!, outBps: v[o + 12]! },
  };
}

/** Writes one ServiceStats' figures into a slot of the same shape; whether any changed. */
export function fillSlot(slot: ColumnSlot, s: ServiceStats): boolean {
  const v = slot.values;
  const before = v.slice();
  const c = s.counters;
  const r = s.rates;
  v[3] = c.conns; v[4] = c.inPkts; v[5] = c.outPkts; v[6] = c.inBytes; v[7] = c.outBytes;
  v[8] = r.cps; v[9] = r.inPps; v[10] = r.outPps; v[11] = r.inBps; v[12] = r.outBps;
  for (let i = 0; i < s.destinations.length; i++) {
    const d = s.destinations[i]!;
    const o = (1 + i) * NF;
    v[o] = d.activeConns; v[o + 1] = d.inactConns; v[o + 2] = d.persistConns;
    v[o + 3] = d.counters.conns; v[o + 4] = d.counters.inPkts; v[o + 5] = d.counters.outPkts; v[o + 6] = d.counters.inBytes; v[o + 7] = d.counters.outBytes;
    v[o + 8] = d.rates.cps; v[o + 9] = d.rates.inPps; v[o + 10] = d.rates.outPps; v[o + 11] = d.rates.inBps; v[o + 12] = d.rates.outBps;
  }
  for (let i = 0; i < v.length; i++) if (!Object.is(v[i], before[i])) return true;
  return false;
}

/** Whether `s` has the shape of `slot` (same real servers in the same order, same weights). */
export function sameShape(slot: ColumnSlot, s: ServiceStats): boolean {
  const a = slot.destinations;
  const b = s.destinations;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i]!.address !== b[i]!.address || a[i]!.port !== b[i]!.port || a[i]!.weight !== b[i]!.weight) return false;
  return true;
}

/** Hands out slot numbers, reusing freed ones (the last freed first), so the numbers stay dense. */
export class SlotNumbers {
  private readonly free: number[] = [];
  size = 0;

  take(): number {
    return this.free.pop() ?? this.size++;
  }

  give(n: number): void {
    this.free.push(n);
  }
}

/** Columns kept from whole snapshots (an engine without a columnar reader). */
export class ColumnsFromSnapshots {
  private readonly bySlotKey = new Map<string, number>();
  private readonly numbers = new SlotNumbers();
  readonly columns: StatsColumns = { at: 0, slots: [], changed: new Set() };

  update(snapshot: StatsSnapshot): StatsColumns {
    const changed = this.columns.changed!;
    const slots = this.columns.slots;
    const seen = new Set<number>();
    for (const s of snapshot.services) {
      const k = serviceKeyString(s.key);
      let n = this.bySlotKey.get(k);
      if (n === undefined || seen.has(n)) {
        if (n !== undefined) continue; // the same key twice: the first one counts
        n = this.numbers.take();
        this.bySlotKey.set(k, n);
      }
      seen.add(n);
      let slot = slots[n] ?? null;
      if (!slot || !sameShape(slot, s)) {
        slot = newSlot(s.key, s.destinations.map((d) => ({ address: d.address, port: d.port, weight: d.weight })));
        while (slots.length <= n) slots.push(null);
        slots[n] = slot;
        changed.add(n);
      }
      if (fillSlot(slot, s)) changed.add(n);
    }
    for (const [k, n] of this.bySlotKey) {
      if (seen.has(n)) continue;
      this.bySlotKey.delete(k);
      slots[n] = null;
      this.numbers.give(n);
      changed.add(n);
    }
    this.columns.at = snapshot.at;
    return this.columns;
  }
}
