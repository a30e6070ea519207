/**
 * The one place where IPVS service and destination keys become strings, and back.
 *
 * Two texts with two purposes:
 *  - `serviceKeyString` / `parseServiceKeyString`: the machine id of a key, "tcp|10.0.0.1|80",
 *    "tcp|2001:db8::1|80", "fwmark|inet6|5". Map keys everywhere, the `serviceKey` of `/api/live`
 *    messages and of stored health transitions (HealthTransition.serviceKey): never change it.
 *  - `describeServiceKey`: what a person reads, in ipvsadm -Ln's words: "TCP 10.0.0.1:80",
 *    "UDP [2001:db8::1]:53", "FWM 5", "FWM 5 IPv6"; also for services still being edited ("?" for a
 *    missing VIP, port or mark), as validation messages name them.
 * Addresses in keys are canonical (lvs/address.ts canonicalAddress).
 */
import { canonicalAddress } from "./address.ts";
import {
  PROTOCOLS, type AddressFamily, type IpvsDestination, type IpvsService, type IpvsServiceKey, type Protocol,
  type ServiceProtocol, type VirtualService,
} from "./model.ts";

/** Just the key fields of a service. */
export function serviceKeyOf(s: IpvsServiceKey): IpvsServiceKey {
  return s.protocol === "fwmark"
    ? { protocol: "fwmark", family: s.family, fwmark: s.fwmark }
    : { protocol: s.protocol, family: s.family, address: s.address, port: s.port };
}

/** The IPVS key of a virtual service (address canonical), or null when it is incomplete (no VIP/port/mark). */
export function serviceKeyOfVirtualService(vs: VirtualService): IpvsServiceKey | null {
  if (vs.protocol === "fwmark") return vs.fwmark === null ? null : { protocol: "fwmark", family: vs.family, fwmark: vs.fwmark };
  if (vs.address === null || vs.port === null) return null;
  return { protocol: vs.protocol, family: vs.family, address: canonicalAddress(vs.address) ?? vs.address, port: vs.port };
}

/** The machine id of a service key: "tcp|10.0.0.1|80", "fwmark|inet6|5". Addresses must be canonical. */
export function serviceKeyString(k: IpvsServiceKey): string {
  return k.protocol === "fwmark" ? `fwmark|${k.family}|${k.fwmark}` : `${k.protocol}|${k.address}|${k.port}`;
}

/** Inverse of serviceKeyString (the address is canonicalised); null if malformed. */
export function parseServiceKeyString(text: string): IpvsServiceKey | null {
  const parts = text.split("|");
  if (parts.length !== 3) return null;
  const [proto, a, b] = parts as [string, string, string];
  if (proto === "fwmark") {
    const fwmark = Number(b);
    if ((a !== "inet" && a !== "inet6") || !/^\d+$/.test(b) || fwmark < 1 || fwmark > 0xffffffff) return null;
    return { protocol: "fwmark", family: a, fwmark };
  }
  const port = Number(b);
  const address = canonicalAddress(a);
  if (!(PROTOCOLS as readonly string[]).includes(proto) || !address || !/^\d+$/.test(b) || port > 65535) return null;
  return { protocol: proto as Protocol, family: address.includes(":") ? "inet6" : "inet", address, port };
}

export function destinationKeyString(d: Pick<IpvsDestination, "address" | "port">): string {
  return `${d.address}|${d.port}`;
}

export function sameServiceKey(a: IpvsServiceKey, b: IpvsServiceKey): boolean {
  return serviceKeyString(a) === serviceKeyString(b);
}

/**
 * The agent's own text key of a service: "tcp 10.0.0.1:80", "tcp [::1]:80", "fwmark 7 inet6". Agents
 * persist health states under it (the fail-static state file's `down` list holds
 * `${agentServiceKeyText(service)} -> address:port`), so it must not change.
 */
export function agentServiceKeyText(k: IpvsServiceKey): string {
  if (k.protocol === "fwmark") return `fwmark ${k.fwmark} ${k.family}`;
  return `${k.protocol} ${k.family === "inet6" ? `[${k.address}]` : k.address}:${k.port}`;
}

/** The key fields of a service, possibly incomplete while it is edited. */
export interface ServiceKeyFields {
  protocol: ServiceProtocol;
  family: AddressFamily;
  address?: string | null;
  port?: number | null;
  fwmark?: number | null;
}

/** Human text of a service key as ipvsadm -Ln prints it: "TCP 10.0.0.1:80", "FWM 5 IPv6"; "?" for a missing field. */
export function describeServiceKey(k: ServiceKeyFields): string {
  if (k.protocol === "fwmark") return `FWM ${k.fwmark ?? "?"}${k.family === "inet6" ? " IPv6" : ""}`;
  const address = k.address ?? "?";
  const host = k.family === "inet6" || address.includes(":") ? `[${address}]` : address;
  return `${k.protocol.toUpperCase()} ${host}:${k.port ?? "?"}`;
}

export function findService(services: readonly IpvsService[], key: IpvsServiceKey): IpvsService | undefined {
  const k = serviceKeyString(key);
  return services.find((s) => serviceKeyString(s) === k);
}
