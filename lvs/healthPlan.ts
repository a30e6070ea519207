/**
 * healthPlan(topology, directorId, table): what the agent of one director must probe, and which
 * sorry servers it may bring in. Derived from the topology (checks live on services and memberships)
 * and matched against the director's compiled table, so targets always name a destination the
 * table really has (same canonical address and port as compileDirector produced). Pure.
 */
import type { HealthConfig, HealthTarget, SorryServer } from "./protocol/agent.ts";
import type { IpvsService, IpvsServiceKey, IpvsTable, Topology, VirtualService } from "./model.ts";
import { canonicalAddress } from "./address.ts";
import { membershipsByService } from "./compile.ts";
import { serviceKeyOf, serviceKeyString } from "./tableKey.ts";

function keyOfService(s: VirtualService): IpvsServiceKey | null {
  if (s.protocol === "fwmark") return s.fwmark == null ? null : { protocol: "fwmark", family: s.family, fwmark: s.fwmark };
  if (s.address == null || s.port == null) return null;
  const address = canonicalAddress(s.address);
  return address == null ? null : { protocol: s.protocol, family: s.family, address, port: s.port };
}

export function healthPlan(topology: Topology, directorId: string, table: IpvsTable): HealthConfig {
  const compiled = new Map<string, IpvsService>(table.services.map((s) => [serviceKeyString(serviceKeyOf(s)), s]));
  const realServers = new Map(topology.realServers.map((r) => [r.id, r]));
  const membershipsOf = membershipsByService(topology);
  const targets: HealthTarget[] = [];
  const sorryServers: SorryServer[] = [];

  for (const svc of topology.services) {
    if (!svc.directorIds.includes(directorId)) continue;
    const key = keyOfService(svc);
    if (!key) continue;
    const inTable = compiled.get(serviceKeyString(key));
    if (!inTable) continue;
    const seen = new Set<string>();
    // the compiled destinations by address (a service has few per address: the ports compile chose)
    const byAddress = new Map<string, IpvsService["destinations"]>();
    for (const d of inTable.destinations) {
      const list = byAddress.get(d.address);
      if (list) list.push(d);
      else byAddress.set(d.address, [d]);
    }
    for (const m of membershipsOf.get(svc.id) ?? []) {
      if (m.state === "disabled") continue;
      const check = m.healthCheck ?? svc.healthCheck;
      if (!check || check.kind === "none") continue;
      const rs = realServers.get(m.realServerId);
      const address = rs ? canonicalAddress(rs.address) : null;
      if (!rs || !address) continue;
      // the compiled destination of this membership: same address; the port compile chose
      const candidates = byAddress.get(address) ?? [];
      const wantPort = rs.port ?? (key.protocol === "fwmark" ? 0 : key.port);
      const d = candidates.find((c) => c.port === wantPort) ?? (candidates.length === 1 ? candidates[0] : undefined);
      if (!d) continue;
      const k = `${d.address}|${d.port}`;
      if (seen.has(k)) continue;
      seen.add(k);
      targets.push({ service: key, destination: { address: d.address, port: d.port }, check, realServerId: rs.id, serviceId: svc.id });
    }
    if (svc.sorryServer) {
      const address = canonicalAddress(svc.sorryServer.address);
      const port = svc.sorryServer.port ?? (key.protocol === "fwmark" ? 0 : key.port);
      if (address) sorryServers.push({ service: key, address, port });
    }
  }
  return { targets, sorryServers };
}
