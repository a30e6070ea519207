/**
 * Topology → the IpvsTable one director runs.
 *  - services placed on the director (VirtualService.directorIds);
 *  - memberships: disabled → not in the table; draining → weight 0 (quiesced, connections continue);
 *  - destination port: DR/TUN → the service port (no port mapping); NAT → the real server's port,
 *    or the service port when it has none; fwmark services → the real server's port, or 0;
 *  - TUN memberships carry tunnel options (ipip by default), other methods none.
 * Throws LvsError for references that do not resolve or keys that collide (validate() reports those
 * as issues before anyone compiles).
 */
import { canonicalAddress } from "./address.ts";
import { canonicalTable, canonicalTunnel } from "./canonical.ts";
import { LvsError } from "./errors.ts";
import type { IpvsDestination, IpvsService, IpvsTable, Membership, Topology, VirtualService } from "./model.ts";
import { destinationKeyString, serviceKeyString } from "./tableKey.ts";

function serviceOf(vs: VirtualService): IpvsService {
  const common = {
    family: vs.family,
    scheduler: vs.scheduler,
    flags: vs.flags.slice(),
    persistence: vs.persistence ? { ...vs.persistence } : null,
    persistenceEngine: vs.persistenceEngine,
    onePacket: vs.onePacket,
    destinations: [] as IpvsDestination[],
  };
  if (vs.protocol === "fwmark") {
    if (vs.fwmark === null) throw new LvsError("invalid_value", `service ${vs.id}: a fwmark service needs a mark`);
    return { protocol: "fwmark", fwmark: vs.fwmark, ...common };
  }
  if (vs.address === null || vs.port === null) throw new LvsError("invalid_value", `service ${vs.id}: a ${vs.protocol} service needs an address and a port`);
  return { protocol: vs.protocol, address: canonicalAddress(vs.address) ?? vs.address, port: vs.port, ...common };
}

/** The memberships of each service (by service id), in document order: one pass, not one per service. */
export function membershipsByService(topology: Pick<Topology, "memberships">): Map<string, Membership[]> {
  const out = new Map<string, Membership[]>();
  for (const m of topology.memberships) {
    const list = out.get(m.serviceId);
    if (list) list.push(m);
    else out.set(m.serviceId, [m]);
  }
  return out;
}

export function compileDirector(topology: Topology, directorId: string): IpvsTable {
  if (!topology.directors.some((d) => d.id === directorId)) {
    throw new LvsError("dangling_reference", `director ${directorId} is not in the topology`);
  }
  const realServers = new Map(topology.realServers.map((r) => [r.id, r]));
  const membershipsOf = membershipsByService(topology);
  const services: IpvsService[] = [];
  const seenServices = new Map<string, string>();
  for (const vs of topology.services) {
    if (!vs.directorIds.includes(directorId)) continue;
    const svc = serviceOf(vs);
    const key = serviceKeyString(svc);
    const other = seenServices.get(key);
    if (other) throw new LvsError("duplicate_key", `services ${other} and ${vs.id} are the same IPVS service on director ${directorId}`);
    seenServices.set(key, vs.id);
    const seenDests = new Map<string, string>();
    for (const m of membershipsOf.get(vs.id) ?? []) {
      if (m.state === "disabled") continue;
      const rs = realServers.get(m.realServerId);
      if (!rs) throw new LvsError("dangling_reference", `membership ${m.id} names real server ${m.realServerId}, which is not in the topology`);
      const port =
        svc.protocol === "fwmark" ? (rs.port ?? 0)
        : m.method === "nat" ? (rs.port ?? svc.port)
        : svc.port;
      const dest: IpvsDestination = {
        address: canonicalAddress(rs.address) ?? rs.address,
        port,
        method: m.method,
        weight: m.state === "draining" ? 0 : m.weight,
        upperThreshold: m.upperThreshold,
        lowerThreshold: m.lowerThreshold,
        tunnel: m.method === "tun" ? canonicalTunnel(m.tunnel) : null,
      };
      const dkey = destinationKeyString(dest);
      const prev = seenDests.get(dkey);
      if (prev) throw new LvsError("duplicate_key", `memberships ${prev} and ${m.id} are the same real server ${rs.address}:${port} of service ${vs.id}`);
      seenDests.set(dkey, m.id);
      svc.destinations.push(dest);
    }
    services.push(svc);
  }
  const timeouts = topology.directors.find((d) => d.id === directorId)?.timeouts;
  const table = canonicalTable({ services });
  return timeouts ? { ...table, timeouts: { ...timeouts } } : table;
}

/** Every director's table, by director id. */
export function compileTopology(topology: Topology): Record<string, IpvsTable> {
  const out: Record<string, IpvsTable> = {};
  for (const d of topology.directors) out[d.id] = compileDirector(topology, d.id);
  return out;
}
