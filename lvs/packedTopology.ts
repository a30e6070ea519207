/**
 * A compact transfer form of a Topology (issue 17: the editor's topology.open). A 10 000-service /
 * 50 000-membership document is 12.7 MB of JSON, ~180 bytes a membership, most of it the same key
 * names again and again; the browser spent ~0.6 s receiving and parsing it. Packed, each list of
 * objects is stored by column: the key names once, each object's key order as a shape index (so the
 * decoded objects are the stored ones, key for key and in the same order), and string columns with
 * few distinct values (method, state, scheduler, protocol, ...) as a dictionary plus indexes. Values
 * that are objects or arrays (health checks, tunnels, directorIds) are kept as they are.
 *
 * unpackTopology(JSON of packTopology(t)) is JSON-equal to t, for any document (tests). A malformed
 * packed value is refused with an Error naming the part that is wrong; what it decodes to is the
 * plain document, which the editor validates (zod and the LVS rules) like any other. Pure.
 */
import type { Topology } from "./model.ts";

export const PACKED_TOPOLOGY_FORMAT = "lvs-packed-topology/1";

type Primitive = string | number | boolean | null;

/** A column: every row's value (`v`), or a dictionary of strings and each row's index into it (`d`, `i`). Absent cells hold 0. */
export type PackedColumn = { v: unknown[] } | { d: string[]; i: number[] };

export interface PackedRows {
  /** number of objects */
  n: number;
  /** every key any object has, in first-seen order */
  keys: string[];
  /** distinct key orders, as indexes into `keys` */
  shapes: number[][];
  /** each object's shape (an index into `shapes`), or one shape for all */
  shape: number | number[];
  /** one per key */
  cols: PackedColumn[];
}

export interface PackedTopology {
  format: typeof PACKED_TOPOLOGY_FORMAT;
  /** the document's top-level keys, in order */
  order: string[];
  /** the lists of objects, packed */
  rows: Record<string, PackedRows>;
  /** every other top-level value, as it is */
  plain: Record<string, unknown>;
}

const LISTS = new Set(["directors", "services", "realServers", "memberships"]);

/** a string column with at most this many distinct values (and at most a quarter of its rows) gets a dictionary */
const MAX_DICTIONARY = 4096;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Sets an own property even for "__proto__" (a plain assignment would change the prototype). */
function put(o: Record<string, unknown>, k: string, v: unknown): void {
  if (k === "__proto__") Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  else o[k] = v;
}

function packColumn(values: unknown[], present: boolean[]): PackedColumn {
  let strings = true;
  const dict = new Map<string, number>();
  for (let r = 0; r < values.length && strings; r++) {
    if (!present[r]) continue;
    const v = values[r];
    if (typeof v !== "string") strings = false;
    else if (!dict.has(v)) {
      dict.set(v, dict.size);
      if (dict.size > MAX_DICTIONARY || dict.size * 4 > values.length) strings = false;
    }
  }
  if (!strings || dict.size === 0) return { v: values.map((v, r) => (present[r] ? v : 0)) };
  return { d: [...dict.keys()], i: values.map((v, r) => (present[r] ? dict.get(v as string)! : 0)) };
}

/** Packs a list of plain objects by column. Throws when an item is not an object. */
export function packRows(list: readonly unknown[], what = "rows"): PackedRows {
  const keyIndex = new Map<string, number>();
  const shapeIndex = new Map<string, number>();
  const shapes: number[][] = [];
  const shape: number[] = new Array(list.length);
  const values: unknown[][] = [];
  const present: boolean[][] = [];
  const n = list.length;
  for (let r = 0; r < n; r++) {
    const o = list[r];
    if (!isRecord(o)) throw new Error(`${what}[${r}] is not an object`);
    const ks = Object.keys(o);
    const idx: number[] = new Array(ks.length);
    for (let j = 0; j < ks.length; j++) {
      const k = ks[j]!;
      let c = keyIndex.get(k);
      if (c === undefined) {
        c = keyIndex.size;
        keyIndex.set(k, c);
        values.push(new Array(n).fill(0));
        present.push(new Array(n).fill(false));
      }
      idx[j] = c;
      values[c]![r] = o[k];
      present[c]![r] = true;
    }
    const sig = idx.join(",");
    let s = shapeIndex.get(sig);
    if (s === undefined) {
      s = shapes.length;
      shapeIndex.set(sig, s);
      shapes.push(idx);
    }
    shape[r] = s;
  }
  return {
    n, keys: [...keyIndex.keys()], shapes,
    shape: shapes.length === 1 ? 0 : shape,
    cols: values.map((v, c) => packColumn(v, present[c]!)),
  };
}

const bad = (what: string, why: string) => new Error(`packed topology: ${what} ${why}`);
const isIndex = (v: unknown, below: number) => Number.isInteger(v) && (v as number) >= 0 && (v as number) < below;

/** The objects of packRows(), each with its keys in its own order. Throws a named Error on a malformed value. */
export function unpackRows(p: unknown, what = "rows"): Record<string, unknown>[] {
  if (!isRecord(p)) throw bad(what, "is not an object");
  const { n, keys, shapes, shape, cols } = p as Partial<PackedRows>;
  if (!isIndex(n, 2 ** 31)) throw bad(`${what}.n`, "is not a count");
  const rows = n as number;
  if (!Array.isArray(keys) || !keys.every((k) => typeof k === "string")) throw bad(`${what}.keys`, "is not a list of names");
  if (!Array.isArray(cols) || cols.length !== keys.length) throw bad(`${what}.cols`, `must have one column per key (${keys.length})`);
  if (!Array.isArray(shapes) || !shapes.every((s) => Array.isArray(s) && s.every((k) => isIndex(k, keys.length)))) throw bad(`${what}.shapes`, "must list key indexes");
  const one = typeof shape === "number";
  if (one ? rows > 0 && !isIndex(shape, shapes.length) : !Array.isArray(shape) || shape.length !== rows || !shape.every((s) => isIndex(s, shapes.length)))
    throw bad(`${what}.shape`, "must give each row a known shape");
  // every column as one array of values (a dictionary column expanded once)
  const columns: unknown[][] = (cols as unknown[]).map((c, k) => {
    if (isRecord(c) && Array.isArray(c.v) && c.v.length === rows) return c.v;
    if (isRecord(c) && Array.isArray(c.d) && Array.isArray(c.i) && c.i.length === rows && c.d.every((s: unknown) => typeof s === "string")) {
      const d = c.d as Primitive[], i = c.i as unknown[];
      if (!i.every((x) => isIndex(x, d.length || 1))) throw bad(`${what}.cols[${k}]`, "has an index outside its dictionary");
      return i.map((x) => d[x as number]);
    }
    throw bad(`${what}.cols[${k}]`, `(${String(keys[k])}) must hold ${rows} values`);
  });
  const out: Record<string, unknown>[] = new Array(rows);
  const proto = keys.includes("__proto__");
  const names = keys as string[];
  for (let r = 0; r < rows; r++) {
    const ks = shapes[one ? (shape as number) : (shape as number[])[r]!]!;
    const o: Record<string, unknown> = {};
    if (proto) for (const k of ks) put(o, names[k]!, columns[k]![r]);
    else for (let j = 0; j < ks.length; j++) o[names[ks[j]!]!] = columns[ks[j]!]![r];
    out[r] = o;
  }
  return out;
}

/** The packed form of a document (any object: each list of objects packed, the rest as it is). */
export function packTopology(t: Topology): PackedTopology {
  const doc = t as unknown as Record<string, unknown>;
  const rows: Record<string, PackedRows> = {};
  const plain: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(doc)) {
    if (LISTS.has(k) && Array.isArray(v) && v.every(isRecord)) rows[k] = packRows(v, k);
    else put(plain, k, v);
  }
  return { format: PACKED_TOPOLOGY_FORMAT, order: Object.keys(doc), rows, plain };
}

/** The document packTopology() was given. Throws a named Error on a malformed value. */
export function unpackTopology(p: unknown): Topology {
  if (!isRecord(p) || p.format !== PACKED_TOPOLOGY_FORMAT) throw bad("format", `is not ${PACKED_TOPOLOGY_FORMAT}`);
  const { order, rows, plain } = p as Partial<PackedTopology>;
  if (!Array.isArray(order) || !order.every((k) => typeof k === "string")) throw bad("order", "is not a list of names");
  if (!isRecord(rows) || !isRecord(plain)) throw bad("rows/plain", "are not objects");
  const doc: Record<string, unknown> = {};
  for (const k of order) {
    if (LISTS.has(k) && Object.hasOwn(rows, k)) put(doc, k, unpackRows(rows[k], k));
    else if (Object.hasOwn(plain, k)) put(doc, k, plain[k]);
    else throw bad(`order`, `names "${k}", which is neither packed nor plain`);
  }
  return doc as unknown as Topology;
}
