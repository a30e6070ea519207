// TEMPORARY: stands in for lvs/compile.ts (helper-2) until it lands; removed then.
import type { IpvsService, IpvsTable, Topology, VirtualService } from "@/lvs/model.ts";

function compileService(t: Topology, s: VirtualService): IpvsService | null {
  const dests = t.memberships
    .filter((m) => m.serviceId === s.id && m.state !== "disabled")
    .flatMap((m) => {
      const rs = t.realServers.find((r) => r.id === m.realServerId);
      if (!rs) return [];
      const port = m.method === "nat" ? (rs.port ?? s.port ?? 0) : (s.port ?? rs.port ?? 0);
      return [{
        address: rs.address, port, method: m.method, weight: m.state === "draining" ? 0 : m.weight,
        upperThreshold: m.upperThreshold, lowerThreshold: m.lowerThreshold, tunnel: m.method === "tun" ? m.tunnel : null,
      }];
    });
  const common = {
    family: s.family, scheduler: s.scheduler, flags: s.flags, persistence: s.persistence,
    persistenceEngine: s.persistenceEngine, onePacket: s.onePacket, destinations: dests,
  };
  if (s.protocol === "fwmark") return s.fwmark == null ? null : { protocol: "fwmark", fwmark: s.fwmark, ...common };
  if (s.address == null || s.port == null) return null;
  return { protocol: s.protocol, address: s.address, port: s.port, ...common };
}

export function compileDirectorTemp(t: Topology, directorId: string): IpvsTable {
  return { services: t.services.filter((s) => s.directorIds.includes(directorId)).flatMap((s) => compileService(t, s) ?? []) };
}

export function compileTopologyTemp(t: Topology): IpvsTable {
  return { services: t.services.flatMap((s) => compileService(t, s) ?? []) };
}
