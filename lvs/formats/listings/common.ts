/**
 * Shared pieces of the ipvsadm / /proc listing formats: printf-width helpers, address:port text,
 * forwarding names and ipvsadm's print_largenum. Layouts follow ipvsadm.c (v1.31) and
 * net/netfilter/ipvs/ip_vs_ctl.c / ip_vs_conn.c, see docs in lvs-reference.md §1.4 and §1.6.
 */
import ipaddr from "ipaddr.js";
import { canonicalAddress } from "../../address.ts";
import type { AddressFamily, ForwardingMethod, IpvsServiceKey, Protocol } from "../../model.ts";

export class ListingParseError extends Error {
  constructor(
    readonly line: number,
    readonly reason: string,
    readonly text: string,
  ) {
    super(`line ${line}: ${reason}${text ? ` (got "${text.trim().slice(0, 80)}")` : ""}`);
    this.name = "ListingParseError";
  }
}

/** `%-Ns` */
export const left = (s: string | number, n: number) => String(s).padEnd(n, " ");
/** `%Ns` */
export const right = (s: string | number, n: number) => String(s).padStart(n, " ");

/** Splits text into [lineNo, line] pairs, 1-based, without the final empty line; strips \r. */
export function lines(text: string): [number, string][] {
  const all = text.replace(/\r/g, "").split("\n");
  if (all.length && all[all.length - 1] === "") all.pop();
  return all.map((l, i) => [i + 1, l]);
}

export const tokens = (line: string) => line.trim().split(/\s+/).filter(Boolean);

// ---------------------------------------------------------------- addresses

/** inet_ntop text for an address (lvs/address.ts), or null. */
export { canonicalAddress };

export function familyOfAddress(address: string): AddressFamily {
  return address.includes(":") ? "inet6" : "inet";
}

/** `10.0.0.1:80` or `[2001:db8::1]:80` as ipvsadm -n prints them. */
export function formatAddrPort(address: string, port: number): string {
  return familyOfAddress(address) === "inet6" ? `[${address}]:${port}` : `${address}:${port}`;
}

export function parseAddrPort(text: string): { address: string; port: number } | null {
  const m = /^\[([^\]]+)\]:(\d{1,5})$/.exec(text) ?? /^([0-9.]+):(\d{1,5})$/.exec(text);
  if (!m) return null;
  const address = canonicalAddress(m[1]!);
  const port = Number(m[2]);
  if (address === null || port > 65535) return null;
  if (m[0].startsWith("[") !== (familyOfAddress(address) === "inet6")) return null;
  return { address, port };
}

/** Kernel hex forms: IPv4 `0A000001`, IPv6 `%pI6` (`2001:0db8:0000:...`), port `0050`. */
export function parseHexAddress(text: string): string | null {
  if (/^[0-9A-Fa-f]{8}$/.test(text)) {
    const n = parseInt(text, 16);
    return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");
  }
  return text.includes(":") ? canonicalAddress(text) : null;
}

export function hexAddress(address: string): string {
  if (familyOfAddress(address) === "inet") {
    return ipaddr.IPv4.parse(address).toByteArray().map((b) => b.toString(16).toUpperCase().padStart(2, "0")).join("");
  }
  return ipaddr.IPv6.parse(address).toNormalizedString().split(":").map((g) => g.padStart(4, "0")).join(":");
}

export const hex = (n: number, width: number) => n.toString(16).toUpperCase().padStart(width, " ");
export const hex0 = (n: number, width: number) => n.toString(16).toUpperCase().padStart(width, "0");

// ---------------------------------------------------------------- services

export const PROTO_NAME: Record<Protocol, string> = { tcp: "TCP", udp: "UDP", sctp: "SCTP" };
const PROTO_BY_NAME: Record<string, Protocol> = { TCP: "tcp", UDP: "udp", SCTP: "sctp" };

export function protocolFromName(name: string): Protocol | null {
  return PROTO_BY_NAME[name] ?? null;
}

/** `TCP  10.0.0.1:80` / `FWM  1` / `FWM  1 IPv6` (the svc_name of ipvsadm's list mode). */
export function serviceName(key: IpvsServiceKey): string {
  if (key.protocol === "fwmark") return `FWM  ${key.fwmark}${key.family === "inet6" ? " IPv6" : ""}`;
  return `${left(PROTO_NAME[key.protocol], 4)} ${formatAddrPort(key.address, key.port)}`;
}

/** Reads a service name from the head of a token list; returns the key and how many tokens it used. */
export function parseServiceHead(t: string[], line: number, raw: string): { key: IpvsServiceKey; used: number } {
  const head = t[0] ?? "";
  if (head === "FWM") {
    const mark = Number(t[1]);
    if (!/^\d+$/.test(t[1] ?? "") || mark < 1 || mark > 4294967295) throw new ListingParseError(line, "FWM needs a mark 1..4294967295", raw);
    const v6 = t[2] === "IPv6";
    return { key: { protocol: "fwmark", family: v6 ? "inet6" : "inet", fwmark: mark }, used: v6 ? 3 : 2 };
  }
  const protocol = protocolFromName(head);
  if (!protocol) throw new ListingParseError(line, `unknown protocol "${head}" (expected TCP, UDP, SCTP or FWM)`, raw);
  const ap = parseAddrPort(t[1] ?? "");
  if (!ap) throw new ListingParseError(line, "expected a numeric address:port (IPv6 in brackets); was the listing made with -n?", raw);
  return { key: { protocol, family: familyOfAddress(ap.address), address: ap.address, port: ap.port }, used: 2 };
}

// ---------------------------------------------------------------- forwarding

export const FORWARD_NAMES = ["Masq", "Local", "Tunnel", "Route"] as const;
export type ForwardName = (typeof FORWARD_NAMES)[number];

export function methodOfForward(f: ForwardName): ForwardingMethod {
  return f === "Masq" ? "nat" : f === "Tunnel" ? "tun" : "dr";
}
export function forwardOfMethod(m: ForwardingMethod): ForwardName {
  return m === "nat" ? "Masq" : m === "tun" ? "Tunnel" : "Route";
}
export function parseForward(s: string | undefined): ForwardName | null {
  return (FORWARD_NAMES as readonly string[]).includes(s ?? "") ? (s as ForwardName) : null;
}

// ---------------------------------------------------------------- numbers

/** ipvsadm's print_largenum: `%9llu`, or `%8llu` + K/M/G/T; with --exact the full value, width max(9, len+1). */
export function largenum(n: number, exact: boolean): string {
  const v = Math.max(0, Math.floor(n));
  if (exact) {
    const s = String(BigInt(v));
    return right(s, s.length <= 8 ? 9 : s.length + 1);
  }
  if (v < 1e8) return right(v, 9);
  if (v < 1e9) return right(Math.floor(v / 1e3), 8) + "K";
  if (v < 1e11) return right(Math.floor(v / 1e6), 8) + "M";
  if (v < 1e14) return right(Math.floor(v / 1e9), 8) + "G";
  return right(Math.floor(v / 1e12), 8) + "T";
}

const SUFFIX: Record<string, number> = { K: 1e3, M: 1e6, G: 1e9, T: 1e12 };

/** Reads a print_largenum value; K/M/G/T values are lower bounds (ipvsadm truncates). */
export function parseLargenum(s: string | undefined, line: number, raw: string, what: string): number {
  const m = /^(\d+)([KMGT]?)$/.exec(s ?? "");
  if (!m) throw new ListingParseError(line, `${what}: expected a number (optionally with K/M/G/T), got "${s ?? ""}"`, raw);
  return Number(m[1]) * (m[2] ? SUFFIX[m[2]]! : 1);
}

export function parseUint(s: string | undefined, line: number, raw: string, what: string): number {
  if (!/^\d+$/.test(s ?? "")) throw new ListingParseError(line, `${what}: expected a non-negative integer, got "${s ?? ""}"`, raw);
  return Number(s);
}

export function parseInt10(s: string | undefined, line: number, raw: string, what: string): number {
  if (!/^-?\d+$/.test(s ?? "")) throw new ListingParseError(line, `${what}: expected an integer, got "${s ?? ""}"`, raw);
  return Number(s);
}
