/**
 * IpvsTable → Topology, for imports (ipvsadm-save, keepalived, a live director).
 * Creates (optionally) a director, one VirtualService per IPVS service, real servers deduplicated by
 * address and port, and one membership per destination. The real server's port is null when the
 * destination uses the service port (always for DR/TUN), so `compileDirector` gives the table back.
 * Ids come from the injected generator, so imports are deterministic.
 */
import { canonicalTable } from "./canonical.ts";
import { newDirector, newMembership, newRealServer, newVirtualService, type IdGenerator } from "./defaults.ts";
import type { Director, IpvsTable, RealServer, Topology } from "./model.ts";
import { formatAddressPort } from "./address.ts";

export interface TableImportOptions {
  newId: IdGenerator;
  /** create a director and place every service on it */
  director?: { name: string; managementAddress?: string | null } | null;
  /** place every service on this existing director of `into` instead */
  directorId?: string;
  /** add to this topology (its real servers are reused by address and port); default: an empty one */
  into?: Topology;
  /** name of a new topology */
  name?: string;
}

export function tableToTopology(table: IpvsTable, opts: TableImportOptions): Topology {
  const base = opts.into;
  const topo: Topology = base
    ? { ...base, directors: base.directors.slice(), services: base.services.slice(), realServers: base.realServers.slice(), memberships: base.memberships.slice(), layout: { ...base.layout } }
    : { name: opts.name ?? "imported", directors: [], services: [], realServers: [], memberships: [], layout: {} };

  let directorIds: string[] = [];
  if (opts.director) {
    const d: Director = newDirector(opts.newId("director"), opts.director.name, { managementAddress: opts.director.managementAddress ?? null });
    topo.directors.push(d);
    directorIds = [d.id];
  } else if (opts.directorId) {
    directorIds = [opts.directorId];
  }

  const rsKey = (address: string, port: number | null) => `${address}|${port ?? ""}`;
  const realServers = new Map<string, RealServer>(topo.realServers.map((r) => [rsKey(r.address, r.port), r]));

  for (const s of canonicalTable(table).services) {
    const vs = newVirtualService(
      opts.newId("service"),
      s.protocol === "fwmark" ? { protocol: "fwmark", fwmark: s.fwmark, family: s.family } : { protocol: s.protocol, address: s.address, port: s.port },
      {
        scheduler: s.scheduler,
        flags: s.flags.slice(),
        persistence: s.persistence ? { ...s.persistence } : null,
        persistenceEngine: s.persistenceEngine,
        onePacket: s.onePacket,
        directorIds: directorIds.slice(),
      },
    );
    topo.services.push(vs);
    const servicePort = s.protocol === "fwmark" ? 0 : s.port;
    for (const d of s.destinations) {
      const port = d.port === servicePort ? null : d.port;
      const key = rsKey(d.address, port);
      let rs = realServers.get(key);
      if (!rs) {
        rs = newRealServer(opts.newId("realServer"), d.address, { port, name: port === null ? d.address : formatAddressPort(d.address, port) });
        realServers.set(key, rs);
        topo.realServers.push(rs);
      }
      topo.memberships.push(
        newMembership(opts.newId("membership"), vs.id, rs.id, {
          method: d.method,
          weight: d.weight,
          upperThreshold: d.upperThreshold,
          lowerThreshold: d.lowerThreshold,
          tunnel: d.tunnel ? { ...d.tunnel } : null,
        }),
      );
    }
  }
  return topo;
}
