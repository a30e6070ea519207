/**
 * A fast check of agent `stats` frames (the 1 Hz hot path of the control plane): the same rules as
 * the zod schema (lvs/protocol/agent.ts statsSchema) written as plain loops, ~10x cheaper for a
 * 1 000-destination snapshot. It only answers "certainly valid as-is"; anything else (an invalid
 * value, or extra keys zod would strip) goes to zod, which produces the exact error text and output.
 * The agreement with zod is property-tested (statsFrameCheck.test.ts). Pure.
 */
import ipaddr from "ipaddr.js";
import { FAMILIES, MAX_FWMARK, PROTOCOLS } from "../model.ts";
import { MAX_SLOT } from "./statsFields.ts";

const isCount = (x: unknown): boolean => typeof x === "number" && Number.isSafeInteger(x) && x >= 0;
const isPort = (x: unknown): boolean => typeof x === "number" && Number.isInteger(x) && x >= 0 && x <= 65535;
const isObj = (x: unknown): x is Record<string, unknown> => typeof x === "object" && x !== null && !Array.isArray(x);
const nkeys = (o: object): number => {
  let n = 0;
  for (const k in o) if (Object.prototype.hasOwnProperty.call(o, k)) n++;
  return n;
};

/** address validity, memoised (the same addresses come every second); bounded */
const addressOk = new Map<string, boolean>();
function isAddress(x: unknown): boolean {
  if (typeof x !== "string" || x.length > 45) return false;
  let ok = addressOk.get(x);
  if (ok === undefined) {
    ok = ipaddr.IPv4.isValidFourPartDecimal(x) || ipaddr.IPv6.isValid(x);
    if (addressOk.size >= 200_000) addressOk.clear();
    addressOk.set(x, ok);
  }
  return ok;
}

const COUNTERS = ["conns", "inPkts", "outPkts", "inBytes", "outBytes"] as const;
const RATES = ["cps", "inPps", "outPps", "inBps", "outBps"] as const;

function fiveCounts(o: unknown, keys: readonly string[]): boolean {
  if (!isObj(o) || nkeys(o) !== 5) return false;
  for (const k of keys) if (!isCount(o[k])) return false;
  return true;
}

function isServiceKey(k: unknown): boolean {
  if (!isObj(k)) return false;
  if (!(FAMILIES as readonly unknown[]).includes(k.family)) return false;
  if (k.protocol === "fwmark") return nkeys(k) === 3 && typeof k.fwmark === "number" && Number.isInteger(k.fwmark) && k.fwmark >= 1 && k.fwmark <= MAX_FWMARK;
  return nkeys(k) === 4 && (PROTOCOLS as readonly unknown[]).includes(k.protocol) && isAddress(k.address) && isPort(k.port);
}

function isDestination(d: unknown): boolean {
  return isObj(d) && nkeys(d) === 8 && isAddress(d.address) && isPort(d.port) && isCount(d.weight) && isCount(d.activeConns) &&
    isCount(d.inactConns) && isCount(d.persistConns) && fiveCounts(d.counters, COUNTERS) && fiveCounts(d.rates, RATES);
}

function areServiceStats(list: unknown[]): boolean {
  for (const s of list) {
    if (!isObj(s) || nkeys(s) !== 4 || !isServiceKey(s.key) || !fiveCounts(s.counters, COUNTERS) || !fiveCounts(s.rates, RATES) || !Array.isArray(s.destinations)) return false;
    for (const d of s.destinations as unknown[]) if (!isDestination(d)) return false;
  }
  return true;
}

/** true when `raw` is a stats frame zod would accept unchanged (protocol version `v`) */
export function isCleanStatsFrame(raw: unknown, v: number): boolean {
  if (!isObj(raw) || raw.type !== "stats" || raw.v !== v || nkeys(raw) !== 3) return false;
  const snap = raw.snapshot;
  if (!isObj(snap) || nkeys(snap) !== 2 || !isCount(snap.at) || !Array.isArray(snap.services)) return false;
  return areServiceStats(snap.services as unknown[]);
}

/** The same for a `stats.delta` frame (feature "stats.delta"). */
export function isCleanStatsDeltaFrame(raw: unknown, v: number): boolean {
  if (!isObj(raw) || raw.type !== "stats.delta" || raw.v !== v || nkeys(raw) !== 8) return false;
  if (!isCount(raw.seq) || !isCount(raw.at) || typeof raw.reset !== "boolean" || typeof raw.more !== "boolean") return false;
  const { services, removed } = raw;
  if (!Array.isArray(services) || !Array.isArray(removed) || services.length > 100_000 || removed.length > 100_000) return false;
  for (const k of removed as unknown[]) if (!isServiceKey(k)) return false;
  return areServiceStats(services as unknown[]);
}

/** The same for a `stats.fields` frame (feature "stats.fields"); what the numbers mean is the merger's to check. */
export function isCleanStatsFieldsFrame(raw: unknown, v: number): boolean {
  if (!isObj(raw) || raw.type !== "stats.fields" || raw.v !== v || nkeys(raw) !== 9) return false;
  if (!isCount(raw.seq) || !isCount(raw.at) || typeof raw.reset !== "boolean" || typeof raw.more !== "boolean") return false;
  const { services, removed, fields } = raw;
  if (!Array.isArray(services) || !Array.isArray(removed) || !Array.isArray(fields) || services.length > 100_000 || removed.length > 1_000_000 || fields.length > 4_000_000) return false;
  for (const n of removed as unknown[]) if (!isSlot(n)) return false;
  for (const x of fields as unknown[]) if (typeof x !== "number" || !Number.isSafeInteger(x)) return false;
  const list: unknown[] = [];
  for (const s of services as unknown[]) {
    if (!isObj(s) || nkeys(s) !== 2 || !isSlot(s.slot)) return false;
    list.push(s.stats);
  }
  return areServiceStats(list);
}

const isSlot = (x: unknown): boolean => typeof x === "number" && Number.isInteger(x) && x >= 0 && x <= MAX_SLOT;
