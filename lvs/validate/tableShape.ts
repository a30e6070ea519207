/**
 * A hand check that an IpvsTable certainly passes `ipvsTableSchema` (schemas.ts), without zod: zod
 * copies every object it parses and runs ipaddr.js on every address, which for a million real
 * servers is seconds and hundreds of MB. `true` only when every field is of the shape and range the
 * schema requires (then zod would return the same values); anything unusual gives `false`, and the
 * caller runs zod, which then names the problem. Addresses are accepted here only in the plainest
 * forms (canonical dotted quad, hex groups with at most one "::"), which ipaddr.js also accepts.
 */
import {
  FAMILIES, FORWARDING_METHODS, MAX_FWMARK, MAX_IPVS_TIMEOUT, MAX_PERSISTENCE_TIMEOUT, MAX_THRESHOLD, MAX_WEIGHT, PROTOCOLS,
  SCHEDULER_FLAGS, TUNNEL_CSUM, TUNNEL_TYPES, type IpvsTable,
} from "../model.ts";
import { isPlainAddressText } from "../address.ts";

const PROTOCOL = new Set<unknown>(PROTOCOLS);
const FAMILY = new Set<unknown>(FAMILIES);
const FLAG = new Set<unknown>(SCHEDULER_FLAGS);
const METHOD = new Set<unknown>(FORWARDING_METHODS);
const TUNNEL_TYPE = new Set<unknown>(TUNNEL_TYPES);
const CHECKSUM = new Set<unknown>(TUNNEL_CSUM);
const SCHEDULER = /^[a-z][a-z0-9_-]*$/;
const NETMASK = /^[0-9.]+$/;

const int = (v: unknown, min: number, max: number): boolean => Number.isSafeInteger(v) && (v as number) >= min && (v as number) <= max;
const obj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function tunnelOk(t: unknown): boolean {
  if (t === null) return true;
  if (!obj(t)) return false;
  return TUNNEL_TYPE.has(t.type) && (t.port === null || int(t.port, 0, 65535)) && (t.checksum === null || CHECKSUM.has(t.checksum));
}

function destinationOk(d: unknown): boolean {
  if (!obj(d)) return false;
  return typeof d.address === "string" && isPlainAddressText(d.address) && int(d.port, 0, 65535) && METHOD.has(d.method) &&
    int(d.weight, 0, MAX_WEIGHT) && int(d.upperThreshold, 0, MAX_THRESHOLD) && int(d.lowerThreshold, 0, MAX_THRESHOLD) && tunnelOk(d.tunnel);
}

function persistenceOk(p: unknown): boolean {
  if (p === null) return true;
  if (!obj(p)) return false;
  return int(p.timeout, 1, MAX_PERSISTENCE_TIMEOUT) && (p.netmask === null || (typeof p.netmask === "string" && p.netmask.length <= 15 && NETMASK.test(p.netmask)));
}

function serviceOk(s: unknown): boolean {
  if (!obj(s)) return false;
  if (s.protocol === "fwmark") {
    if (!int(s.fwmark, 1, MAX_FWMARK)) return false;
  } else if (!PROTOCOL.has(s.protocol) || typeof s.address !== "string" || !isPlainAddressText(s.address) || !int(s.port, 0, 65535)) return false;
  if (!FAMILY.has(s.family) || typeof s.scheduler !== "string" || s.scheduler.length > 16 || !SCHEDULER.test(s.scheduler)) return false;
  if (!Array.isArray(s.flags) || s.flags.length > 7) return false;
  for (let i = 0; i < s.flags.length; i++) if (!FLAG.has(s.flags[i])) return false;
  if (!persistenceOk(s.persistence) || (s.persistenceEngine !== null && s.persistenceEngine !== "sip") || typeof s.onePacket !== "boolean") return false;
  const ds = s.destinations;
  if (!Array.isArray(ds) || ds.length > 100000) return false;
  for (let i = 0; i < ds.length; i++) if (!destinationOk(ds[i])) return false;
  return true;
}

/** Would `ipvsTableSchema.safeParse(t)` certainly succeed? (false: not sure; ask zod) */
export function isWellFormedTable(t: unknown): t is IpvsTable {
  if (!obj(t) || !Array.isArray(t.services) || t.services.length > 100000) return false;
  if (t.timeouts !== undefined) {
    const o = t.timeouts;
    if (!obj(o) || !int(o.tcp, 0, MAX_IPVS_TIMEOUT) || !int(o.tcpfin, 0, MAX_IPVS_TIMEOUT) || !int(o.udp, 0, MAX_IPVS_TIMEOUT)) return false;
  }
  const ss = t.services;
  for (let i = 0; i < ss.length; i++) if (!serviceOk(ss[i])) return false;
  return true;
}
