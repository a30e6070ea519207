/**
 * `lvs-ipvs-nl stats` / `stats-since` output read into columns (lvs/stats/statsColumns.ts) for the
 * stats.fields frames: at 10 000 services × 10 real servers with traffic on all of them every block
 * changes every second, and reading them as objects (split, a DestinationStats per line) was a third
 * of a core plus as much again in GC. Here a block whose real servers are the same as last time
 * (every line's fields before the counters equal the remembered text) is read with a character loop
 * straight into the slot's Float64Array: no split, no objects. A new service, or one whose real servers
 * changed, is parsed the general way (netlinkFormat.ts) into a new slot object.
 *
 * It reads the pipe's bytes as they came (a 14 MB answer is not made into a string first).
 * Numbers must be counts (safe integers ≥ 0) as in netlinkFormat.ts; malformed output throws with the
 * line number, and the token goes back to null, so the next read is a full one (which heals any slot).
 */
import type { IpvsServiceKey } from "../../../lvs/model.ts";
import { NF, SlotNumbers, newSlot, type ColumnSlot, type StatsColumns } from "../../../lvs/stats/statsColumns.ts";
import { parseDestinationLine, parseServiceLine } from "./netlinkFormat.ts";

/** words before the figures: S + key (5) + sched pe flags timeout netmask; D + 10 */
const S_STATIC = 11;
const D_STATIC = 11;

interface Kept {
  slot: number;
  /** the bytes of each line up to its figures (S line first, then each D line), one after the other (a copy: the read's bytes are reused) */
  statics: Uint8Array;
  /** where each line's part ends in `statics` */
  ends: Int32Array;
}

const latin1 = (b: Uint8Array, from: number, to: number) => Buffer.from(b.buffer, b.byteOffset + from, to - from).toString("latin1");

export class NetlinkColumnsReader {
  readonly columns: StatsColumns = { at: 0, slots: [], changed: new Set() };
  private readonly byKey = new Map<string, Kept>();
  private readonly numbers = new SlotNumbers();
  token: string | null = null;
  /** lines whose figures the last read took in (complexity guard for tests) */
  linesRead = 0;
  /** blocks parsed the general way by the last read (new or reshaped services) */
  reshaped = 0;

  /** `stats-since` output, as bytes (what the pipe gave: no 14 MB string made) or text. */
  readSince(output: Uint8Array | string, at: number): StatsColumns {
    const b = typeof output === "string" ? Buffer.from(output, "latin1") : output;
    const nl = b.indexOf(10);
    const first = latin1(b, 0, nl < 0 ? Math.min(b.length, 80) : Math.min(nl, 80));
    const head = /^([FD]) (\d{1,30})$/.exec(first);
    this.token = null;
    if (!head) throw new Error(`lvs-ipvs-nl stats-since output line 1: ${JSON.stringify(first)} is not "F|D token"`);
    this.scan(b, nl < 0 ? b.length : nl + 1, 2, head[1] === "F");
    this.columns.at = at;
    this.token = head[2]!;
    return this.columns;
  }

  /** A whole `stats` listing. */
  read(text: Uint8Array | string, at: number): StatsColumns {
    this.scan(typeof text === "string" ? Buffer.from(text, "latin1") : text, 0, 1, true);
    this.columns.at = at;
    return this.columns;
  }

  private scan(b: Uint8Array, from: number, firstLine: number, whole: boolean): void {
    this.linesRead = 0;
    this.reshaped = 0;
    const seen = whole ? new Set<string>() : null;
    let pos = from;
    let line = firstLine;
    const end = b.length;
    while (pos < end) {
      const c0 = b[pos];
      if (c0 === 82 /* R */ && !whole && b[pos + 1] === 32) {
        const e = lineEnd(b, pos);
        this.drop(`S ${latin1(b, pos + 2, e)}`);
        pos = e + 1;
        line++;
        continue;
      }
      if (c0 !== 83 /* S */ || b[pos + 1] !== 32) throw new Error(`lvs-ipvs-nl stats output line ${line}: not a service line: ${JSON.stringify(latin1(b, pos, Math.min(lineEnd(b, pos), pos + 200)))}`);
      // the block: this S line and the D lines after it
      let blockEnd = lineEnd(b, pos) + 1;
      let lines = 1;
      while (blockEnd < end && b[blockEnd] === 68 /* D */) {
        blockEnd = lineEnd(b, blockEnd) + 1;
        lines++;
      }
      const key = latin1(b, pos, wordEnd(b, pos, 6));
      seen?.add(key);
      const kept = this.byKey.get(key);
      const slot = kept ? this.columns.slots[kept.slot]! : null;
      if (!kept || !slot || !sameShape(b, pos, lines, kept) || !figures(b, pos, lines, slot.values)) {
        this.reshape(b, pos, Math.min(blockEnd, end), key, kept, line);
      } else {
        this.columns.changed!.add(kept.slot);
      }
      this.linesRead += lines;
      pos = blockEnd;
      line += lines;
    }
    if (seen) for (const key of [...this.byKey.keys()]) if (!seen.has(key)) this.drop(key);
  }

  private drop(key: string): void {
    const kept = this.byKey.get(key);
    if (!kept) return;
    this.byKey.delete(key);
    this.columns.slots[kept.slot] = null;
    this.columns.changed!.add(kept.slot);
    this.numbers.give(kept.slot);
  }

  private reshape(b: Uint8Array, pos: number, blockEnd: number, key: string, kept: Kept | undefined, line: number): void {
    this.reshaped++;
    const ls = latin1(b, pos, blockEnd).split("\n");
    if (ls.at(-1) === "") ls.pop();
    const head = parseServiceLine(ls[0]!, line).stats;
    if (!head) throw new Error(`lvs-ipvs-nl stats output line ${line}: a service line without counters`);
    const dests = [];
    for (let i = 1; i < ls.length; i++) {
      const d = parseDestinationLine(ls[i]!, line + i).stats;
      if (!d) throw new Error(`lvs-ipvs-nl stats output line ${line + i}: a real-server line without counters`);
      dests.push({ address: d.address, port: d.port, weight: d.weight });
    }
    const slot: ColumnSlot = newSlot(head.key as IpvsServiceKey, dests);
    const parts: Uint8Array[] = [];
    const ends = new Int32Array(ls.length);
    let p = pos;
    let size = 0;
    for (let r = 0; r < ls.length; r++) {
      const e = lineEnd(b, p);
      const w = wordEnd(b, p, r === 0 ? S_STATIC : D_STATIC);
      if (!readNumbers(b, w, e, slot.values, r === 0 ? 3 : r * NF, r === 0 ? NF - 3 : NF)) {
        throw new Error(`lvs-ipvs-nl stats output line ${line + r}: figures that are not counts: ${ls[r]!.slice(0, 200)}`);
      }
      parts.push(b.subarray(p, w));
      ends[r] = size += w - p;
      p = e + 1;
    }
    const statics = new Uint8Array(size);
    let at = 0;
    for (const part of parts) {
      statics.set(part, at);
      at += part.length;
    }
    const n = kept?.slot ?? this.numbers.take();
    const slots = this.columns.slots;
    while (slots.length <= n) slots.push(null);
    slots[n] = slot;
    this.columns.changed!.add(n);
    this.byKey.set(key, { slot: n, statics, ends });
  }
}

/** every line of the block starts with the remembered bytes up to its figures */
function sameShape(b: Uint8Array, pos: number, lines: number, kept: Kept): boolean {
  const s = kept.statics;
  const ends = kept.ends;
  if (ends.length !== lines) return false;
  let from = 0;
  for (let i = 0; i < lines; i++) {
    const n = ends[i]! - from;
    if (pos + n >= b.length || b[pos + n] !== 32) return false;
    for (let j = 0; j < n; j++) if (b[pos + j] !== s[from + j]) return false;
    from = ends[i]!;
    pos = lineEnd(b, pos) + 1;
  }
  return true;
}

/** reads the figures of every line into `v`; false when a line does not have them (then the general parser says why) */
function figures(b: Uint8Array, pos: number, lines: number, v: Float64Array): boolean {
  for (let r = 0; r < lines; r++) {
    const e = lineEnd(b, pos);
    if (!readNumbers(b, wordEnd(b, pos, r === 0 ? S_STATIC : D_STATIC), e, v, r === 0 ? 3 : r * NF, r === 0 ? NF - 3 : NF)) return false;
    pos = e + 1;
  }
  return true;
}

function lineEnd(b: Uint8Array, pos: number): number {
  const e = b.indexOf(10, pos);
  return e < 0 ? b.length : e;
}

/** index of the space after the n-th word from pos (or the line's end) */
function wordEnd(b: Uint8Array, pos: number, n: number): number {
  let i = pos;
  for (let k = 0; i < b.length; i++) {
    const c = b[i];
    if (c === 32 && ++k === n) return i;
    if (c === 10) return i;
  }
  return i;
}

/**
 * Reads `count` numbers " n n n" from `at` (a space) to `end` (the line's end) into v[o...]; false
 * when the text is anything else or a number is not a count (≥ 0, ≤ 2^53 - 1).
 */
function readNumbers(b: Uint8Array, at: number, end: number, v: Float64Array, o: number, count: number): boolean {
  let i = at;
  for (let k = 0; k < count; k++) {
    if (b[i] !== 32) return false;
    const start = ++i;
    let x = 0;
    for (let c = b[i]!; c >= 48 && c <= 57 && i < end; c = b[++i]!) x = x * 10 + (c - 48);
    if (i === start) return false;
    if (i - start > 15) {
      x = Number(latin1(b, start, i));
      if (!Number.isSafeInteger(x)) return false;
    }
    v[o + k] = x;
  }
  return i === end;
}
