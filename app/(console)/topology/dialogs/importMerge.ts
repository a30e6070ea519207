/**
 * Merging an imported IPVS table (from ipvsadm rules or keepalived.conf) into the canvas. Pure.
 *  - a service already on the canvas with the same key (protocol, VIP, port / fwmark, family) is
 *    reused: its options are left alone and missing destinations are added to it;
 *  - a real server with the same address (and, for NAT, port) is reused, so one host serving
 *    several services stays one node;
 *  - every imported service can be placed on a new director, an existing one, or none.
 * Returns only what to add or change; the store applies it as one undo step.
 */
import {
  DEFAULT_FORWARDING_METHOD, type Director, type HaGroup, type IpvsService, type IpvsTable, type Membership, type RealServer,
  type Topology, type VirtualService,
} from "@/lvs/model.ts";
import type { KeepalivedServiceMeta, KeepalivedVrrpInstance } from "@/lvs/formats/keepalived/index.ts";
import { haGroupsFromVrrp } from "@/lvs/ha/haGroupsFromVrrp.ts";
import type { IdKind } from "../../_canvas/store/store.ts";

export type Placement = { kind: "none" } | { kind: "new"; name: string } | { kind: "existing"; directorId: string };

export interface MergePlan {
  director: Director | null;
  /** new services, and existing ones whose directorIds grew */
  services: VirtualService[];
  realServers: RealServer[];
  memberships: Membership[];
  /** ids created by this import (for layout) */
  created: string[];
  /** keepalived vrrp_instance blocks → the topology's HA groups after the import (undefined: unchanged) */
  haGroups?: HaGroup[];
  /** an existing director placed on, with interfaces learnt from unicast_src_ip */
  updatedDirector?: Director;
}

const sameKey = (s: VirtualService, i: IpvsService) =>
  i.protocol === "fwmark"
    ? s.protocol === "fwmark" && s.fwmark === i.fwmark && s.family === i.family
    : s.protocol === i.protocol && s.address === i.address && s.port === i.port && s.family === i.family;

/**
 * meta: keepalived's health checks and sorry servers, index-aligned with table.services; they go onto
 * services and memberships this import creates (an existing service keeps its own).
 */
export function planImport(
  current: Topology,
  table: IpvsTable,
  placement: Placement,
  newId: (k: IdKind) => string,
  meta: readonly KeepalivedServiceMeta[] | null = null,
  vrrp: readonly KeepalivedVrrpInstance[] = [],
): MergePlan {
  const created: string[] = [];
  let director: Director | null = null;
  if (placement.kind === "new") {
    director = { id: newId("director"), name: placement.name || "imported", managementAddress: null, interfaces: [], engine: "auto" };
    created.push(director.id);
  }
  const directorId = director?.id ?? (placement.kind === "existing" ? placement.directorId : null);
  const services = new Map<string, VirtualService>();
  const realServers: RealServer[] = [];
  const memberships: Membership[] = [];
  const allRs = [...current.realServers];
  const members = new Set(current.memberships.map((m) => `${m.serviceId} ${m.realServerId}`));

  for (const [index, i] of table.services.entries()) {
    const m = meta?.[index];
    let svc = current.services.find((s) => sameKey(s, i)) ?? [...services.values()].find((s) => sameKey(s, i));
    if (!svc) {
      const id = newId("service");
      created.push(id);
      svc = {
        id,
        protocol: i.protocol,
        family: i.family,
        address: i.protocol === "fwmark" ? null : i.address,
        port: i.protocol === "fwmark" ? null : i.port,
        fwmark: i.protocol === "fwmark" ? i.fwmark : null,
        scheduler: i.scheduler,
        flags: [...i.flags],
        persistence: i.persistence ? { ...i.persistence } : null,
        persistenceEngine: i.persistenceEngine,
        onePacket: i.onePacket,
        description: "",
        directorIds: [],
        healthCheck: m?.healthCheck ?? null,
        sorryServer: m?.sorryServer ? { ...m.sorryServer } : null,
        proxyProtocol: false,
      };
    }
    if (directorId && !svc.directorIds.includes(directorId)) svc = { ...svc, directorIds: [...svc.directorIds, directorId] };
    services.set(svc.id, svc);
    const servicePort = i.protocol === "fwmark" ? null : i.port;

    for (const [di, d] of i.destinations.entries()) {
      // DR/TUN cannot map ports: the real server is the address; NAT keeps a differing port
      const port = d.method === "nat" && d.port !== servicePort ? d.port : null;
      let rs = allRs.find((r) => r.address === d.address && (r.port ?? null) === port);
      if (!rs) {
        rs = {
          id: newId("realServer"),
          name: "",
          address: d.address,
          port,
          host: { loopbackVips: [], tunnelVips: [], arpSuppressed: false, gateway: null },
        };
        created.push(rs.id);
        allRs.push(rs);
        realServers.push(rs);
      }
      const key = `${svc.id} ${rs.id}`;
      if (members.has(key)) continue;
      members.add(key);
      const id = newId("membership");
      memberships.push({
        id,
        serviceId: svc.id,
        realServerId: rs.id,
        method: d.method ?? DEFAULT_FORWARDING_METHOD,
        weight: d.weight,
        upperThreshold: d.upperThreshold,
        lowerThreshold: d.lowerThreshold,
        tunnel: d.method === "tun" && d.tunnel ? { ...d.tunnel } : null,
        state: "active",
        healthCheck: m?.destinationHealthChecks[di] ?? null,
      });
    }
  }
  const plan: MergePlan = { director, services: [...services.values()], realServers, memberships, created };
  // vrrp_instance blocks describe this director's side of its HA groups: without a director they place nothing
  if (directorId && vrrp.length > 0) {
    const target = director ?? current.directors.find((d) => d.id === directorId)!;
    const r = haGroupsFromVrrp(current.haGroups ?? [], vrrp, directorId, target.interfaces, () => newId("haGroup"));
    plan.haGroups = r.haGroups;
    if (r.interfaces.length) {
      const withIfs = { ...target, interfaces: [...target.interfaces, ...r.interfaces] };
      if (director) plan.director = withIfs;
      else plan.updatedDirector = withIfs;
    }
  }
  return plan;
}

/** The document after the merge (for preview, validation and tests). */
export function applyPlan(current: Topology, plan: MergePlan): Topology {
  const changed = new Map(plan.services.map((s) => [s.id, s]));
  const existing = new Set(current.services.map((s) => s.id));
  return {
    ...current,
    directors: [
      ...current.directors.map((d) => (d.id === plan.updatedDirector?.id ? plan.updatedDirector : d)),
      ...(plan.director ? [plan.director] : []),
    ],
    ...(plan.haGroups ? { haGroups: plan.haGroups } : {}),
    services: [...current.services.map((s) => changed.get(s.id) ?? s), ...plan.services.filter((s) => !existing.has(s.id))],
    realServers: [...current.realServers, ...plan.realServers],
    memberships: [...current.memberships, ...plan.memberships],
  };
}
