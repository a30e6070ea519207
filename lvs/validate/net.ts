/** Address helpers for the rules, on top of lvs/address.ts (inet_ntop-exact canonical text). */
import { addressFamily, canonicalAddress, netmaskToPrefix, prefixContains } from "../address.ts";
import type { AddressFamily } from "../model.ts";

export function familyOf(address: string): AddressFamily | null {
  return addressFamily(address);
}

/** Canonical text for comparisons; unparseable input is returned as is. */
export function canonical(address: string): string {
  return canonicalAddress(address) ?? address;
}

export function sameAddress(a: string, b: string): boolean {
  return canonical(a) === canonical(b);
}

/** True when `address` lies in `network/prefix` (same family only). */
export function inSubnet(address: string, network: string, prefix: number): boolean {
  return prefixContains(network, prefix, address);
}

/** `-M`: IPv4 dotted contiguous netmask, or IPv6 prefix length 1..128 written as decimal. */
export function netmaskValidFor(netmask: string, family: AddressFamily): boolean {
  if (family === "inet6") return /^\d{1,3}$/.test(netmask) && Number(netmask) >= 1 && Number(netmask) <= 128;
  return netmaskToPrefix(netmask) !== null;
}
