/**
 * IP addresses as IPVS and ipvsadm see them: parsing, canonical text (exactly what glibc's inet_ntop
 * prints), families, prefixes, `[v6]:port` formatting and the ipvsadm sort arithmetic.
 * Pure: no I/O, no resolver (host names are not addresses here).
 */
import ipaddr from "ipaddr.js";
import type { AddressFamily } from "./model.ts";
import { coded, type Coded, type DiagnosticCode } from "./formats/diagnostics.ts";

function bad(code: DiagnosticCode, text: string): { ok: false } & Coded {
  return { ok: false, ...coded(code, { text }) };
}

export interface ParsedAddress {
  family: AddressFamily;
  /** 4 or 16 bytes, network order */
  bytes: number[];
  /** inet_ntop text */
  text: string;
}

export type AddressResult = { ok: true; value: ParsedAddress } | ({ ok: false } & Coded);

const V4_DECIMAL = /^(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})$/;

/**
 * Memo of parseAddress/addressWords: a rules file names each VIP on every one of its -a lines and
 * ipvsadm's sort compares addresses n·log n times, while parsing IPv6 text (ipaddr.js) is slow.
 * Bounded (dropped whole when full); results are frozen, so sharing them is safe. Pure: the same
 * input always gives the same result.
 */
const MEMO_MAX = 1 << 18;
let parsedMemo = new Map<string, AddressResult>();
let wordsMemo = new Map<string, readonly [number, number, number, number]>();

let lastInput = "";
let lastResult: AddressResult | undefined;

/** Parse an IPv4 dotted quad or an IPv6 address (inet_pton rules: no zone id, no brackets). */
export function parseAddress(input: string): AddressResult {
  // the same address is often asked for twice in a row (parsed, then canonicalised): no map probe
  if (input === lastInput && lastResult) return lastResult;
  const hit = parsedMemo.get(input);
  if (hit) {
    lastInput = input;
    lastResult = hit;
    return hit;
  }
  const r = parseAddressText(input);
  if (r.ok) {
    Object.freeze(r.value.bytes);
    Object.freeze(r.value);
  }
  Object.freeze(r);
  if (parsedMemo.size >= MEMO_MAX) parsedMemo = new Map();
  // keyed by the result's own text when that is the input: the input may be a slice of a whole
  // rules file, which a memo key would keep alive
  const key = r.ok && r.value.text === input ? r.value.text : input;
  parsedMemo.set(key, r);
  lastInput = key;
  lastResult = r;
  return r;
}

/**
 * A dotted quad exactly as V4_DECIMAL reads it and in range (no leading zeros, each 0..255),
 * without a regex match and its arrays: true if it is one, its bytes pushed to `bytes` when given.
 */
function readDottedQuad(s: string, bytes: number[] | null): boolean {
  let i = 0;
  for (let part = 0; part < 4; part++) {
    if (part > 0) {
      if (s.charCodeAt(i) !== 46) return false;
      i++;
    }
    const start = i;
    let v = 0;
    while (i < s.length && i - start < 4) {
      const c = s.charCodeAt(i) - 48;
      if (c < 0 || c > 9) break;
      v = v * 10 + c;
      i++;
    }
    const len = i - start;
    if (len === 0 || len > 3 || v > 255 || (len > 1 && s.charCodeAt(start) === 48)) return false;
    bytes?.push(v);
  }
  return i === s.length;
}

/**
 * Is `s` an address in one of the plainest texts — a dotted quad as readDottedQuad reads it, or
 * IPv6 hex groups with at most one "::" as plainIpv6Bytes reads it — which every parser, ipaddr.js
 * included, reads alike? Allocates nothing (it runs once per real server of a table).
 */
export function isPlainAddressText(s: string): boolean {
  const dbl = s.indexOf("::");
  if (dbl < 0 && !s.includes(":")) return readDottedQuad(s, null);
  if (dbl < 0) return hexGroups(s, 0, s.length) === 8;
  if (dbl !== s.lastIndexOf("::") || s.includes(":::")) return false;
  const head = dbl === 0 ? 0 : hexGroups(s, 0, dbl);
  const tail = dbl + 2 === s.length ? 0 : hexGroups(s, dbl + 2, s.length);
  return head >= 0 && tail >= 0 && head + tail <= 6;
}

/** The number of ":"-separated groups of 1–4 hex digits in s[from, to), or -1 if one is not. */
function hexGroups(s: string, from: number, to: number): number {
  let groups = 0;
  let len = 0;
  for (let i = from; i <= to; i++) {
    if (i === to || s.charCodeAt(i) === 58) {
      if (len === 0 || len > 4) return -1;
      groups++;
      len = 0;
      continue;
    }
    const c = s.charCodeAt(i);
    const hex = (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
    if (!hex) return -1;
    len++;
  }
  return groups;
}

function parseAddressText(input: string): AddressResult {
  const s = input.trim();
  if (s === "") return bad("address.empty", s);
  if (!s.includes(":")) {
    const quad: number[] = [];
    // a fresh text, not `s`: a slice of a rules line would keep the whole line alive in the table
    if (readDottedQuad(s, quad)) return { ok: true, value: { family: "inet", bytes: quad, text: quad.join(".") } };
  } else {
    if (s.includes("%")) return bad("address.zone-id", s);
    if (s.startsWith("[")) return bad("address.brackets", s);
    const tail = /(?:^|:)(\d+\.\d+\.\d+\.\d+)$/.exec(s);
    if (tail && !V4_DECIMAL.test(tail[1] as string)) return bad("address.bad-v4-tail", s);
    // ipaddr.js reads the deprecated IPv4-compatible form ::a.b.c.d as IPv4-mapped; inet_pton does not
    const compat = /^::(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(s);
    if (compat) {
      const v4 = compat.slice(1, 5).map(Number);
      if (v4.some((b) => b > 255)) return bad("address.octets", s);
      const bytes = [...new Array<number>(12).fill(0), ...v4];
      return { ok: true, value: { family: "inet6", bytes, text: formatIpv6(bytes) } };
    }
    const fast = plainIpv6Bytes(s);
    if (fast) return { ok: true, value: { family: "inet6", bytes: fast, text: formatIpv6(fast) } };
    if (!ipaddr.IPv6.isValid(s)) return bad("address.not-ipv6", s);
    const bytes = ipaddr.IPv6.parse(s).toByteArray();
    return { ok: true, value: { family: "inet6", bytes, text: formatIpv6(bytes) } };
  }
  const m = V4_DECIMAL.exec(s);
  if (!m) {
    if (/^[0-9.]+$/.test(s) || /^0x/i.test(s)) {
      return bad("address.not-dotted", s);
    }
    return bad("address.not-ip", s);
  }
  const bytes = m.slice(1, 5).map(Number);
  if (bytes.some((b) => b > 255)) return bad("address.octets", s);
  return { ok: true, value: { family: "inet", bytes, text: bytes.join(".") } };
}

const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;

/**
 * The bytes of the plainest IPv6 texts, which every parser reads alike: eight groups of 1–4 hex
 * digits, or one "::" standing for at least two zero groups. Anything else (dotted tails, a "::"
 * for one group, errors) is left to ipaddr.js (null), whose validation is what parseAddress means
 * but costs ~20 µs an address.
 */
function plainIpv6Bytes(s: string): number[] | null {
  const dbl = s.indexOf("::");
  if (dbl !== s.lastIndexOf("::") || s.includes(":::")) return null;
  const head = dbl < 0 ? s.split(":") : dbl === 0 ? [] : s.slice(0, dbl).split(":");
  const tail = dbl < 0 ? [] : dbl + 2 === s.length ? [] : s.slice(dbl + 2).split(":");
  if (dbl < 0 ? head.length !== 8 : head.length + tail.length > 6) return null;
  const groups: number[] = [];
  for (const g of head) {
    if (!HEX_GROUP.test(g)) return null;
    groups.push(parseInt(g, 16));
  }
  if (dbl >= 0) {
    const zeros = 8 - head.length - tail.length;
    for (let i = 0; i < zeros; i++) groups.push(0);
    for (const g of tail) {
      if (!HEX_GROUP.test(g)) return null;
      groups.push(parseInt(g, 16));
    }
  }
  const bytes: number[] = [];
  for (const g of groups) bytes.push(g >> 8, g & 255);
  return bytes;
}

/** Canonical text of an address, or null when it is not one. */
export function canonicalAddress(input: string): string | null {
  // a dotted quad as inet_ntop writes it is its own text: no parse, no memo probe (110 000 per table)
  if (readDottedQuad(input, null)) return input;
  const r = parseAddress(input);
  return r.ok ? r.value.text : null;
}

export function addressFamily(input: string): AddressFamily | null {
  if (readDottedQuad(input, null)) return "inet";
  const r = parseAddress(input);
  return r.ok ? r.value.family : null;
}

export function isIpv4(input: string): boolean {
  return addressFamily(input) === "inet";
}

export function isIpv6(input: string): boolean {
  return addressFamily(input) === "inet6";
}

/**
 * IPv6 text exactly as glibc inet_ntop: lower-case hex, the first longest run of two or more zero
 * words compressed, and the IPv4-compatible (`::a.b.c.d`) and IPv4-mapped (`::ffff:a.b.c.d`)
 * forms printed with a dotted tail.
 */
export function formatIpv6(bytes: readonly number[]): string {
  const words: number[] = [];
  for (let i = 0; i < 8; i++) words.push(((bytes[2 * i] ?? 0) << 8) | (bytes[2 * i + 1] ?? 0));
  let bestBase = -1;
  let bestLen = 0;
  let curBase = -1;
  let curLen = 0;
  for (let i = 0; i < 8; i++) {
    if (words[i] === 0) {
      if (curBase === -1) {
        curBase = i;
        curLen = 1;
      } else curLen++;
    } else if (curBase !== -1) {
      if (bestBase === -1 || curLen > bestLen) {
        bestBase = curBase;
        bestLen = curLen;
      }
      curBase = -1;
    }
  }
  if (curBase !== -1 && (bestBase === -1 || curLen > bestLen)) {
    bestBase = curBase;
    bestLen = curLen;
  }
  if (bestBase !== -1 && bestLen < 2) bestBase = -1;

  let out = "";
  for (let i = 0; i < 8; i++) {
    if (bestBase !== -1 && i >= bestBase && i < bestBase + bestLen) {
      if (i === bestBase) out += ":";
      continue;
    }
    if (i !== 0) out += ":";
    if (i === 6 && bestBase === 0 && (bestLen === 6 || (bestLen === 5 && words[5] === 0xffff))) {
      out += bytes.slice(12, 16).join(".");
      break;
    }
    out += (words[i] ?? 0).toString(16);
  }
  if (bestBase !== -1 && bestBase + bestLen === 8) out += ":";
  return out;
}

/** `a.b.c.d:port` or `[v6]:port`, as ipvsadm prints and reads service and server addresses. */
export function formatAddressPort(address: string, port: number): string {
  return address.includes(":") ? `[${address}]:${port}` : `${address}:${port}`;
}

/** Is `address` inside `network/prefix` (same family only)? */
export function prefixContains(network: string, prefix: number, address: string): boolean {
  const n = parseAddress(network);
  const a = parseAddress(address);
  if (!n.ok || !a.ok || n.value.family !== a.value.family) return false;
  const bits = n.value.bytes.length * 8;
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > bits) return false;
  for (let i = 0; i < prefix; i++) {
    const byte = i >> 3;
    const mask = 0x80 >> (i & 7);
    if (((n.value.bytes[byte] ?? 0) & mask) !== ((a.value.bytes[byte] ?? 0) & mask)) return false;
  }
  return true;
}

/** The network an interface address lies in: ("10.0.0.7", 24) → "10.0.0.0"; null for a bad address or prefix. */
export function networkAddress(address: string, prefix: number): string | null {
  const a = parseAddress(address);
  if (!a.ok || !Number.isInteger(prefix) || prefix < 0 || prefix > a.value.bytes.length * 8) return null;
  const bytes = a.value.bytes.map((b, i) => (i * 8 >= prefix ? 0 : i * 8 + 8 <= prefix ? b : b & (0xff << (8 - (prefix - i * 8))) & 0xff));
  return bytes.length === 4 ? bytes.join(".") : formatIpv6(bytes);
}

/** 24 → "255.255.255.0" */
export function prefixToNetmask(prefix: number): string {
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > 32) throw new RangeError(`IPv4 prefix ${prefix} is not 0..32`);
  const v = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return [v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255].join(".");
}

/** "255.255.255.0" → 24; null for a non-contiguous mask or a non-address. */
export function netmaskToPrefix(mask: string): number | null {
  const r = parseAddress(mask);
  if (!r.ok || r.value.family !== "inet") return null;
  const v = ipv4ToUint32(r.value.bytes);
  let prefix = 0;
  while (prefix < 32 && v & (0x80000000 >>> prefix)) prefix++;
  return prefixToNetmask(prefix) === r.value.text ? prefix : null;
}

export function ipv4ToUint32(bytes: readonly number[]): number {
  return (((bytes[0] ?? 0) << 24) | ((bytes[1] ?? 0) << 16) | ((bytes[2] ?? 0) << 8) | (bytes[3] ?? 0)) >>> 0;
}

/** The four 32-bit words of `union nf_inet_addr` in host order (IPv4 fills word 0, the rest are 0). */
export function addressWords(address: string): readonly [number, number, number, number] {
  const hit = wordsMemo.get(address);
  if (hit) return hit;
  const r = parseAddress(address);
  const b = r.ok ? r.value.bytes : [];
  const words: readonly [number, number, number, number] = Object.freeze(
    !r.ok ? [0, 0, 0, 0]
    : b.length === 4 ? [ipv4ToUint32(b), 0, 0, 0]
    : [ipv4ToUint32(b.slice(0, 4)), ipv4ToUint32(b.slice(4, 8)), ipv4ToUint32(b.slice(8, 12)), ipv4ToUint32(b.slice(12, 16))],
  );
  if (wordsMemo.size >= MEMO_MAX) wordsMemo = new Map();
  wordsMemo.set(address, words);
  return words;
}

/**
 * `int r = a - b` on two unsigned 32-bit values, as C computes it: the difference wraps to a signed
 * int32. This is ipvsadm's comparator arithmetic (libipvs ipvs_cmp_services / ipvs_cmp_dests), so
 * values more than 2^31 apart compare "backwards" (10.0.0.1 sorts after 192.168.0.1).
 */
export function cDiffU32(a: number, b: number): number {
  return ((a >>> 0) - (b >>> 0)) | 0;
}

/**
 * ipvsadm's address comparison: word by word with the int32 quirk, using the first operand's family
 * to decide how many words to compare (as libipvs does).
 */
export function compareAddressesIpvs(familyA: AddressFamily, a: string, b: string): number {
  const wa = addressWords(a);
  const wb = addressWords(b);
  if (familyA !== "inet6") return cDiffU32(wa[0], wb[0]);
  let r = 0;
  for (let i = 0; r === 0 && i < 4; i++) r = cDiffU32(wa[i] ?? 0, wb[i] ?? 0);
  return r;
}
