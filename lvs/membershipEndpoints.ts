/**
 * Where a membership shows up in compiled tables: per director that runs its service, the IPVS
 * service key and the destination (address, port) — the same rules as compileDirector — so drain
 * and statistics can find "this real server of this service" in what agents report. Pure.
 */
import { canonicalAddress } from "./address.ts";
import type { IpvsServiceKey, Topology } from "./model.ts";

export interface MembershipEndpoint {
  directorId: string;
  service: IpvsServiceKey;
  destination: { address: string; port: number };
}

export function membershipEndpoints(doc: Topology, membershipId: string): MembershipEndpoint[] {
  const m = doc.memberships.find((x) => x.id === membershipId);
  const vs = m && doc.services.find((s) => s.id === m.serviceId);
  const rs = m && doc.realServers.find((r) => r.id === m.realServerId);
  if (!m || !vs || !rs) return [];
  let service: IpvsServiceKey;
  let port: number;
  if (vs.protocol === "fwmark") {
    if (vs.fwmark == null) return [];
    service = { protocol: "fwmark", family: vs.family, fwmark: vs.fwmark };
    port = rs.port ?? 0;
  } else {
    if (vs.address == null || vs.port == null) return [];
    service = { protocol: vs.protocol, family: vs.family, address: canonicalAddress(vs.address) ?? vs.address, port: vs.port };
    port = m.method === "nat" ? (rs.port ?? vs.port) : vs.port;
  }
  const destination = { address: canonicalAddress(rs.address) ?? rs.address, port };
  return vs.directorIds.map((directorId) => ({ directorId, service, destination }));
}
