/** Small address helpers for the rules (ipaddr.js); pure. Switch to lvs/address.ts once it settles. */
import ipaddr from "ipaddr.js";
import type { AddressFamily } from "../model.ts";

export function familyOf(address: string): AddressFamily | null {
  if (ipaddr.IPv4.isValidFourPartDecimal(address)) return "inet";
  if (ipaddr.IPv6.isValid(address)) return "inet6";
  return null;
}

/** Canonical text for comparisons (IPv6 compressed lower-case). Unparseable input is returned as is. */
export function canonical(address: string): string {
  try {
    return ipaddr.parse(address).toString();
  } catch {
    return address;
  }
}

export function sameAddress(a: string, b: string): boolean {
  return canonical(a) === canonical(b);
}

/** True when `address` lies in `network/prefix` (same family only). */
export function inSubnet(address: string, network: string, prefix: number): boolean {
  const fa = familyOf(address);
  if (!fa || fa !== familyOf(network)) return false;
  try {
    const a = ipaddr.parse(address);
    const n = ipaddr.parse(network);
    const bits = Math.max(0, Math.min(prefix, fa === "inet" ? 32 : 128));
    return (a as ipaddr.IPv4).match(n as ipaddr.IPv4, bits);
  } catch {
    return false;
  }
}

/** `-M`: IPv4 dotted contiguous netmask, or IPv6 prefix length 1..128 written as decimal. */
export function netmaskValidFor(netmask: string, family: AddressFamily): boolean {
  if (family === "inet6") return /^\d{1,3}$/.test(netmask) && Number(netmask) >= 1 && Number(netmask) <= 128;
  if (!ipaddr.IPv4.isValidFourPartDecimal(netmask)) return false;
  return ipaddr.IPv4.parse(netmask).prefixLengthFromSubnetMask() !== null;
}
