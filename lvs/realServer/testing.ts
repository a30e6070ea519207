/** A small topology with one real server per forwarding method, for tests of the real-server role. */
import { emptyTopology, newDirector, newMembership, newRealServer, newVirtualService } from "../defaults.ts";
import type { Topology, TunnelType } from "../model.ts";

export function modesTopology(o: { tunType?: TunnelType; tunPort?: number | null; natManage?: boolean; v6?: boolean } = {}): Topology {
  const t = emptyTopology("modes");
  t.directors.push(newDirector("d1", "dir", { engine: "ipvs", interfaces: [{ name: "eth0", address: "10.0.0.1", prefix: 24 }, { name: "eth1", address: "10.0.1.1", prefix: 24 }] }));
  t.services.push(
    newVirtualService("vdr", { protocol: "tcp", address: "10.0.0.100", port: 80 }, { directorIds: ["d1"], scheduler: "rr" }),
    newVirtualService("vtun", { protocol: "tcp", address: "10.0.0.101", port: 80 }, { directorIds: ["d1"], scheduler: "rr" }),
    newVirtualService("vnat", { protocol: "tcp", address: "10.0.0.102", port: 80 }, { directorIds: ["d1"], scheduler: "rr" }),
    newVirtualService("vfw", { protocol: "fwmark", fwmark: 7 }, { directorIds: ["d1"] }),
  );
  t.realServers.push(
    newRealServer("rdr", "10.0.0.2"),
    newRealServer("rtun", "10.0.9.2"),
    newRealServer("rnat", "10.0.1.2", { host: { loopbackVips: [], tunnelVips: [], arpSuppressed: false, gateway: null, ...(o.natManage ? { manageGateway: true } : {}) } }),
  );
  t.memberships.push(
    newMembership("m-dr", "vdr", "rdr", { method: "dr" }),
    newMembership("m-tun", "vtun", "rtun", { method: "tun", tunnel: { type: o.tunType ?? "ipip", port: o.tunPort ?? null, checksum: null } }),
    newMembership("m-nat", "vnat", "rnat", { method: "nat" }),
  );
  if (o.v6) {
    t.services.push(newVirtualService("vdr6", { protocol: "tcp", address: "2001:db8::100", port: 80 }, { directorIds: ["d1"] }));
    t.memberships.push(newMembership("m-dr6", "vdr6", "rdr", { method: "dr" }), newMembership("m-fw", "vfw", "rdr", { method: "dr" }));
  }
  return t;
}
