/**
 * Address helpers for the rules, on top of lvs/address.ts (inet_ntop-exact canonical text). Parses
 * come from parseAddress's own bounded memo (the editor re-validates on every edit and compares the
 * same few hundred addresses many times; a table has a million real servers on far fewer hosts).
 */
import { parseAddress, type ParsedAddress } from "../address.ts";
import type { AddressFamily } from "../model.ts";

function parsed(address: string): ParsedAddress | null {
  const r = parseAddress(address);
  return r.ok ? r.value : null;
}

export function familyOf(address: string): AddressFamily | null {
  return parsed(address)?.family ?? null;
}

/** Canonical text for comparisons; unparseable input is returned as is. */
export function canonical(address: string): string {
  return parsed(address)?.text ?? address;
}

export function sameAddress(a: string, b: string): boolean {
  return canonical(a) === canonical(b);
}

/** True when `address` lies in `network/prefix` (same family only). */
export function inSubnet(address: string, network: string, prefix: number): boolean {
  const a = parsed(address);
  const n = parsed(network);
  if (!a || !n || a.family !== n.family) return false;
  const bits = n.bytes.length * 8;
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > bits) return false;
  const whole = prefix >> 3;
  for (let i = 0; i < whole; i++) if (a.bytes[i] !== n.bytes[i]) return false;
  const rest = prefix & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return ((a.bytes[whole] ?? 0) & mask) === ((n.bytes[whole] ?? 0) & mask);
}

/** `-M`: IPv4 dotted contiguous netmask, or IPv6 prefix length 1..128 written as decimal. */
export function netmaskValidFor(netmask: string, family: AddressFamily): boolean {
  if (family === "inet6") return /^\d{1,3}$/.test(netmask) && Number(netmask) >= 1 && Number(netmask) <= 128;
  const p = parsed(netmask);
  if (!p || p.family !== "inet") return false;
  const v = ((p.bytes[0]! << 24) | (p.bytes[1]! << 16) | (p.bytes[2]! << 8) | p.bytes[3]!) >>> 0;
  const inv = ~v >>> 0;
  return (inv & (inv + 1)) === 0;
}
