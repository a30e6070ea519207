/**
 * Topology -> what one director's keepalived.conf holds: the services placed on it (IPVS table +
 * checks + sorry servers) and one vrrp_instance per VIP shared with other directors.
 * VRRP: the first director in a VIP's placement order is MASTER (priority 150), the others BACKUP
 * (100); virtual_router_id is derived from the VIP (FNV-1a mod 255, then +1 on collisions in
 * ascending VIP order) so every director computes the same id without coordination.
 */
import type { Director, IpvsService, Topology } from "../../model.ts";
import { canonicalAddress, prefixContains } from "../../address.ts";
import type { KeepalivedServiceMeta, KeepalivedVrrpInstance } from "./types.ts";

export interface DirectorConfig {
  table: { services: IpvsService[] };
  services: KeepalivedServiceMeta[];
  vrrpInstances: KeepalivedVrrpInstance[];
}

function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

const canonical = (a: string) => canonicalAddress(a) ?? a;

/** VIP -> directors (placement order, first service first) for every VIP placed on 2+ directors. */
export function sharedVips(t: Topology): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const s of t.services) {
    if (s.address === null) continue;
    const vip = canonical(s.address);
    const list = m.get(vip) ?? [];
    for (const d of s.directorIds) if (!list.includes(d)) list.push(d);
    m.set(vip, list);
  }
  for (const [vip, ds] of m) if (ds.length < 2) m.delete(vip);
  return m;
}

/** Deterministic virtual_router_id per shared VIP (1..255; more than 255 shared VIPs cannot be numbered). */
export function virtualRouterIds(vips: string[]): Map<string, number> {
  const used = new Set<number>();
  const out = new Map<string, number>();
  for (const vip of [...vips].sort()) {
    if (used.size >= 255) break;
    let id = (fnv1a(vip) % 255) + 1;
    while (used.has(id)) id = (id % 255) + 1;
    used.add(id);
    out.set(vip, id);
  }
  return out;
}

function interfaceFor(d: Director, vip: string): string {
  const hit = d.interfaces.find((i) => prefixContains(i.address, i.prefix, vip));
  return (hit ?? d.interfaces[0])?.name ?? "eth0";
}

export function directorConfig(t: Topology, directorId: string | null): DirectorConfig {
  const servers = new Map(t.realServers.map((r) => [r.id, r]));
  const out: DirectorConfig = { table: { services: [] }, services: [], vrrpInstances: [] };
  for (const s of t.services) {
    if (directorId !== null && !s.directorIds.includes(directorId)) continue;
    const members = t.memberships.filter((m) => m.serviceId === s.id && m.state !== "disabled" && servers.has(m.realServerId));
    const destinations = members.map((m) => {
      const rs = servers.get(m.realServerId)!;
      return {
        address: rs.address, port: rs.port ?? (s.protocol === "fwmark" ? 0 : (s.port ?? 0)), method: m.method,
        weight: m.state === "draining" ? 0 : m.weight, upperThreshold: m.upperThreshold, lowerThreshold: m.lowerThreshold, tunnel: m.tunnel,
      };
    });
    const common = {
      family: s.family, scheduler: s.scheduler, flags: s.flags, persistence: s.persistence, persistenceEngine: s.persistenceEngine,
      onePacket: s.onePacket, destinations,
    };
    if (s.protocol === "fwmark") {
      if (s.fwmark === null) continue;
      out.table.services.push({ protocol: "fwmark", fwmark: s.fwmark, ...common });
    } else {
      if (s.address === null || s.port === null) continue;
      out.table.services.push({ protocol: s.protocol, address: s.address, port: s.port, ...common });
    }
    out.services.push({ healthCheck: s.healthCheck, sorryServer: s.sorryServer, destinationHealthChecks: members.map((m) => m.healthCheck) });
  }
  if (directorId !== null) {
    const me = t.directors.find((d) => d.id === directorId);
    const shared = sharedVips(t);
    const ids = virtualRouterIds([...shared.keys()]);
    for (const [vip, ds] of shared) {
      const id = ids.get(vip);
      if (!me || !ds.includes(directorId) || id === undefined) continue;
      const master = ds[0] === directorId;
      out.vrrpInstances.push({
        name: `VI_${vip.replace(/[^0-9a-zA-Z]+/g, "_")}`, state: master ? "MASTER" : "BACKUP", interface: interfaceFor(me, vip),
        virtualRouterId: id, priority: master ? 150 : 100, virtualIpaddresses: [vip],
      });
    }
  }
  return out;
}
