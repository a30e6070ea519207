/**
 * `lvs-ipvs-nl stats` / `stats-since` output read into columns (lvs/stats/statsColumns.ts) for the
 * stats.fields frames: at 10 000 services × 10 real servers with traffic on all of them every block
 * changes every second, and reading them as objects (split, a DestinationStats per line) was a third
 * of a core plus as much again in GC. Here a block whose real servers are the same as last time
 * (every line's fields before the counters equal the remembered text) is read with a character loop
 * straight into the slot's Float64Array: no split, no objects. A new service, or one whose real servers
 * changed, is parsed the general way (netlinkFormat.ts) into a new slot object.
 *
 * Numbers must be counts (safe integers ≥ 0) as in netlinkFormat.ts; malformed output throws with the
 * line number, and the token goes back to null, so the next read is a full one (which heals any slot).
 * Pure.
 */
import type { IpvsServiceKey } from "../../../lvs/model.ts";
import { NF, SlotNumbers, newSlot, type ColumnSlot, type StatsColumns } from "../../../lvs/stats/statsColumns.ts";
import { parseDestinationLine, parseServiceLine } from "./netlinkFormat.ts";

/** words before the figures: S + key (5) + sched pe flags timeout netmask; D + 10 */
const S_STATIC = 11;
const D_STATIC = 11;

interface Kept {
  slot: number;
  /** the text of each line up to its figures (S line first, then each D line) */
  statics: string[];
}

export class NetlinkColumnsReader {
  readonly columns: StatsColumns = { at: 0, slots: [] };
  private readonly byKey = new Map<string, Kept>();
  private readonly numbers = new SlotNumbers();
  token: string | null = null;
  /** lines whose figures the last read took in (complexity guard for tests) */
  linesRead = 0;
  /** blocks parsed the general way by the last read (new or reshaped services) */
  reshaped = 0;

  readSince(output: string, at: number): StatsColumns {
    const nl = output.indexOf("\n");
    const head = /^([FD]) (\d{1,30})$/.exec(nl < 0 ? output : output.slice(0, nl));
    this.token = null;
    if (!head) throw new Error(`lvs-ipvs-nl stats-since output line 1: ${JSON.stringify(output.slice(0, 80))} is not "F|D token"`);
    this.scan(output, nl < 0 ? output.length : nl + 1, 2, head[1] === "F");
    this.columns.at = at;
    this.token = head[2]!;
    return this.columns;
  }

  /** A whole `stats` listing. */
  read(text: string, at: number): StatsColumns {
    this.scan(text, 0, 1, true);
    this.columns.at = at;
    return this.columns;
  }

  private scan(text: string, from: number, firstLine: number, whole: boolean): void {
    this.linesRead = 0;
    this.reshaped = 0;
    const seen = whole ? new Set<string>() : null;
    let pos = from;
    let line = firstLine;
    const end = text.length;
    while (pos < end) {
      const c0 = text.charCodeAt(pos);
      if (c0 === 82 /* R */ && !whole && text.charCodeAt(pos + 1) === 32) {
        const e = lineEnd(text, pos);
        this.drop(`S ${text.slice(pos + 2, e)}`);
        pos = e + 1;
        line++;
        continue;
      }
      if (c0 !== 83 /* S */ || text.charCodeAt(pos + 1) !== 32) throw new Error(`lvs-ipvs-nl stats output line ${line}: not a service line: ${JSON.stringify(text.slice(pos, Math.min(end, pos + 200)))}`);
      // the block: this S line and the D lines after it
      let blockEnd = lineEnd(text, pos) + 1;
      let lines = 1;
      while (blockEnd < end && text.charCodeAt(blockEnd) === 68 /* D */) {
        blockEnd = lineEnd(text, blockEnd) + 1;
        lines++;
      }
      const key = text.slice(pos, wordEnd(text, pos, 6));
      seen?.add(key);
      const kept = this.byKey.get(key);
      const slot = kept ? this.columns.slots[kept.slot]! : null;
      if (!kept || !slot || !this.sameShape(text, pos, lines, kept) || !this.figures(text, pos, lines, slot.values)) {
        this.reshape(text, pos, blockEnd, key, kept, line);
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
    this.numbers.give(kept.slot);
  }

  /** every line of the block starts with the remembered text up to its figures */
  private sameShape(text: string, pos: number, lines: number, kept: Kept): boolean {
    if (kept.statics.length !== lines) return false;
    for (let i = 0; i < lines; i++) {
      const s = kept.statics[i]!;
      if (!text.startsWith(s, pos) || text.charCodeAt(pos + s.length) !== 32) return false;
      pos = lineEnd(text, pos) + 1;
    }
    return true;
  }

  /** reads the figures of every line into `v`; false when a line does not have them (then the general parser says why) */
  private figures(text: string, pos: number, lines: number, v: Float64Array): boolean {
    for (let r = 0; r < lines; r++) {
      const e = lineEnd(text, pos);
      const at = wordEnd(text, pos, r === 0 ? S_STATIC : D_STATIC);
      if (!readNumbers(text, at, e, v, r === 0 ? 3 : r * NF, r === 0 ? NF - 3 : NF)) return false;
      pos = e + 1;
    }
    return true;
  }

  private reshape(text: string, pos: number, blockEnd: number, key: string, kept: Kept | undefined, line: number): void {
    this.reshaped++;
    const ls = text.slice(pos, blockEnd).split("\n");
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
    let p = pos;
    for (let r = 0; r < ls.length; r++) {
      const e = lineEnd(text, p);
      if (!readNumbers(text, wordEnd(text, p, r === 0 ? S_STATIC : D_STATIC), e, slot.values, r === 0 ? 3 : r * NF, r === 0 ? NF - 3 : NF)) {
        throw new Error(`lvs-ipvs-nl stats output line ${line + r}: figures that are not counts: ${ls[r]!.slice(0, 200)}`);
      }
      p = e + 1;
    }
    const n = kept?.slot ?? this.numbers.take();
    const slots = this.columns.slots;
    while (slots.length <= n) slots.push(null);
    slots[n] = slot;
    this.byKey.set(key, { slot: n, statics: ls.map((l, r) => l.slice(0, wordEnd(l, 0, r === 0 ? S_STATIC : D_STATIC))) });
  }
}

function lineEnd(text: string, pos: number): number {
  const e = text.indexOf("\n", pos);
  return e < 0 ? text.length : e;
}

/** index of the space after the n-th word from pos (or the line's end) */
function wordEnd(text: string, pos: number, n: number): number {
  let i = pos;
  for (let k = 0; ; i++) {
    const c = text.charCodeAt(i);
    if (c === 32 && ++k === n) return i;
    if (c === 10 || i >= text.length) return i;
  }
}

/**
 * Reads `count` numbers " n n n" from `at` (a space) to `end` (the line's end) into v[o...]; false
 * when the text is anything else or a number is not a count (≥ 0, ≤ 2^53 - 1).
 */
function readNumbers(text: string, at: number, end: number, v: Float64Array, o: number, count: number): boolean {
  let i = at;
  for (let k = 0; k < count; k++) {
    if (text.charCodeAt(i) !== 32) return false;
    const start = ++i;
    let x = 0;
    for (let c = text.charCodeAt(i); c >= 48 && c <= 57; c = text.charCodeAt(++i)) x = x * 10 + (c - 48);
    if (i === start) return false;
    if (i - start > 15) {
      x = Number(text.slice(start, i));
      if (!Number.isSafeInteger(x)) return false;
    }
    v[o + k] = x;
  }
  return i === end;
}
