/**
 * The hash functions the kernel schedulers use, reproduced bit-exactly in 32-bit integer arithmetic.
 *  - address fold (`addr_fold`): IPv4 `ntohl(addr)`; IPv6 `ntohl(ip6[0]^ip6[1]^ip6[2]^ip6[3])`.
 *  - Knuth multiplicative hash `x * 2654435761` (ip_vs_sh.c, ip_vs_dh.c, ip_vs_lblc*.c).
 *  - `hsiphash` as built on 64-bit kernels (lib/siphash.c: HalfSipHash is SipHash-1-3 there),
 *    for a single u32 (ip_vs_mh.c hashes `v = offset + port + addr_fold`, 4 bytes, little-endian).
 */
import type { AddressFamily } from "../model.ts";

/** Parses a dotted quad into an unsigned 32-bit number; NaN when malformed. */
export function parseIpv4(text: string): number {
  let value = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || part > 255) return NaN;
      value = value * 256 + part;
      part = 0;
      digits = 0;
      dots++;
    } else if (c >= 48 && c <= 57 && digits < 3) {
      part = part * 10 + (c - 48);
      digits++;
    } else {
      return NaN;
    }
  }
  if (dots !== 3 || digits === 0 || part > 255) return NaN;
  return value * 256 + part;
}

/** Parses IPv6 text (with `::` and an optional trailing dotted quad) into eight 16-bit groups. */
export function parseIpv6(text: string): number[] | null {
  const zone = text.indexOf("%");
  const body = zone >= 0 ? text.slice(0, zone) : text;
  const halves = body.split("::");
  if (halves.length > 2) return null;
  const groups = (part: string): number[] | null => {
    if (part === "") return [];
    const out: number[] = [];
    const items = part.split(":");
    for (let i = 0; i < items.length; i++) {
      const item = items[i] ?? "";
      if (i === items.length - 1 && item.includes(".")) {
        const v4 = parseIpv4(item);
        if (Number.isNaN(v4)) return null;
        out.push(v4 >>> 16, v4 & 0xffff);
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(item)) return null;
        out.push(parseInt(item, 16));
      }
    }
    return out;
  };
  const head = groups(halves[0] ?? "");
  const tail = halves.length === 2 ? groups(halves[1] ?? "") : [];
  if (!head || !tail) return null;
  if (halves.length === 1) return head.length === 8 ? head : null;
  const fill = 8 - head.length - tail.length;
  if (fill < 1) return null;
  return [...head, ...new Array<number>(fill).fill(0), ...tail];
}

/** The kernel's `addr_fold` after `ntohl`, as an unsigned 32-bit number (0 when unparsable). */
export function foldAddress(family: AddressFamily, address: string): number {
  if (family === "inet") {
    const v = parseIpv4(address);
    return Number.isNaN(v) ? 0 : v;
  }
  const g = parseIpv6(address);
  if (!g) return 0;
  let fold = 0;
  for (let i = 0; i < 8; i += 2) fold ^= ((g[i] ?? 0) << 16) | (g[i + 1] ?? 0);
  return fold >>> 0;
}

/**
 * The kernel's `hash_32(val, bits)` (include/linux/hash.h): `(val * GOLDEN_RATIO_32) >> (32 - bits)`,
 * the TOP bits of the 32-bit product. dh and sh index their 256 buckets with it (ip_vs_dh.c,
 * ip_vs_sh.c); the older `(x * 2654435761UL) & mask` (low bits) is what 2.6-era sources show, and the
 * lab kernel (6.1) disagrees with it — lab/schedulerReplay.test.ts replays the observed choices.
 */
export function hash32(x: number, bits: number): number {
  return Math.imul(x | 0, 0x61c88647) >>> (32 - bits);
}

// SipHash constants "somepseudorandomlygeneratedbytes", split into 32-bit halves.
const C0H = 0x736f6d65, C0L = 0x70736575;
const C1H = 0x646f7261, C1L = 0x6e646f6d;
const C2H = 0x6c796765, C2L = 0x6e657261;
const C3H = 0x74656462, C3L = 0x79746573;

/** A 128-bit key as the kernel's `hsiphash_key_t` on 64-bit: two u64 words, each [hi, lo]. */
export interface HsipKey {
  k0h: number;
  k0l: number;
  k1h: number;
  k1l: number;
}

export function hsipKey(k0: number, k1: number): HsipKey {
  return { k0h: Math.floor(k0 / 2 ** 32) >>> 0, k0l: k0 >>> 0, k1h: Math.floor(k1 / 2 ** 32) >>> 0, k1l: k1 >>> 0 };
}

/**
 * `hsiphash(&v, 4, key)` on a 64-bit kernel: SipHash-1-3 of one little-endian u32, truncated to u32.
 * The state lives in local 32-bit halves and the four SipRounds run in one loop, so V8 keeps it all
 * in registers (module-level state was ~7x slower in a micro-benchmark: 2 us vs 0.28 us a hash).
 */
export function hsiphashU32(value: number, key: HsipKey): number {
  let v0h = (C0H ^ key.k0h) >>> 0, v0l = (C0L ^ key.k0l) >>> 0;
  let v1h = (C1H ^ key.k1h) >>> 0, v1l = (C1L ^ key.k1l) >>> 0;
  let v2h = (C2H ^ key.k0h) >>> 0, v2l = (C2L ^ key.k0l) >>> 0;
  let v3h = (C3H ^ key.k1h) >>> 0, v3l = (C3L ^ key.k1l) >>> 0;
  // b = (len << 56) | value, len = 4
  const bh = 0x04000000, bl = value >>> 0;
  v3h = (v3h ^ bh) >>> 0; v3l = (v3l ^ bl) >>> 0;
  let h = 0, l = 0, t = 0;
  // one compression round, then v0 ^= b, v2 ^= 0xff and three finalization rounds
  for (let round = 0; round < 4; round++) {
    if (round === 1) {
      v0h = (v0h ^ bh) >>> 0; v0l = (v0l ^ bl) >>> 0;
      v2l = (v2l ^ 0xff) >>> 0;
    }
    // v0 += v1; v1 = rotl(v1, 13) ^ v0; v0 = rotl(v0, 32)
    l = (v0l + v1l) >>> 0; v0h = (v0h + v1h + (l < v0l ? 1 : 0)) >>> 0; v0l = l;
    h = ((v1h << 13) | (v1l >>> 19)) >>> 0; l = ((v1l << 13) | (v1h >>> 19)) >>> 0;
    v1h = (h ^ v0h) >>> 0; v1l = (l ^ v0l) >>> 0;
    t = v0h; v0h = v0l; v0l = t;
    // v2 += v3; v3 = rotl(v3, 16) ^ v2
    l = (v2l + v3l) >>> 0; v2h = (v2h + v3h + (l < v2l ? 1 : 0)) >>> 0; v2l = l;
    h = ((v3h << 16) | (v3l >>> 16)) >>> 0; l = ((v3l << 16) | (v3h >>> 16)) >>> 0;
    v3h = (h ^ v2h) >>> 0; v3l = (l ^ v2l) >>> 0;
    // v0 += v3; v3 = rotl(v3, 21) ^ v0
    l = (v0l + v3l) >>> 0; v0h = (v0h + v3h + (l < v0l ? 1 : 0)) >>> 0; v0l = l;
    h = ((v3h << 21) | (v3l >>> 11)) >>> 0; l = ((v3l << 21) | (v3h >>> 11)) >>> 0;
    v3h = (h ^ v0h) >>> 0; v3l = (l ^ v0l) >>> 0;
    // v2 += v1; v1 = rotl(v1, 17) ^ v2; v2 = rotl(v2, 32)
    l = (v2l + v1l) >>> 0; v2h = (v2h + v1h + (l < v2l ? 1 : 0)) >>> 0; v2l = l;
    h = ((v1h << 17) | (v1l >>> 15)) >>> 0; l = ((v1l << 17) | (v1h >>> 15)) >>> 0;
    v1h = (h ^ v2h) >>> 0; v1l = (l ^ v2l) >>> 0;
    t = v2h; v2h = v2l; v2l = t;
  }
  return (v0l ^ v1l ^ v2l ^ v3l) >>> 0;
}
