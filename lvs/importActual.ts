/**
 * "Import the director's actual table as a new revision": rewrite one director's part of a topology
 * so that compileDirector(result, directorId) equals the table it actually runs, keeping ids, names,
 * health checks and canvas positions of everything that still matches.
 *  - a running service with the key of a service placed on the director updates that service's
 *    scheduler/flags/persistence; its memberships follow the running real servers (weight, method,
 *    thresholds, tunnel); disabled memberships are kept (they are never in a table);
 *  - a running service that the topology does not place on the director is added (placed on it);
 *  - a placed service the director does not run is taken off the director (removed when no
 *    director is left).
 * Services shared with other directors change for them too (one document). Pure.
 */
import { canonicalAddress } from "./address.ts";
import { canonicalTable } from "./canonical.ts";
import { membershipsByService } from "./compile.ts";
import { newMembership, newRealServer, newVirtualService, type IdGenerator } from "./defaults.ts";
import { formatAddressPort } from "./address.ts";
import type { IpvsService, IpvsServiceKey, IpvsTable, Membership, RealServer, Topology, VirtualService } from "./model.ts";
import { destinationKeyString, serviceKeyString } from "./tableKey.ts";

export function importActualTable(doc: Topology, directorId: string, actual: IpvsTable, newId: IdGenerator): Topology {
  const out: Topology = structuredClone(doc);
  const placed = new Map<string, VirtualService>();
  for (const vs of out.services) {
    if (!vs.directorIds.includes(directorId)) continue;
    const key: IpvsServiceKey = vs.protocol === "fwmark"
      ? { protocol: "fwmark", family: vs.family, fwmark: vs.fwmark ?? 0 }
      : { protocol: vs.protocol, family: vs.family, address: canonicalAddress(vs.address ?? "") ?? vs.address ?? "", port: vs.port ?? 0 };
    placed.set(serviceKeyString(key), vs);
  }
  const rsKey = (address: string, port: number | null) => `${canonicalAddress(address) ?? address}|${port ?? ""}`;
  const realServers = new Map<string, RealServer>(out.realServers.map((r) => [rsKey(r.address, r.port), r]));
  const running = canonicalTable(actual).services;
  const runningKeys = new Set(running.map((s) => serviceKeyString(s)));
  // indexes built once: memberships per service, real servers by id, and what to drop at the end
  const ctx: SyncContext = {
    membershipsOf: membershipsByService(out),
    byId: new Map(out.realServers.map((r) => [r.id, r])),
    gone: new Set(),
    realServers, rsKey, newId,
  };

  for (const s of running) {
    let vs = placed.get(serviceKeyString(s));
    if (!vs) {
      vs = newVirtualService(
        newId("service"),
        s.protocol === "fwmark" ? { protocol: "fwmark", fwmark: s.fwmark, family: s.family } : { protocol: s.protocol, address: s.address, port: s.port },
        { directorIds: [directorId] },
      );
      out.services.push(vs);
    }
    Object.assign(vs, {
      scheduler: s.scheduler, flags: s.flags.slice(), persistence: s.persistence ? { ...s.persistence } : null,
      persistenceEngine: s.persistenceEngine, onePacket: s.onePacket,
    });
    syncMemberships(out, vs, s, ctx);
  }
  const goneServices = new Set<string>();
  for (const [key, vs] of placed) {
    if (runningKeys.has(key)) continue;
    vs.directorIds = vs.directorIds.filter((d) => d !== directorId);
    if (vs.directorIds.length === 0) goneServices.add(vs.id);
  }
  if (goneServices.size) out.services = out.services.filter((x) => !goneServices.has(x.id));
  if (goneServices.size || ctx.gone.size) out.memberships = out.memberships.filter((m) => !goneServices.has(m.serviceId) && !ctx.gone.has(m.id));
  return out;
}

interface SyncContext {
  membershipsOf: Map<string, Membership[]>;
  byId: Map<string, RealServer>;
  /** memberships to remove (their real server no longer runs in the service) */
  gone: Set<string>;
  realServers: Map<string, RealServer>;
  rsKey: (a: string, p: number | null) => string;
  newId: IdGenerator;
}

function syncMemberships(out: Topology, vs: VirtualService, s: IpvsService, ctx: SyncContext): void {
  const { byId, realServers, rsKey, newId } = ctx;
  const servicePort = s.protocol === "fwmark" ? 0 : s.port;
  // the destination key each existing membership compiles to (same rule as compileDirector)
  const destKeyOf = (m: Membership) => {
    const rs = byId.get(m.realServerId)!;
    const port = s.protocol === "fwmark" ? (rs.port ?? 0) : m.method === "nat" ? (rs.port ?? s.port) : s.port;
    return destinationKeyString({ address: canonicalAddress(rs.address) ?? rs.address, port });
  };
  const existing = (ctx.membershipsOf.get(vs.id) ?? []).filter((m) => m.state !== "disabled" && byId.has(m.realServerId));
  // existing memberships by the destination they compile to, in document order
  const byDest = new Map<string, Membership[]>();
  for (const m of existing) {
    const k = destKeyOf(m);
    const list = byDest.get(k);
    if (list) list.push(m);
    else byDest.set(k, [m]);
  }
  const kept = new Set<string>();
  for (const d of s.destinations) {
    const k = destinationKeyString(d);
    const m = byDest.get(k)?.find((x) => !kept.has(x.id));
    const fields = { method: d.method, upperThreshold: d.upperThreshold, lowerThreshold: d.lowerThreshold, tunnel: d.tunnel ? { ...d.tunnel } : null };
    if (m) {
      kept.add(m.id);
      // a draining membership runs at weight 0 and keeps its weight for re-enable
      if (!(m.state === "draining" && d.weight === 0)) Object.assign(m, { weight: d.weight, state: "active" });
      Object.assign(m, fields);
      continue;
    }
    const port = d.port === servicePort ? null : d.port;
    let rs = realServers.get(rsKey(d.address, port));
    if (!rs) {
      rs = newRealServer(newId("realServer"), d.address, { port, name: port === null ? d.address : formatAddressPort(d.address, port) });
      realServers.set(rsKey(d.address, port), rs);
      out.realServers.push(rs);
      byId.set(rs.id, rs);
    }
    const nm = newMembership(newId("membership"), vs.id, rs.id, { ...fields, weight: d.weight });
    out.memberships.push(nm);
    kept.add(nm.id);
  }
  for (const m of existing) if (!kept.has(m.id)) ctx.gone.add(m.id);
}
