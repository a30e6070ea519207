/**
 * `ipvsadm -Ln --stats [--exact]` and `ipvsadm -Ln --rate [--exact]`: parse and render.
 * Without --exact, values of 1e8 and more are abbreviated by ipvsadm (K/M/G/T, truncated), so the
 * parsed numbers are lower bounds. Quirk kept: in --rate, destination CPS/InPPS/OutPPS are always
 * printed raw with `%8llu` (never abbreviated), only InBPS/OutBPS go through print_largenum.
 */
import type { Counters, IpvsServiceKey, Rates } from "../../model.ts";
import {
  ListingParseError, formatAddrPort, largenum, left, lines, parseAddrPort, parseLargenum, parseServiceHead, right,
  serviceName, tokens,
} from "./common.ts";
import { VERSION_RE } from "./list.ts";

export interface StatsListing {
  services: { key: IpvsServiceKey; counters: Counters; destinations: { address: string; port: number; counters: Counters }[] }[];
}
export interface RateListing {
  services: { key: IpvsServiceKey; rates: Rates; destinations: { address: string; port: number; rates: Rates }[] }[];
}

const STATS_COLS = ["Conns", "InPkts", "OutPkts", "InBytes", "OutBytes"] as const;
const RATE_COLS = ["CPS", "InPPS", "OutPPS", "InBPS", "OutBPS"] as const;

function header(cols: readonly string[]): string[] {
  return [`${left("Prot LocalAddress:Port", 33)}${cols.map((c) => " " + right(c, 8)).join("")}`, "  -> RemoteAddress:Port"];
}
export const STATS_HEADER = header(STATS_COLS);
export const RATE_HEADER = header(RATE_COLS);

interface Row {
  key: IpvsServiceKey;
  values: number[];
  destinations: { address: string; port: number; values: number[] }[];
}

type ParsedLine = { kind: "service"; key: IpvsServiceKey; values: number[] } | { kind: "destination"; address: string; port: number; values: number[] };

/**
 * Lines already parsed, by their text: an agent reads these listings every second and most lines
 * (idle services, idle real servers, every service line's key part) repeat byte for byte, so a
 * 10 000-service table is mostly lookups. Bounded (dropped whole when full); entries are frozen.
 */
const MEMO_MAX = 1 << 18;
const memos = new Map<readonly string[], Map<string, ParsedLine>>();

function read(text: string, head: string[], cols: readonly string[]): Row[] {
  let memo = memos.get(head);
  if (!memo || memo.size >= MEMO_MAX) memos.set(head, (memo = new Map()));
  const rows: Row[] = [];
  let seen = 0;
  for (const [n, raw] of lines(text)) {
    if (seen === 0 && rows.length === 0 && VERSION_RE.test(raw)) continue;
    if (seen < head.length) {
      if (raw.trimEnd() !== head[seen]!.trimEnd())
        throw new ListingParseError(n, `expected the header "${head[seen]!.trim()}" (is this the right listing mode?)`, raw);
      seen++;
      continue;
    }
    if (raw.trim() === "") continue;
    let p = memo.get(raw);
    if (!p) {
      p = parseLine(n, raw, cols);
      deepFreeze(p);
      memo.set(raw, p);
    }
    if (p.kind === "destination") {
      const row = rows[rows.length - 1];
      if (!row) throw new ListingParseError(n, "destination line before any service", raw);
      row.destinations.push(p);
    } else {
      rows.push({ key: p.key, values: p.values, destinations: [] });
    }
  }
  if (seen < head.length) throw new ListingParseError(lines(text).length + 1, "the listing ended before its header", "");
  return rows;
}

function parseLine(n: number, raw: string, cols: readonly string[]): ParsedLine {
  const nums = (t: string[], from: number) => {
    if (t.length - from !== 5) throw new ListingParseError(n, `expected 5 numbers (${cols.join(" ")})`, raw);
    return t.slice(from).map((v, i) => parseLargenum(v, n, raw, cols[i]!));
  };
  if (raw.startsWith("  -> ")) {
    const t = tokens(raw.slice(5));
    const ap = parseAddrPort(t[0] ?? "");
    if (!ap) throw new ListingParseError(n, "expected a numeric real server address:port", raw);
    return { kind: "destination", address: ap.address, port: ap.port, values: nums(t, 1) };
  }
  const t = tokens(raw);
  const { key, used } = parseServiceHead(t, n, raw);
  return { kind: "service", key, values: nums(t, used) };
}

function deepFreeze(p: ParsedLine): void {
  Object.freeze(p.values);
  if (p.kind === "service") Object.freeze(p.key);
  Object.freeze(p);
}

const toCounters = (v: number[]): Counters => ({ conns: v[0]!, inPkts: v[1]!, outPkts: v[2]!, inBytes: v[3]!, outBytes: v[4]! });
const toRates = (v: number[]): Rates => ({ cps: v[0]!, inPps: v[1]!, outPps: v[2]!, inBps: v[3]!, outBps: v[4]! });

export function parseStats(text: string): StatsListing {
  return {
    services: read(text, STATS_HEADER, STATS_COLS).map((r) => ({
      key: r.key, counters: toCounters(r.values),
      destinations: r.destinations.map((d) => ({ address: d.address, port: d.port, counters: toCounters(d.values) })),
    })),
  };
}

export function parseRate(text: string): RateListing {
  return {
    services: read(text, RATE_HEADER, RATE_COLS).map((r) => ({
      key: r.key, rates: toRates(r.values),
      destinations: r.destinations.map((d) => ({ address: d.address, port: d.port, rates: toRates(d.values) })),
    })),
  };
}

export interface RenderStatsOptions {
  /** --exact: full numbers (default false, like ipvsadm) */
  exact?: boolean;
  /** first line "IP Virtual Server version ..."; null to omit (default 1.2.1, size 4096) */
  version?: string | null;
  connTableSize?: number;
}

function versionLine(o: RenderStatsOptions): string[] {
  const v = o.version === undefined ? "1.2.1" : o.version;
  return v === null ? [] : [`IP Virtual Server version ${v} (size=${o.connTableSize ?? 4096})`];
}

/** Renders `ipvsadm -Ln --stats` (a StatsSnapshot's services fit this shape). */
export function renderStats(listing: StatsListing, o: RenderStatsOptions = {}): string {
  const ex = o.exact ?? false;
  const five = (c: Counters) => [c.conns, c.inPkts, c.outPkts, c.inBytes, c.outBytes].map((v) => largenum(v, ex)).join("");
  const out = [...versionLine(o), ...STATS_HEADER];
  for (const s of listing.services) {
    out.push(left(serviceName(s.key), 33) + five(s.counters));
    for (const d of s.destinations) out.push(`  -> ${left(formatAddrPort(d.address, d.port), 28)}${five(d.counters)}`);
  }
  return out.join("\n") + "\n";
}

/** Renders `ipvsadm -Ln --rate` (a StatsSnapshot's services fit this shape). */
export function renderRate(listing: RateListing, o: RenderStatsOptions = {}): string {
  const ex = o.exact ?? false;
  const out = [...versionLine(o), ...RATE_HEADER];
  for (const s of listing.services) {
    const r = s.rates;
    out.push(left(serviceName(s.key), 33) + [r.cps, r.inPps, r.outPps, r.inBps, r.outBps].map((v) => largenum(v, ex)).join(""));
    for (const d of s.destinations) {
      const x = d.rates;
      const raw = [x.cps, x.inPps, x.outPps].map((v) => " " + right(Math.max(0, Math.floor(v)), 8)).join("");
      out.push(`  -> ${left(formatAddrPort(d.address, d.port), 28)}${raw}${largenum(x.inBps, ex)}${largenum(x.outBps, ex)}`);
    }
  }
  return out.join("\n") + "\n";
}
