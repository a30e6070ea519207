/**
 * /proc/net/ip_vs (services and destinations, hex) and /proc/net/ip_vs_stats (totals, hex).
 * Layouts from ip_vs_ctl.c: ip_vs_info_seq_show / ip_vs_stats_show. The kernel prints the
 * persistence timeout in jiffies (HZ is a parameter, default 250 as in Debian's kernel) and the
 * netmask as `%08X` of ntohl(netmask). For IPv6 the "netmask" is the prefix length kept in host
 * order, so on little-endian machines /64 prints as 40000000: we read values above 128 byte-swapped
 * (inferred from the source, not yet checked in the lab).
 * /proc/net/ip_vs shows no scheduler flags and no persistence engine, and fwmark lines carry no
 * family (taken from the first destination, else IPv4).
 */
import ipaddr from "ipaddr.js";
import type { Counters, Rates } from "../../model.ts";
import {
  ListingParseError, PROTO_NAME, familyOfAddress, hex, hex0, hexAddress, left, lines, parseForward, parseHexAddress,
  protocolFromName, tokens,
} from "./common.ts";
import type { ListedDestination, ListedService, ServiceListing } from "./list.ts";
import { VERSION_RE } from "./list.ts";

export const PROC_IPVS_HEADER = ["Prot LocalAddress:Port Scheduler Flags", "  -> RemoteAddress:Port Forward Weight ActiveConn InActConn"];

export interface ProcOptions {
  /** kernel HZ: persistence timeouts are printed in jiffies (default 250) */
  hz?: number;
}

function hexAddrPort(s: string | undefined, line: number, raw: string): { address: string; port: number } {
  const m = /^\[([0-9a-fA-F:]+)\]:([0-9A-Fa-f]{4})$/.exec(s ?? "") ?? /^([0-9A-Fa-f]{8}):([0-9A-Fa-f]{4})$/.exec(s ?? "");
  const address = m ? parseHexAddress(m[1]!) : null;
  if (!m || address === null) throw new ListingParseError(line, `expected HEXADDR:PORT or [IPv6]:PORT, got "${s ?? ""}"`, raw);
  return { address, port: parseInt(m[2]!, 16) };
}

const bswap32 = (n: number) => (((n & 0xff) << 24) | ((n & 0xff00) << 8) | ((n >>> 8) & 0xff00) | (n >>> 24)) >>> 0;

function maskFromHex(h: string, v6: boolean): string | null {
  const n = parseInt(h, 16) >>> 0;
  if (v6) {
    const plen = n > 128 ? bswap32(n) : n;
    return plen === 128 ? null : String(plen);
  }
  if (n === 0xffffffff) return null;
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");
}

export function parseProcIpvs(text: string, o: ProcOptions = {}): ServiceListing {
  const hz = o.hz ?? 250;
  const listing: ServiceListing = { version: null, connTableSize: null, services: [] };
  let seen = 0;
  let fwmarkFamilyOpen: ListedService | null = null;
  const fwmarkMasks = new Map<ListedService, string>();
  for (const [n, raw] of lines(text)) {
    const v = VERSION_RE.exec(raw);
    if (v && seen === 0) {
      listing.version = v[1]!;
      listing.connTableSize = Number(v[2]);
      continue;
    }
    if (seen < 2) {
      if (raw.trimEnd() !== PROC_IPVS_HEADER[seen]) throw new ListingParseError(n, `expected the header "${PROC_IPVS_HEADER[seen]!.trim()}"`, raw);
      seen++;
      continue;
    }
    if (raw.trim() === "") continue;
    const t = tokens(raw);
    if (t[0] === "->") {
      const svc = listing.services[listing.services.length - 1];
      if (!svc) throw new ListingParseError(n, "destination line before any service", raw);
      const ap = hexAddrPort(t[1], n, raw);
      const forward = parseForward(t[2]);
      if (!forward || t.length !== 6) throw new ListingParseError(n, "expected -> ADDR:PORT Forward Weight ActiveConn InActConn", raw);
      const nums = t.slice(3).map((x) => {
        if (!/^-?\d+$/.test(x)) throw new ListingParseError(n, `expected a decimal number, got "${x}"`, raw);
        return Number(x);
      });
      const d: ListedDestination = { ...ap, forward, weight: nums[0]!, activeConns: nums[1]!, inactConns: nums[2]! };
      svc.destinations.push(d);
      if (fwmarkFamilyOpen === svc && svc.key.protocol === "fwmark") {
        svc.key = { ...svc.key, family: familyOfAddress(ap.address) };
        fwmarkFamilyOpen = null;
      }
      continue;
    }
    let i = 2;
    let svc: ListedService;
    const base = { scheduler: t[2] ?? "", flags: [], persistence: null, persistenceEngine: null, onePacket: false, destinations: [] };
    if (t[0] === "FWM") {
      if (!/^[0-9A-Fa-f]{8}$/.test(t[1] ?? "")) throw new ListingParseError(n, "FWM needs an 8-digit hex mark", raw);
      svc = { ...base, key: { protocol: "fwmark", family: "inet", fwmark: parseInt(t[1]!, 16) } };
      fwmarkFamilyOpen = svc;
    } else {
      const protocol = protocolFromName(t[0] ?? "");
      if (!protocol) throw new ListingParseError(n, `unknown protocol "${t[0] ?? ""}"`, raw);
      const ap = hexAddrPort(t[1], n, raw);
      svc = { ...base, key: { protocol, family: familyOfAddress(ap.address), ...ap } };
    }
    if (!svc.scheduler) throw new ListingParseError(n, "service line without a scheduler", raw);
    for (i = 3; i < t.length; i++) {
      if (t[i] === "ops") svc.onePacket = true;
      else if (t[i] === "persistent") {
        const j = t[i + 1] ?? "";
        const m = t[i + 2] ?? "";
        if (!/^\d+$/.test(j) || !/^[0-9A-Fa-f]{8}$/.test(m)) throw new ListingParseError(n, "expected persistent <jiffies> <HEXMASK>", raw);
        svc.persistence = { timeout: Math.round(Number(j) / hz), netmask: maskFromHex(m, svc.key.family === "inet6") };
        if (svc.key.protocol === "fwmark") fwmarkMasks.set(svc, m);
        i += 2;
      } else throw new ListingParseError(n, `unexpected word "${t[i]}" in a service line`, raw);
    }
    listing.services.push(svc);
  }
  if (seen < 2) throw new ListingParseError(lines(text).length + 1, "the listing ended before its header", "");
  // fwmark lines carry no family: re-read their mask once the destinations told us
  for (const [svc, m] of fwmarkMasks) if (svc.persistence && svc.key.family === "inet6") svc.persistence.netmask = maskFromHex(m, true);
  return listing;
}

function maskHex(netmask: string | null, v6: boolean): string {
  if (v6) {
    const plen = netmask === null ? 128 : Number(netmask);
    return hex0(bswap32(plen), 8);
  }
  if (netmask === null) return "FFFFFFFF";
  return ipaddr.IPv4.parse(netmask).toByteArray().map((b) => hex0(b, 2)).join("");
}

/** Renders /proc/net/ip_vs as the kernel prints it (little-endian host for the IPv6 mask quirk). */
export function renderProcIpvs(listing: ServiceListing, o: ProcOptions = {}): string {
  const hz = o.hz ?? 250;
  const out = [`IP Virtual Server version ${listing.version ?? "1.2.1"} (size=${listing.connTableSize ?? 4096})`, ...PROC_IPVS_HEADER];
  for (const s of listing.services) {
    const k = s.key;
    const ops = s.onePacket ? "ops " : "";
    let line: string;
    if (k.protocol === "fwmark") line = `FWM  ${hex0(k.fwmark, 8)} ${s.scheduler} ${ops}`;
    else if (k.family === "inet6") line = `${PROTO_NAME[k.protocol]}  [${hexAddress(k.address)}]:${hex0(k.port, 4)} ${s.scheduler} `;
    else line = `${PROTO_NAME[k.protocol]}  ${hexAddress(k.address)}:${hex0(k.port, 4)} ${s.scheduler} ${ops} `;
    if (s.persistence) line += `persistent ${s.persistence.timeout * hz} ${maskHex(s.persistence.netmask, k.family === "inet6")}`;
    out.push(line);
    for (const d of s.destinations) {
      const a = familyOfAddress(d.address) === "inet6" ? `[${hexAddress(d.address)}]` : hexAddress(d.address);
      out.push(`  -> ${a}:${hex0(d.port, 4)}      ${left(d.forward, 7)} ${left(d.weight, 6)} ${left(d.activeConns, 10)} ${left(d.inactConns, 10)}`);
    }
  }
  return out.join("\n") + "\n";
}

// ---------------------------------------------------------------- /proc/net/ip_vs_stats

export interface ProcStats {
  counters: Counters;
  rates: Rates;
}
export const PROC_STATS_HEADER = [
  "   Total Incoming Outgoing         Incoming         Outgoing",
  "   Conns  Packets  Packets            Bytes            Bytes",
];
export const PROC_RATE_HEADER = " Conns/s   Pkts/s   Pkts/s          Bytes/s          Bytes/s";

export function parseProcStats(text: string): ProcStats {
  const all = lines(text).filter(([, l]) => l.trim() !== "");
  const expect = [PROC_STATS_HEADER[0], PROC_STATS_HEADER[1], null, PROC_RATE_HEADER, null];
  if (all.length !== 5) throw new ListingParseError(all[all.length - 1]?.[0] ?? 1, "expected 2 header lines, totals, rate header, rates", all[all.length - 1]?.[1] ?? "");
  const values: number[][] = [];
  all.forEach(([n, l], i) => {
    const want = expect[i];
    if (want) {
      if (l.trimEnd() !== want) throw new ListingParseError(n, `expected the header "${want.trim()}"`, l);
      return;
    }
    const t = tokens(l);
    if (t.length !== 5 || !t.every((x) => /^[0-9A-Fa-f]+$/.test(x))) throw new ListingParseError(n, "expected 5 hex numbers", l);
    values.push(t.map((x) => parseInt(x, 16)));
  });
  const [c, r] = values as [number[], number[]];
  return {
    counters: { conns: c[0]!, inPkts: c[1]!, outPkts: c[2]!, inBytes: c[3]!, outBytes: c[4]! },
    rates: { cps: r[0]!, inPps: r[1]!, outPps: r[2]!, inBps: r[3]!, outBps: r[4]! },
  };
}

export function renderProcStats(s: ProcStats): string {
  const row = (v: number[]) => `${hex(v[0]!, 8)} ${hex(v[1]!, 8)} ${hex(v[2]!, 8)} ${hex(v[3]!, 16)} ${hex(v[4]!, 16)}`;
  const c = s.counters;
  const r = s.rates;
  return [...PROC_STATS_HEADER, row([c.conns, c.inPkts, c.outPkts, c.inBytes, c.outBytes]), "", PROC_RATE_HEADER,
    row([r.cps, r.inPps, r.outPps, r.inBps, r.outBps])].join("\n") + "\n";
}
