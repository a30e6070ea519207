/**
 * The JSON bytes of a `stats.fields` message, byte for byte what JSON.stringify gives for the same
 * message with `fields` as a number array, written straight from the encoder's Float64Array: at
 * 10 000 services × 10 real servers with traffic on all of them a frame holds ~1.5 million numbers,
 * and making a JS array of them costs ~10x more than writing their digits. The link sends the
 * bytes as a text frame. The bytes are a view of memory the next call reuses (a 6 MB copy a second
 * less): send or copy them before the next call. Pure (TextEncoder is a web global).
 */
import type { StatsFieldsFrame } from "./statsFields.ts";

const MARK = "\u0000fields\u0000";
const MARK_JSON = JSON.stringify(MARK);
const encoder = new TextEncoder();
let scratch = new Uint8Array(1 << 20);
const digits = new Uint8Array(24);

export function statsFieldsJson(frame: StatsFieldsFrame, v: number): Uint8Array {
  const head = JSON.stringify({ v, type: "stats.fields", seq: frame.seq, reset: frame.reset, more: frame.more, at: frame.at, services: frame.services, removed: frame.removed, fields: MARK });
  const at = head.lastIndexOf(MARK_JSON);
  const before = encoder.encode(head.slice(0, at));
  const after = encoder.encode(head.slice(at + MARK_JSON.length));
  const x = frame.fields;
  const text = frame.fieldsText;
  if (text) {
    // numbers a helper wrote and the engine checked (ServedFields): copied as they are
    const n = before.length + after.length + 2 + text.length;
    if (scratch.length < n) scratch = new Uint8Array(Math.max(n, scratch.length * 2));
    scratch.set(before, 0);
    scratch[before.length] = 91;
    scratch.set(text, before.length + 1);
    scratch[before.length + 1 + text.length] = 93;
    scratch.set(after, before.length + 2 + text.length);
    return scratch.subarray(0, n);
  }
  // ≤ 23 bytes a number (a sign, 22 digits of a double written out, a comma) plus the brackets
  const need = before.length + after.length + 2 + x.length * 24;
  if (scratch.length < need) scratch = new Uint8Array(Math.max(need, scratch.length * 2));
  const b = scratch;
  b.set(before, 0);
  let p = before.length;
  b[p++] = 91; // [
  for (let i = 0; i < x.length; i++) {
    if (i) b[p++] = 44; // ,
    let n = x[i]!;
    if (n < 0) {
      b[p++] = 45; // -
      n = -n;
    }
    if (n <= 2147483647) {
      let m = n | 0;
      let k = 0;
      do {
        const q = (m / 10) | 0;
        digits[k++] = 48 + m - q * 10;
        m = q;
      } while (m !== 0);
      while (k) b[p++] = digits[--k]!;
    } else {
      const t = JSON.stringify(n);
      for (let j = 0; j < t.length; j++) b[p++] = t.charCodeAt(j);
    }
  }
  b[p++] = 93; // ]
  b.set(after, p);
  p += after.length;
  return b.subarray(0, p);
}
