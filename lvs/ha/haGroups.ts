/**
 * HA groups of a topology, resolved: which directors share which VIPs, and the VRRP settings each
 * director's keepalived runs with. Directors placed on the same VIP form a group even when the
 * topology declares none (defaults from HA_DEFAULTS); a declared group (Topology.haGroups) whose
 * directors include a VIP's directors owns that VIP. desiredHaFor() compiles what one director's
 * agent gets (lvs/protocol/ha.ts); the keepalived.conf export uses the same resolution.
 */
import { HA_DEFAULTS, type Director, type HaGroup, type Topology } from "../model.ts";
import { canonicalAddress, prefixContains, addressFamily } from "../address.ts";
import type { DesiredHa, VrrpInstanceSpec } from "../protocol/ha.ts";

export interface ResolvedHaGroup extends HaGroup {
  /** false: derived from shared VIPs, settings are the defaults */
  declared: boolean;
  /** canonical VIPs the group floats (placed on two or more of its directors) */
  vips: string[];
  /** virtualRouterId after allocation (null only when 255 ids are used up) */
  routerId: number | null;
}

function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

const canonical = (a: string) => canonicalAddress(a) ?? a;

export function defaultHaGroup(id: string, directorIds: string[], name = ""): HaGroup {
  return {
    id, name, directorIds, virtualRouterId: null, priorities: {}, nopreempt: HA_DEFAULTS.nopreempt,
    advertIntMs: HA_DEFAULTS.advertIntMs, vrrpVersion: HA_DEFAULTS.vrrpVersion, unicast: HA_DEFAULTS.unicast,
    authPass: null, interface: null, connectionSync: HA_DEFAULTS.connectionSync,
  };
}

/** VIP → its directors in placement order, for VIPs placed on two or more directors. */
export function sharedVipDirectors(t: Topology): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const s of t.services) {
    if (s.address === null) continue;
    const vip = canonical(s.address);
    const list = m.get(vip) ?? [];
    for (const d of s.directorIds) if (!list.includes(d)) list.push(d);
    m.set(vip, list);
  }
  for (const [vip, ds] of m) if (ds.length < 2) m.delete(vip);
  return m;
}

export function resolveHaGroups(t: Topology): ResolvedHaGroup[] {
  const known = new Set(t.directors.map((d) => d.id));
  const declared = (t.haGroups ?? []).map((g): ResolvedHaGroup => ({ ...g, declared: true, vips: [], routerId: null }));
  const implicit = new Map<string, ResolvedHaGroup>();
  for (const [vip, placed] of sharedVipDirectors(t)) {
    const ds = placed.filter((d) => known.has(d));
    if (ds.length < 2) continue;
    const owner = declared.find((g) => ds.every((d) => g.directorIds.includes(d)));
    if (owner) { owner.vips.push(vip); continue; }
    const key = [...ds].sort().join("+");
    let g = implicit.get(key);
    if (!g) {
      const names = ds.map((d) => t.directors.find((x) => x.id === d)?.name ?? d);
      g = { ...defaultHaGroup(`ha:${key}`.slice(0, 64), ds, names.join(" + ")), declared: false, vips: [], routerId: null };
      implicit.set(key, g);
    }
    g.vips.push(vip);
  }
  const groups = [...declared, ...implicit.values()];
  // router ids: declared ones first, then the rest in id order, each from a hash of its id
  const used = new Set<number>();
  for (const g of groups) if (g.virtualRouterId !== null) { g.routerId = g.virtualRouterId; used.add(g.virtualRouterId); }
  for (const g of [...groups].filter((x) => x.virtualRouterId === null).sort((a, b) => (a.id < b.id ? -1 : 1))) {
    if (used.size >= 255) break;
    let id = (fnv1a(g.id) % 255) + 1;
    while (used.has(id)) id = (id % 255) + 1;
    used.add(id);
    g.routerId = id;
  }
  return groups;
}

/** The priority each director of the group runs with (declared, else 200, 190, 180, ...). */
export function groupPriority(g: HaGroup, directorId: string): number {
  const declared = g.priorities[directorId];
  if (declared !== undefined) return declared;
  const i = Math.max(0, g.directorIds.indexOf(directorId));
  return Math.max(1, HA_DEFAULTS.firstPriority - i * HA_DEFAULTS.priorityStep);
}

/** The director's interface the group's VIPs float on: declared name, else the one whose network holds the VIP. */
export function haInterface(g: HaGroup & { vips: string[] }, d: Director): { name: string; address: string | null; prefix: number | null } {
  const vip = g.vips[0];
  const byName = g.interface !== null ? d.interfaces.find((i) => i.name === g.interface) : undefined;
  if (g.interface !== null) return { name: g.interface, address: byName?.address ?? null, prefix: byName?.prefix ?? null };
  const hit = vip ? d.interfaces.find((i) => addressFamily(i.address) === addressFamily(vip) && prefixContains(i.address, i.prefix, vip)) : undefined;
  const f = hit ?? d.interfaces[0];
  return f ? { name: f.name, address: f.address, prefix: f.prefix } : { name: "eth0", address: null, prefix: null };
}

/** keepalived instance name of a group (a config token). */
export function instanceName(g: HaGroup): string {
  return `VI_${g.id.replace(/[^A-Za-z0-9_.-]+/g, "_")}`.slice(0, 64);
}

/**
 * What one director's agent runs: a vrrp_instance per group it belongs to, and connection sync
 * (one master + backup daemon pair per director: the first group with sync on decides the syncid).
 * `maintenance`: directors handing their VIPs over (planned switchover). null: no HA group.
 */
export function desiredHaFor(t: Topology, directorId: string, maintenance: ReadonlySet<string> = new Set()): DesiredHa | null {
  const me = t.directors.find((d) => d.id === directorId);
  if (!me) return null;
  const groups = resolveHaGroups(t).filter((g) => g.directorIds.includes(directorId) && g.vips.length > 0 && g.routerId !== null && g.directorIds.length >= 2);
  if (!groups.length) return null;
  const instances: VrrpInstanceSpec[] = [];
  let sync: DesiredHa["sync"] = null;
  for (const g of groups) {
    const iface = haInterface(g, me);
    const peers = g.directorIds.filter((d) => d !== directorId).map((id) => t.directors.find((d) => d.id === id))
      .flatMap((d) => (d ? [haInterface(g, d).address] : [])).filter((a): a is string => a !== null);
    const family = addressFamily(g.vips[0]!);
    instances.push({
      name: instanceName(g), groupId: g.id, interface: iface.name, virtualRouterId: g.routerId!,
      priority: groupPriority(g, directorId), nopreempt: g.nopreempt, advertIntMs: g.advertIntMs, version: g.vrrpVersion,
      unicastSource: g.unicast ? iface.address : null,
      unicastPeers: g.unicast ? peers.filter((p) => addressFamily(p) === family) : [],
      authPass: g.vrrpVersion === 2 ? g.authPass : null,
      vips: g.vips.filter((v) => addressFamily(v) === family).map((address) => ({
        address, prefix: iface.address && iface.prefix !== null && prefixContains(iface.address, iface.prefix, address) ? iface.prefix : family === "inet6" ? 128 : 32,
      })),
    });
    if (!sync && g.connectionSync && me.engine !== "userspace") sync = { interface: g.syncInterface ?? iface.name, syncId: g.syncId ?? g.routerId! };
  }
  return { instances, sync, maintenance: maintenance.has(directorId) };
}
