/**
 * The answers of `lvs-ipvs-nl serve` (native/statsServe.c has the format) read into ServedFields
 * (lvs/stats/statsFields.ts): the helper kept the figures it answered last and wrote the stats.fields
 * differences as JSON text itself, so the agent checks them and forwards the bytes, making no number
 * and no object per figure.
 *
 * The check is whole before anything is kept: the header and the token, every line's form, each
 * `fields` segment read number by number (JSON integers only, |n| ≤ 2^53 - 1, no leading zeros; rows
 * as `slot,row,mask` + one difference per set bit; slots that hold a service after this answer's
 * removals and whole services; a row within the service's real servers; a mask naming only fields the
 * row has; slots then rows increasing; the counts and lengths announced) and the end line. Anything
 * else throws with the line and the rule broken, and the reader keeps what it had before except the
 * token (null: the next request asks a full answer, which heals everything). The control plane checks
 * each frame again against what it shows (statsFields.ts checkFrame).
 */
import type { DestinationStats, ServiceStats } from "../../../lvs/model.ts";
import { MAX_SLOT, type ServedFields } from "../../../lvs/stats/statsFields.ts";
import { SERVICE_FIELD_MASK } from "../../../lvs/stats/statsColumns.ts";
import { parseDestinationLine, parseServiceLine } from "./netlinkFormat.ts";

const FULL_MASK = (1 << 13) - 1;

const latin1 = (b: Uint8Array, from: number, to: number) => Buffer.from(b.buffer, b.byteOffset + from, to - from).toString("latin1");

function lineEnd(b: Uint8Array, pos: number): number {
  const e = b.indexOf(10, pos);
  return e < 0 ? b.length : e;
}

/** a decimal count at most `max` (no sign, no leading zero), or -1 */
function count(t: string, max: number): number {
  if (!/^(0|[1-9]\d{0,15})$/.test(t)) return -1;
  const n = Number(t);
  return n <= max ? n : -1;
}

export class ServedFieldsReader {
  token: string | null = null;
  /** per slot: its service's number of real servers (-1: no service there), as the control plane was told */
  private rows = new Int32Array(1024).fill(-1);

  read(b: Uint8Array, at: number): ServedFields {
    this.token = null;
    const fail = (line: number, why: string): never => { throw new Error(`lvs-ipvs-nl serve answer line ${line}: ${why}`); };
    let e = lineEnd(b, 0);
    const head = /^([FD]) (\d{1,30})$/.exec(latin1(b, 0, Math.min(e, 80)));
    if (!head) fail(1, `${JSON.stringify(latin1(b, 0, Math.min(e, 80)))} is not "F|D token"`);
    const full = head![1] === "F";
    // what this answer changes, kept aside until it is all checked
    const changed = new Map<number, number>();
    const rowsOf = (slot: number) => changed.get(slot) ?? (full ? -1 : slot < this.rows.length ? this.rows[slot]! : -1);
    const u: ServedFields = { full, at, removed: [], services: [], segments: [] };
    let pos = e + 1;
    let line = 2;
    let stage = 0; // 0 R, 1 W, 2 X: the helper writes them in that order
    const fields = { slot: -1, row: -1 };
    let ended = false;
    while (pos < b.length) {
      e = lineEnd(b, pos);
      if (e === b.length) fail(line, "cut short (no end of line)");
      const text = latin1(b, pos, Math.min(e, pos + 200));
      const kind = b[pos];
      const m = /^[RWX] (\d+)(?: (\d+))?$/.exec(text);
      if (kind === 69 /* E */ && e === pos + 1) {
        ended = true;
        pos = e + 1;
        if (pos !== b.length) fail(line + 1, "data after the end line");
        break;
      }
      if (kind === 82 /* R */ && m && m[2] === undefined) {
        if (full) fail(line, "a removed slot in a full answer");
        if (stage > 0) fail(line, "a removed slot after whole services or fields");
        const slot = count(m[1]!, MAX_SLOT);
        if (slot < 0 || rowsOf(slot) < 0) fail(line, `removed slot ${m[1]} holds no service`);
        changed.set(slot, -1);
        u.removed.push(slot);
        pos = e + 1;
        line++;
      } else if (kind === 87 /* W */ && m && m[2] === undefined) {
        if (stage > 1) fail(line, "a whole service after fields");
        stage = 1;
        const slot = count(m[1]!, MAX_SLOT);
        if (slot < 0) fail(line, `slot ${m[1]} is not a slot number (0..${MAX_SLOT})`);
        if (u.services.length && u.services.at(-1)!.slot >= slot) fail(line, `whole service slot ${slot} out of order`);
        pos = e + 1;
        line++;
        e = lineEnd(b, pos);
        if (e === b.length) fail(line, "cut short (a whole service without its service line)");
        const s = parseServiceLine(latin1(b, pos, e), line).stats;
        if (!s) fail(line, "a service line without its figures");
        const dests: DestinationStats[] = [];
        pos = e + 1;
        line++;
        while (pos < b.length && b[pos] === 68 /* D */) {
          e = lineEnd(b, pos);
          if (e === b.length) fail(line, "cut short (no end of line)");
          const d = parseDestinationLine(latin1(b, pos, e), line).stats;
          if (!d) fail(line, "a real-server line without its figures");
          dests.push(d!);
          pos = e + 1;
          line++;
        }
        const stats: ServiceStats = { ...s!, destinations: dests };
        u.services.push({ slot, stats });
        changed.set(slot, dests.length);
      } else if (kind === 88 /* X */ && m && m[2] !== undefined) {
        stage = 2;
        const n = count(m[1]!, 1e9);
        const bytes = count(m[2]!, b.length);
        if (full) fail(line, "fields in a full answer");
        if (n < 1 || bytes < 1 || e + 1 + bytes >= b.length || b[e + 1 + bytes] !== 10) fail(line, `a fields segment of ${m[2]} bytes that the answer does not hold`);
        const from = e + 1;
        const got = checkSegment(b, from, from + bytes, rowsOf, fields, (why) => fail(line + 1, why));
        if (got !== n) fail(line + 1, `${got} numbers where the segment header said ${n}`);
        u.segments.push({ count: n, text: b.subarray(from, from + bytes) });
        pos = from + bytes + 1;
        line += 2;
      } else {
        fail(line, `${JSON.stringify(text)} is not an R, W, X or E line`);
      }
    }
    if (!ended) fail(line, "cut short (no end line)");
    // all checked: keep it
    if (full) this.rows.fill(-1);
    for (const [slot, n] of changed) {
      if (slot >= this.rows.length) {
        const bigger = new Int32Array(Math.max(slot + 1, this.rows.length * 2)).fill(-1);
        bigger.set(this.rows);
        this.rows = bigger;
      }
      this.rows[slot] = n;
    }
    this.token = head![2]!;
    return u;
  }
}

/**
 * Reads b[from, to) as comma-separated `fields` numbers and checks them (see the file comment);
 * returns how many there were. `last` carries the last slot/row across segments.
 */
function checkSegment(b: Uint8Array, from: number, to: number, rowsOf: (slot: number) => number, last: { slot: number; row: number }, fail: (why: string) => never): number {
  let i = from;
  let n = 0;
  // 0 slot, 1 row, 2 mask, 3 differences
  let want = 0;
  let slot = last.slot;
  let row = last.row;
  let left = 0;
  let rows = slot >= 0 ? rowsOf(slot) : -1;
  while (i < to) {
    const start = i;
    let c = b[i]!;
    const neg = c === 45;
    if (neg) c = b[++i]!;
    const d0 = i;
    let x = 0;
    while (c >= 48 && c <= 57 && i < to) {
      x = x * 10 + (c - 48);
      c = b[++i]!;
    }
    const len = i - d0;
    if (len === 0 || len > 16 || (len > 1 && b[d0] === 48) || x > 9007199254740991 || (neg && (x === 0 || want !== 3))) {
      if (neg && len > 0 && want !== 3) fail(`number ${n}: a negative ${["slot", "row", "mask"][want]}`);
      fail(`number ${n}: ${JSON.stringify(latin1(b, start, Math.min(to, start + 24)))} is not an integer of at most 2^53 - 1`);
    }
    if (i < to) {
      if (c !== 44) fail(`number ${n}: ${JSON.stringify(latin1(b, start, Math.min(to, i + 1)))} is not followed by a comma`);
      if (++i === to) fail(`a comma at the end`);
    }
    n++;
    if (want === 3) {
      if (--left === 0) want = 0;
    } else if (want === 0) {
      if (x !== slot) {
        if (x < slot) fail(`number ${n - 1}: slot ${x} after slot ${slot}`);
        slot = x;
        row = -1;
        rows = rowsOf(slot);
      }
      if (rows < 0) fail(`number ${n - 1}: slot ${slot} holds no service`);
      want = 1;
    } else if (want === 1) {
      if (x <= row) fail(`number ${n - 1}: slot ${slot} row ${x} after row ${row}`);
      if (x > rows) fail(`number ${n - 1}: row ${x} of slot ${slot} (a service with ${rows} real servers)`);
      row = x;
      want = 2;
    } else {
      const allowed = row === 0 ? SERVICE_FIELD_MASK : FULL_MASK;
      if (x === 0 || (x & ~allowed) !== 0 || x > FULL_MASK) fail(`number ${n - 1}: mask ${x} of slot ${slot} row ${row} names no field or a field the row does not have`);
      left = popcount(x);
      want = 3;
    }
  }
  if (want !== 0) fail(`cut short inside slot ${slot} row ${row}`);
  last.slot = slot;
  last.row = row;
  return n;
}

function popcount(x: number): number {
  let c = 0;
  for (; x; x &= x - 1) c++;
  return c;
}
