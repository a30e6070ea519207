/**
 * Topology -> what one director's keepalived.conf holds: the services placed on it (IPVS table +
 * checks + sorry servers) and one vrrp_instance per HA group it belongs to, with the group's
 * settings exactly as the agent runs them (lvs/ha/haGroups.ts desiredHaFor: virtual_router_id,
 * priority, advert_int, version, nopreempt, unicast peers, PASS authentication, VIPs with their
 * prefixes, connection sync). The director with the group's highest priority is MASTER, unless the
 * group is nopreempt (keepalived wants every nopreempt instance in state BACKUP).
 */
import type { IpvsService, Topology } from "../../model.ts";
import type { KeepalivedServiceMeta, KeepalivedVrrpInstance } from "./types.ts";
import { desiredHaFor, groupPriority, resolveHaGroups } from "../../ha/haGroups.ts";

export interface DirectorConfig {
  table: { services: IpvsService[] };
  services: KeepalivedServiceMeta[];
  vrrpInstances: KeepalivedVrrpInstance[];
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
  if (directorId !== null) out.vrrpInstances = vrrpInstancesFor(t, directorId);
  return out;
}

/** The vrrp_instance blocks of one director: its HA groups' settings (the agent's own keepalived runs the same). */
export function vrrpInstancesFor(t: Topology, directorId: string): KeepalivedVrrpInstance[] {
  const ha = desiredHaFor(t, directorId);
  if (!ha) return [];
  const groups = new Map(resolveHaGroups(t).map((g) => [g.id, g]));
  // the sync daemons belong to the first instance whose group syncs (one master/backup pair per director)
  const syncWith = ha.sync ? ha.instances.find((i) => groups.get(i.groupId)?.connectionSync) : undefined;
  return ha.instances.map((i) => {
    const g = groups.get(i.groupId)!;
    const top = Math.max(...g.directorIds.map((d) => groupPriority(g, d)));
    return {
      name: i.name, state: !i.nopreempt && i.priority === top ? "MASTER" : "BACKUP", interface: i.interface,
      virtualRouterId: i.virtualRouterId, priority: i.priority,
      virtualIpaddresses: i.vips.map((v) => v.address), vipPrefixes: i.vips.map((v) => v.prefix),
      advertIntMs: i.advertIntMs, version: i.version, nopreempt: i.nopreempt,
      unicastSrcIp: i.unicastSource, unicastPeers: [...i.unicastPeers], authPass: i.authPass,
      syncInterface: i === syncWith ? ha.sync!.interface : null, syncId: i === syncWith ? ha.sync!.syncId : null,
    };
  });
}
