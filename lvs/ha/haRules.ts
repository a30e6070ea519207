/**
 * Validation of HA groups (declared and derived), in the seed's terms: a group of one is no HA; the
 * VIP must be in the network of the interface it floats on; virtual_router_id unique per network;
 * VRRPv2/v3 differences (authentication, whole-second adverts). Issues carry params for translation.
 */
import type { Topology } from "../model.ts";
import { makeIssue, type Issue, type IssueCode } from "../issues.ts";
import { addressFamily, canonicalAddress, networkAddress, prefixContains } from "../address.ts";
import { groupPriority, haInterface, resolveHaGroups } from "./haGroups.ts";

export function haRules(t: Topology): Issue[] {
  const out: Issue[] = [];
  const directors = new Map(t.directors.map((d) => [d.id, d]));
  const groups = resolveHaGroups(t);
  const issue = (code: IssueCode, groupId: string, declared: boolean, field: (string | number)[], objectId: string | null, message: string, params: Record<string, string | number>) => {
    // a derived group has no document entry: its issues sit on the director they concern
    const i = makeIssue(code, { path: declared ? ["haGroups", groupId] : ["directors", objectId ?? groupId], objectId }, declared ? field : [], message);
    i.params = params;
    out.push(i);
  };
  // per network: router id -> group ids (a network is a set of director interfaces that contain each other's DIPs)
  const segments: Array<{ address: string; prefix: number; ids: Map<number, string[]> }> = [];
  // VIP → the directors its services are placed on (one pass: a per-VIP scan of every service is
  // quadratic at kube-proxy scale, where a derived group's VIPs are thousands of services' addresses)
  const placedOn = new Map<string, Set<string>>();
  for (const s of t.services) {
    if (s.address === null) continue;
    const vip = canonicalAddress(s.address) ?? s.address; // group VIPs are canonical
    let on = placedOn.get(vip);
    if (!on) placedOn.set(vip, (on = new Set()));
    for (const d of s.directorIds) on.add(d);
  }

  for (const g of groups) {
    const name = g.name || g.id;
    const seen = new Set<string>();
    for (const d of g.directorIds) {
      if (seen.has(d)) issue("ha.duplicate-director", g.id, g.declared, ["directorIds"], d, `HA group ${name}: director ${d} is listed twice`, { group: name, director: d });
      seen.add(d);
      // a derived group's unknown director is already service.unknown-director
      if (!directors.has(d) && g.declared) issue("ha.unknown-director", g.id, g.declared, ["directorIds"], null, `HA group ${name}: director ${d} does not exist`, { group: name, director: d });
    }
    if (seen.size < 2) {
      issue("ha.group-of-one", g.id, g.declared, ["directorIds"], g.directorIds[0] ?? null,
        `HA group ${name} has ${seen.size} director(s): VRRP needs a MASTER and at least one BACKUP, otherwise the director stays a single point of failure`, { group: name, count: seen.size });
    }
    if (g.declared && g.vips.length === 0) {
      issue("ha.no-vip", g.id, true, ["directorIds"], null, `HA group ${name}: no VIP is placed on two or more of its directors, so VRRP has nothing to move`, { group: name });
    }
    if (g.authPass !== null && g.vrrpVersion === 3) {
      issue("ha.auth-needs-v2", g.id, g.declared, ["authPass"], null, `HA group ${name}: VRRPv3 has no authentication; remove auth_pass or use VRRPv2`, { group: name });
    }
    if (g.vrrpVersion === 2 && g.advertIntMs % 1000 !== 0) {
      issue("ha.advert-v2-whole-seconds", g.id, g.declared, ["advertIntMs"], null,
        `HA group ${name}: advert_int ${g.advertIntMs / 1000} s under VRRPv2 would be rounded to whole seconds; use VRRPv3 for sub-second adverts`, { group: name, advertIntMs: g.advertIntMs });
    }
    if (g.routerId === null) {
      issue("ha.router-ids-exhausted", g.id, g.declared, ["virtualRouterId"], null, `HA group ${name}: all 255 virtual_router_ids are in use`, { group: name });
    }
    const members = g.directorIds.filter((d) => directors.has(d));
    const prios = members.map((d) => groupPriority(g, d));
    if (!g.nopreempt && members.length >= 2 && new Set(prios).size < prios.length) {
      issue("ha.equal-priorities", g.id, g.declared, ["priorities"], null,
        `HA group ${name}: directors share priority ${prios.find((p, i) => prios.indexOf(p) !== i)}; without nopreempt the higher IP address wins every election`, { group: name });
    }
    const families = new Set(g.vips.map((v) => addressFamily(v)));
    if (families.size > 1) issue("ha.mixed-family", g.id, g.declared, [], null, `HA group ${name}: IPv4 and IPv6 VIPs need separate VRRP instances (separate groups)`, { group: name });

    for (const d of members) {
      const dir = directors.get(d)!;
      if (dir.interfaces.length === 0) continue; // nothing declared to check against
      const iface = haInterface(g, dir);
      if (iface.address === null || iface.prefix === null) {
        issue("ha.no-interface-address", g.id, g.declared, ["interface"], d,
          `HA group ${name}: director ${dir.name} has no address on interface ${iface.name}`, { group: name, director: dir.name, interface: iface.name });
        continue;
      }
      for (const vip of g.vips) {
        if (addressFamily(vip) !== addressFamily(iface.address)) continue;
        if (!prefixContains(iface.address, iface.prefix, vip)) {
          issue("ha.vip-not-in-network", g.id, g.declared, ["interface"], d,
            `VIP ${vip} is not in the network of ${dir.name}'s ${iface.name} (${iface.address}/${iface.prefix}): the takeover's gratuitous ARP would not reach the clients' segment`,
            { group: name, vip, director: dir.name, interface: iface.name, network: `${iface.address}/${iface.prefix}` });
        }
      }
      if (g.routerId !== null) {
        let seg = segments.find((s) => addressFamily(s.address) === addressFamily(iface.address!) && (prefixContains(s.address, s.prefix, iface.address!) || prefixContains(iface.address!, iface.prefix!, s.address)));
        if (!seg) { seg = { address: iface.address, prefix: iface.prefix, ids: new Map() }; segments.push(seg); }
        const list = seg.ids.get(g.routerId) ?? [];
        if (!list.includes(g.id)) list.push(g.id);
        seg.ids.set(g.routerId, list);
      }
    }
    if (g.connectionSync && g.declared) {
      for (const d of members) {
        if (directors.get(d)!.engine === "userspace") {
          issue("ha.sync-userspace", g.id, g.declared, ["connectionSync"], d,
            `HA group ${name}: ${directors.get(d)!.name} runs the userspace engine, which cannot sync connections (a kernel IPVS feature); its connections break on takeover`, { group: name, director: directors.get(d)!.name });
        }
      }
    }
    // a VIP of the group that is missing on one of its directors
    for (const vip of g.vips) {
      const on = placedOn.get(vip) ?? new Set<string>();
      for (const d of members) {
        if (!on.has(d)) {
          issue("ha.vip-partly-placed", g.id, g.declared, ["directorIds"], d,
            `HA group ${name}: VIP ${vip} is not placed on ${directors.get(d)!.name}; if it becomes MASTER that VIP's traffic has no IPVS service`, { group: name, vip, director: directors.get(d)!.name });
        }
      }
    }
  }
  for (const seg of segments) {
    for (const [id, gids] of seg.ids) {
      if (gids.length < 2) continue;
      for (const gid of gids) {
        const g = groups.find((x) => x.id === gid)!;
        // the operator's words: group names (ids are internal) and the network, not a DIP
        const names = gids.map((x) => groups.find((y) => y.id === x)!.name || x);
        const network = `${networkAddress(seg.address, seg.prefix) ?? seg.address}/${seg.prefix}`;
        issue("ha.duplicate-router-id", gid, g.declared, ["virtualRouterId"], null,
          `virtual_router_id ${id} is used by HA groups ${names.join(" and ")} on the network ${network}: each VRRP group on one segment needs its own id`,
          { routerId: id, groups: names.join(", "), network });
      }
    }
  }
  return out;
}
