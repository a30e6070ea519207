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
import type { NetworkInterface } from "@/lvs/model.ts";
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
  // a "new" director whose name is already taken is that director: a second import into one topology
  // (ipvsadm rules, then the same host's keepalived.conf) adds to it instead of making a twin
  const name = placement.kind === "new" ? placement.name.trim() || "imported" : "";
  const sameName = placement.kind === "new" ? current.directors.find((d) => d.name.trim() === name) : undefined;
  if (placement.kind === "new" && !sameName) {
    director = { id: newId("director"), name, managementAddress: null, interfaces: [], engine: "auto" };
    created.push(director.id);
  }
  const directorId = director?.id ?? sameName?.id ?? (placement.kind === "existing" ? placement.directorId : null);
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
    // without unicast_src_ip (the DIP) the interface is still known: the VIPs' prefix on `interface`
    const learnt = [...r.interfaces, ...vrrpInterfaces(vrrp).filter((i) => ![...target.interfaces, ...r.interfaces].some((x) => x.name === i.name))];
    if (learnt.length) {
      const withIfs = { ...target, interfaces: [...target.interfaces, ...learnt] };
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

/**
 * The director's addresses a keepalived.conf declares by its VIPs: every virtual_ipaddress written
 * with a prefix (`192.168.195.110/24`) is an address of the director on that network while it is
 * MASTER, on the instance's `interface`. Without a prefix keepalived adds a /32 (/128), which says
 * nothing about the network and is left out.
 */
export function vrrpInterfaces(vrrp: readonly KeepalivedVrrpInstance[]): NetworkInterface[] {
  const out: NetworkInterface[] = [];
  for (const v of vrrp) {
    if (!v.interface) continue;
    v.virtualIpaddresses.forEach((address, i) => {
      const prefix = v.vipPrefixes?.[i] ?? null;
      if (prefix === null || out.some((x) => x.name === v.interface)) return;
      out.push({ name: v.interface!, address, prefix });
    });
  }
  return out;
}

/** "imported", or "imported-2", "imported-3"... when the name is taken. */
export function uniqueDirectorName(current: Topology, base: string): string {
  const taken = new Set(current.directors.map((d) => d.name.trim()));
  if (!taken.has(base)) return base;
  for (let i = 2; ; i++) if (!taken.has(`${base}-${i}`)) return `${base}-${i}`;
}

export interface ImportCounts {
  services: number;
  /** real-server entries (ipvsadm -a lines / real_server blocks): one per service and real server */
  memberships: number;
  /** real-server nodes the canvas will show for them (one address serving several services is one node) */
  realServers: number;
  newRealServers: number;
  reusedRealServers: number;
  /** director interfaces the file declares (keepalived's interface with its addresses) */
  interfaces: number;
}

/** What the preview says: entries and nodes both, counted the way planImport merges them. */
export function importCounts(current: Topology, parsed: { table: IpvsTable; vrrp?: readonly KeepalivedVrrpInstance[] }): ImportCounts {
  let n = 0;
  const plan = planImport(current, parsed.table, { kind: "none" }, () => `count-${n++}`);
  const touched = new Set(plan.memberships.map((m) => m.realServerId));
  const created = new Set(plan.realServers.map((r) => r.id));
  // entries already on the canvas are not planned again; count the real servers they name too
  for (const s of parsed.table.services) {
    for (const d of s.destinations) {
      const svcPort = s.protocol === "fwmark" ? null : s.port;
      const port = d.method === "nat" && d.port !== svcPort ? d.port : null;
      const rs = current.realServers.find((r) => r.address === d.address && (r.port ?? null) === port);
      if (rs) touched.add(rs.id);
    }
  }
  return {
    services: parsed.table.services.length,
    memberships: parsed.table.services.reduce((k, s) => k + s.destinations.length, 0),
    realServers: touched.size,
    newRealServers: [...touched].filter((id) => created.has(id)).length,
    reusedRealServers: [...touched].filter((id) => !created.has(id)).length,
    interfaces: vrrpInterfaces(parsed.vrrp ?? []).length,
  };
}
