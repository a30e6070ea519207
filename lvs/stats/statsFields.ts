/**
 * Statistics as per-field changes (agent protocol feature "stats.fields", lvs/protocol/agent.ts): at
 * 10 000 services × 10 real servers with traffic on every one, `stats.delta` re-sent every service
 * whole every second (32 MB of JSON, ~1 s of the agent's CPU). Here each service has a slot number
 * (lvs/stats/statsColumns.ts) and a frame carries:
 *  - `services`: services sent whole with their slot — all of them in a full update (`reset`), and
 *    otherwise only those new in a slot or whose real servers changed (added, removed, reordered, a
 *    weight changed);
 *  - `removed`: slots whose service is gone;
 *  - `fields`: the figures that changed in the other services, flat numbers: for each changed row
 *    `slot, row, mask` (row 0 the service, 1 + i its real server i; bit f of mask = FIELDS[f] changed)
 *    then, for each set bit in order, the DIFFERENCE from the value last sent (small integers: cheap
 *    to write and to read, where absolute byte counters are 12-digit doubles). Rows strictly
 *    increasing (slot, then row).
 * Applied in that order (removed, services, fields); `seq`, `reset`, `more` work as in stats.delta.
 *
 *  - StatsFieldsEncoder (agent): columns in → the frames of the next update out; keeps its own copy of
 *    what it sent, so it does not depend on what the reader compared against.
 *  - StatsFieldsMerger (control plane): frames in → the full StatsSnapshot after each complete update,
 *    the same figures a `stats` frame would carry. A frame that does not fit what it knows (an unknown
 *    slot, a row past the service's real servers, a bad mask, a figure going negative or past 2^53) is
 *    refused as a whole before anything is applied: nothing shown until a full update, which it asks for.
 * Pure: no clock, no I/O.
 */
import type { ServiceStats, StatsSnapshot } from "../model.ts";
import { FIELDS, NF, SERVICE_FIELD_MASK, serviceStatsOf, type ColumnSlot, type StatsColumns } from "./statsColumns.ts";
import { DELTA_FRAME_DESTINATIONS, type MergeResult } from "./statsDelta.ts";

/** The body of one `stats.fields` frame (the protocol adds `v` and `type`). */
export interface StatsFieldsBody {
  seq: number;
  reset: boolean;
  more: boolean;
  at: number;
  services: { slot: number; stats: ServiceStats }[];
  removed: number[];
  fields: number[];
}

/** Highest slot number a frame may name (a director's services, with room). */
export const MAX_SLOT = 1_000_000;
/**
 * Frame budget in numbers of `fields`; a real server sent whole counts as 14 (~230 bytes of JSON
 * against ≤ 17 bytes a number): a frame stays under ~13 MB (MAX_FRAME_BYTES is 16 MB) even when every
 * difference is 16 digits, ~3 MB with traffic-sized differences.
 */
export const FIELDS_FRAME_BUDGET = 750_000;
const DESTINATION_COST = Math.ceil(FIELDS_FRAME_BUDGET / DELTA_FRAME_DESTINATIONS);

/**
 * A frame as the encoder makes it: `fields` in a Float64Array (written as JSON by statsFieldsJson, never
 * as a JS array), or, forwarded from a helper that encodes them itself (`forward`), `fieldsText`: the
 * numbers as JSON text, comma-separated, checked by the engine (then `fields` is empty).
 */
export type StatsFieldsFrame = Omit<StatsFieldsBody, "fields"> & { fields: Float64Array; fieldsText?: Uint8Array };

/** The frame as plain data (tests, and agents whose link has no byte path). */
export const fieldsBody = (f: StatsFieldsFrame): StatsFieldsBody => {
  const { fieldsText, ...rest } = f;
  return { ...rest, fields: fieldsText ? (JSON.parse(`[${new TextDecoder().decode(fieldsText)}]`) as number[]) : Array.from(f.fields) };
};

/**
 * An update whose differences an engine's helper computed and wrote itself (agent/engines/ipvs
 * statsServe): the helper keeps what it answered last, so the agent forwards `segments` as they are.
 * `full`: every service is in `services` (the update resets the control plane's slots).
 */
export interface ServedFields {
  full: boolean;
  at: number;
  removed: number[];
  services: { slot: number; stats: ServiceStats }[];
  /** the `fields` numbers as JSON text, in segments of whole slots, each at most a frame's budget (unless one slot alone is more) */
  segments: { count: number; text: Uint8Array }[];
}

export class StatsFieldsEncoder {
  /** per slot: the slot object last sent (same object = same shape) and a copy of its figures then */
  private sentSlot: (ColumnSlot | null)[] = [];
  private sentValues: (Float64Array | null)[] = [];
  private seq = 0;
  private full = true;
  /** the last update was forward()ed: the next encode() is a full one */
  private forwarded = false;
  /** the numbers of the frame being built (growing a JS array of a million numbers costs ~10x more) */
  private out = new Float64Array(1 << 16);
  private n = 0;
  /** rows written to `fields` by the last encode (tests) */
  rows = 0;

  constructor(private readonly budget = FIELDS_FRAME_BUDGET) {}

  requestFull(): void {
    this.full = true;
  }

  reset(): void {
    this.sentSlot = [];
    this.sentValues = [];
    this.seq = 0;
    this.full = true;
  }

  get fullPending(): boolean {
    return this.full;
  }

  /**
   * The frames of an update the engine's helper encoded (ServedFields): the same seq/reset/more and
   * frame budget as encode(). What encode() remembers is forgotten: after forwarding, an update from
   * columns is a full one (the helper's slots are not the columns'), and the other way round the
   * engine answers a full update first (its helper starts without a previous answer).
   */
  forward(u: ServedFields): StatsFieldsFrame[] {
    if (this.full && !u.full) throw new Error("stats.fields: a full update was due and the engine answered differences");
    this.sentSlot = [];
    this.sentValues = [];
    this.full = false;
    this.forwarded = true;
    const frames: StatsFieldsFrame[] = [];
    let cur = this.frame(u.full, u.at);
    cur.removed = u.removed;
    let used = 0;
    const next = () => {
      frames.push(cur);
      cur = this.frame(false, u.at);
      used = 0;
    };
    for (const s of u.services) {
      const cost = 1 + s.stats.destinations.length * DESTINATION_COST;
      if (used > 0 && used + cost > this.budget) next();
      used += cost;
      cur.services.push(s);
    }
    for (const seg of u.segments) {
      if (cur.fieldsText || (used > 0 && used + seg.count > this.budget)) next();
      used += seg.count;
      cur.fieldsText = seg.text;
    }
    frames.push(cur);
    for (const f of frames) f.seq = this.seq++;
    frames[frames.length - 1]!.more = false;
    return frames;
  }

  /** The frames of the next update; their `fields` are views of memory the next encode reuses. */
  encode(cols: StatsColumns): StatsFieldsFrame[] {
    if (this.forwarded) {
      this.forwarded = false;
      this.full = true;
    }
    const full = this.full;
    this.full = false;
    this.rows = 0;
    this.n = 0;
    const frames: StatsFieldsFrame[] = [];
    let cur = this.frame(full, cols.at);
    let used = 0;
    let from = 0;
    /** ends the frame with the numbers before `k`; the ones after it start the next frame */
    const closeAt = (k: number) => {
      cur.fields = this.out.subarray(from, k);
      from = k;
      frames.push(cur);
      cur = this.frame(false, cols.at);
      used = 0;
    };
    const slots = cols.slots;
    // only the slots the reader says it wrote, in order (rows go out by increasing slot), unless full
    const only = !full && cols.changed ? Int32Array.from(cols.changed).sort() : null;
    cols.changed?.clear();
    const count = only ? only.length : Math.max(slots.length, this.sentSlot.length);
    const removed: number[] = [];
    for (let k = 0; k < count; k++) {
      const i = only ? only[k]! : k;
      const slot = slots[i] ?? null;
      const before = this.sentSlot[i] ?? null;
      if (!slot) {
        if (before && !full) removed.push(i);
        if (before) {
          this.sentSlot[i] = null;
          this.sentValues[i] = null;
        }
        continue;
      }
      const sent = this.sentValues[i];
      if (!full && before === slot && sent) {
        const start = this.n;
        const wrote = this.writeFields(i, slot.values, sent);
        if (wrote === 0) continue;
        if (wrote > 0) {
          if (used > 0 && used + wrote > this.budget) closeAt(start);
          used += wrote;
          continue;
        }
        // not exact as a difference (figures past 2^53): the service goes whole
      }
      const cost = 1 + slot.destinations.length * DESTINATION_COST;
      if (used > 0 && used + cost > this.budget) closeAt(this.n);
      used += cost;
      cur.services.push({ slot: i, stats: serviceStatsOf(slot) });
      while (this.sentSlot.length <= i) { this.sentSlot.push(null); this.sentValues.push(null); }
      this.sentSlot[i] = slot;
      this.sentValues[i] = slot.values.slice();
    }
    cur.fields = this.out.subarray(from, this.n);
    frames.push(cur);
    frames[0]!.removed = removed;
    for (const f of frames) f.seq = this.seq++;
    frames[frames.length - 1]!.more = false;
    return frames;
  }

  private frame(reset: boolean, at: number): StatsFieldsFrame {
    return { seq: 0, reset, more: true, at, services: [], removed: [], fields: EMPTY };
  }

  /**
   * Appends slot i's changed rows (slot, row, mask, differences), one pass, and takes them as sent;
   * returns how many numbers it wrote, or -1 (nothing written, nothing taken) when a difference would
   * not give a value back exactly (figures past 2^53).
   */
  private writeFields(i: number, v: Float64Array, sent: Float64Array): number {
    if (this.n + v.length * 2 > this.out.length) {
      const bigger = new Float64Array(Math.max(this.out.length * 2, this.n + v.length * 2));
      bigger.set(this.out.subarray(0, this.n));
      this.out = bigger;
    }
    const out = this.out;
    const start = this.n;
    let n = start;
    let rows = 0;
    for (let r = 0, o = 0; o < v.length; r++, o += NF) {
      const head = n;
      let mask = 0;
      n += 3;
      for (let f = 0; f < NF; f++) {
        const x = v[o + f]!;
        const d = x - sent[o + f]!;
        if (d === 0) continue;
        if (!Number.isSafeInteger(x) || !Number.isSafeInteger(d)) return -1;
        mask |= 1 << f;
        out[n++] = d;
      }
      if (!mask) {
        n = head;
        continue;
      }
      out[head] = i;
      out[head + 1] = r;
      out[head + 2] = mask;
      rows++;
    }
    if (n === start) return 0;
    sent.set(v);
    this.rows += rows;
    this.n = n;
    return n - start;
  }
}

const EMPTY = new Float64Array(0);

const ASK_EVERY = 30;

/** What the merger keeps per slot: the service as last shown (never changed in place: snapshots share it). */
type Known = Map<number, ServiceStats>;

export class StatsFieldsMerger {
  private known: Known = new Map();
  private expected: number | null = null;
  private sinceAsked = 0;
  private updateAt = 0;

  apply(f: StatsFieldsBody): MergeResult {
    if (!f.reset && (this.expected === null || f.seq !== this.expected)) {
      const reason = this.expected === null ? `frame ${f.seq} before any full update` : `frame ${f.seq} where ${this.expected} was due`;
      return this.outOfSync(reason, this.expected !== null);
    }
    const problem = checkFrame(f.reset ? new Map() : this.known, f);
    if (problem) return this.outOfSync(`stats.fields frame ${f.seq}: ${problem}`, true);
    if (f.reset) this.known = new Map();
    this.sinceAsked = 0;
    for (const n of f.removed) this.known.delete(n);
    for (const s of f.services) this.known.set(s.slot, s.stats);
    applyFields(this.known, f.fields);
    this.expected = f.seq + 1;
    this.updateAt = f.at;
    if (f.more) return { kind: "pending" };
    const services = [...this.known.entries()].sort((a, b) => a[0] - b[0]).map((e) => e[1]);
    return { kind: "snapshot", snapshot: { at: this.updateAt, services } satisfies StatsSnapshot };
  }

  private outOfSync(reason: string, lostSync: boolean): MergeResult {
    const ask = lostSync || this.sinceAsked === 0 || this.sinceAsked >= ASK_EVERY;
    this.expected = null;
    this.sinceAsked = ask ? 1 : this.sinceAsked + 1;
    return { kind: "out-of-sync", ask, reason };
  }
}

const isSlot = (n: number) => Number.isInteger(n) && n >= 0 && n <= MAX_SLOT;

function valueAt(s: ServiceStats, row: number, f: number): number {
  const d = row === 0 ? null : s.destinations[row - 1]!;
  const name = FIELDS[f]!;
  if (f < 3) return d ? d[name as "activeConns"] : 0;
  const set = f < 8 ? (d ?? s).counters : (d ?? s).rates;
  return (set as unknown as Record<string, number>)[name]!;
}

/** Why the frame cannot be applied to `known` (the state before it), or null. Changes nothing. */
export function checkFrame(known: Known, f: StatsFieldsBody): string | null {
  const gone = new Set<number>();
  for (const n of f.removed) {
    if (!isSlot(n)) return `removed slot ${n} is not a slot number (0..${MAX_SLOT})`;
    if (!known.has(n)) return `removed slot ${n} holds no service`;
    gone.add(n);
  }
  const whole = new Map<number, ServiceStats>();
  for (const s of f.services) {
    if (!isSlot(s.slot)) return `service slot ${s.slot} is not a slot number (0..${MAX_SLOT})`;
    if (whole.has(s.slot)) return `slot ${s.slot} sent twice`;
    whole.set(s.slot, s.stats);
  }
  const x = f.fields;
  let lastSlot = -1;
  let lastRow = -1;
  for (let i = 0; i < x.length;) {
    if (i + 3 > x.length) return `fields: a row at ${i} is cut short`;
    const slot = x[i]!;
    const row = x[i + 1]!;
    const mask = x[i + 2]!;
    if (!isSlot(slot)) return `fields[${i}]: slot ${slot} is not a slot number`;
    if (slot < lastSlot || (slot === lastSlot && row <= lastRow)) return `fields[${i}]: slot ${slot} row ${row} out of order`;
    const s = whole.get(slot) ?? (gone.has(slot) ? undefined : known.get(slot));
    if (!s) return `fields[${i}]: slot ${slot} holds no service`;
    if (!Number.isInteger(row) || row < 0 || row > s.destinations.length) return `fields[${i + 1}]: row ${row} of slot ${slot} (a service with ${s.destinations.length} real servers)`;
    const allowed = row === 0 ? SERVICE_FIELD_MASK : (1 << NF) - 1;
    if (!Number.isInteger(mask) || mask <= 0 || (mask & ~allowed) !== 0) return `fields[${i + 2}]: mask ${mask} of slot ${slot} row ${row} names no field or a field the row does not have`;
    let j = i + 3;
    for (let b = 0; b < NF; b++) {
      if (!(mask & (1 << b))) continue;
      if (j >= x.length) return `fields: slot ${slot} row ${row} is cut short`;
      const next = valueAt(s, row, b) + x[j]!;
      if (!Number.isSafeInteger(x[j]) || !Number.isSafeInteger(next) || next < 0) return `fields[${j}]: ${FIELDS[b]} of slot ${slot} row ${row} would become ${next}`;
      j++;
    }
    lastSlot = slot;
    lastRow = row;
    i = j;
  }
  return null;
}

/** Applies checked fields: each changed service and real server is a new object (snapshots already handed out keep theirs). */
function applyFields(known: Known, x: readonly number[]): void {
  let i = 0;
  while (i < x.length) {
    const slot = x[i]!;
    const old = known.get(slot)!;
    const s: ServiceStats = { key: old.key, counters: { ...old.counters }, rates: { ...old.rates }, destinations: old.destinations.slice() };
    while (i < x.length && x[i] === slot) {
      const row = x[i + 1]!;
      const mask = x[i + 2]!;
      i += 3;
      const od = row === 0 ? null : s.destinations[row - 1]!;
      const d = od ? { ...od, counters: { ...od.counters }, rates: { ...od.rates } } : null;
      if (d) s.destinations[row - 1] = d;
      const target = d ?? s;
      for (let b = 0; b < NF; b++) {
        if (!(mask & (1 << b))) continue;
        const name = FIELDS[b]!;
        const add = x[i++]!;
        if (b < 3) (d as unknown as Record<string, number>)[name]! += add;
        else ((b < 8 ? target.counters : target.rates) as unknown as Record<string, number>)[name]! += add;
      }
    }
    known.set(slot, s);
  }
}
