/**
 * What a real server's host must look like for the forwarding methods it is used with, as data.
 *
 * `realServerHostSettings(topology, rips)` derives, for the host that owns the RIPs `rips`, one flat
 * list of settings (a VIP on an interface, a sysctl value, a kernel module, a tunnel interface up, a
 * FOU receive port, the default route). The same list drives the agent's real-server role (apply,
 * undo, report), the checks shown in the console and the exported prepare script, so the three can
 * never disagree. The rules are the LVS literature's, confirmed in the kernel lab:
 *  - DR  (`-g`): the VIP as /32 (/128) on `lo`; for IPv4 `arp_ignore=1` and `arp_announce=2` on `all`
 *    (the kernel takes the maximum of `all` and the interface) and on the RIP's interface when known.
 *  - TUN (`-i`): the decapsulating module and its fallback interface up with the VIP on it, and a
 *    reverse-path filter that lets the decapsulated packet in (loose mode 2 on the tunnel interface;
 *    the kernel takes the maximum of `all` and the interface, so 2 wins over a strict `all=1`):
 *    ipip → `ipip`/`tunl0`; gue → the same plus a FOU port in GUE mode (`--tun-port`); gre → `ip_gre`/`gre0`;
 *    IPv6 VIPs over IPv6 → `ip6_tunnel`/`ip6tnl0`; IPv6 VIP over an IPv4 RIP → `sit`/`sit0`.
 *  - NAT (`-m`): the default route of the RIP's family through a DIP of a serving director (verified;
 *    changed only when the operator set `host.manageGateway`).
 * Memberships that are disabled, fwmark services (their VIPs live in firewall rules the model does not
 * know) and services served only by userspace-engine directors (a proxy: no prerequisites) add nothing.
 */
import type { AddressFamily, Director, Membership, RealServer, Topology, TunnelType, VirtualService } from "../model.ts";
import { canonical, familyOf, inSubnet, sameAddress } from "../validate/net.ts";

export type HostSetting =
  | { kind: "module"; name: string }
  | { kind: "link"; iface: string }
  | { kind: "address"; iface: string; address: string; prefix: number; family: AddressFamily }
  | { kind: "sysctl"; key: string; value: string }
  | { kind: "fou"; port: number; family: AddressFamily }
  | { kind: "route"; family: AddressFamily; via: string[]; manage: boolean };

export interface HostSettingEntry {
  /** stable check id, e.g. `address lo 10.0.0.100/32`, `sysctl net.ipv4.conf.all.arp_ignore` */
  id: string;
  setting: HostSetting;
  /** memberships (ids) that need it */
  memberships: string[];
}

export interface RealServerHostDesired {
  rips: string[];
  settings: HostSettingEntry[];
  /** what was left out and why (fwmark VIPs, …), for the report */
  notes: string[];
}

export function settingId(s: HostSetting): string {
  switch (s.kind) {
    case "module": return `module ${s.name}`;
    case "link": return `link ${s.iface} up`;
    case "address": return `address ${s.iface} ${s.address}/${s.prefix}`;
    case "sysctl": return `sysctl ${s.key}`;
    case "fou": return `fou ${s.family} port ${s.port} gue`;
    case "route": return `route ${s.family} default`;
  }
}

/**
 * The same ARP settings on the interface that holds each RIP as on `all` (the classic recipe; the
 * kernel acts on the maximum of both, so `all` alone already suffices). Only the host knows its
 * interface names, so the agent expands the settings with what it observed.
 */
export function withRipInterfaces(settings: readonly HostSettingEntry[], rips: readonly string[], addresses: ReadonlyArray<{ iface: string; address: string }>): HostSettingEntry[] {
  const ifaces = [...new Set(addresses.filter((a) => rips.some((r) => sameAddress(r, a.address))).map((a) => a.iface))].filter((i) => i !== "lo" && i !== "all");
  const out: HostSettingEntry[] = [];
  for (const e of settings) {
    out.push(e);
    const s = e.setting;
    if (s.kind !== "sysctl" || !/^net\.ipv4\.conf\.all\.arp_(ignore|announce)$/.test(s.key)) continue;
    for (const i of ifaces) {
      const setting: HostSetting = { kind: "sysctl", key: s.key.replace(".all.", `.${i}.`), value: s.value };
      out.push({ id: settingId(setting), setting, memberships: [...e.memberships] });
    }
  }
  return out;
}

/** The decapsulating interface and module for a tunnel type and the VIP/RIP families. */
export function tunnelEndpoint(type: TunnelType, vipFamily: AddressFamily, ripFamily: AddressFamily): { module: string; iface: string } {
  if (type === "gre") return ripFamily === "inet6" ? { module: "ip6_gre", iface: "ip6gre0" } : { module: "ip_gre", iface: "gre0" };
  if (ripFamily === "inet6") return { module: "ip6_tunnel", iface: "ip6tnl0" };
  return vipFamily === "inet6" ? { module: "sit", iface: "sit0" } : { module: "ipip", iface: "tunl0" };
}

export function realServerHostSettings(topology: Topology, rips: readonly string[]): RealServerHostDesired {
  const mine = (addr: string) => rips.some((r) => sameAddress(r, addr));
  const services = new Map(topology.services.map((s) => [s.id, s]));
  const servers = new Map(topology.realServers.map((r) => [r.id, r]));
  const directors = new Map(topology.directors.map((d) => [d.id, d]));
  const byId = new Map<string, HostSettingEntry>();
  const order: string[] = [];
  const notes: string[] = [];
  const add = (s: HostSetting, m: Membership) => {
    const id = settingId(s);
    const e = byId.get(id);
    if (e) {
      if (!e.memberships.includes(m.id)) e.memberships.push(m.id);
      if (s.kind === "route" && e.setting.kind === "route") {
        for (const v of s.via) if (!e.setting.via.some((x) => sameAddress(x, v))) e.setting.via.push(v);
        e.setting.manage ||= s.manage;
      }
      return;
    }
    byId.set(id, { id, setting: s.kind === "route" ? { ...s, via: [...s.via] } : s, memberships: [m.id] });
    order.push(id);
  };

  for (const m of topology.memberships) {
    if (m.state === "disabled") continue;
    const rs = servers.get(m.realServerId);
    const svc = services.get(m.serviceId);
    if (!rs || !svc || !mine(rs.address)) continue;
    const placed = svc.directorIds.map((id) => directors.get(id)).filter((d): d is Director => !!d);
    const kernel = placed.filter((d) => d.engine !== "userspace");
    if (placed.length === 0 || kernel.length === 0) continue;
    forMembership(m, rs, svc, kernel, add, notes);
  }
  return { rips: rips.map(canonical), settings: order.map((id) => byId.get(id)!), notes };
}

function forMembership(
  m: Membership, rs: RealServer, svc: VirtualService, kernel: Director[],
  add: (s: HostSetting, m: Membership) => void, notes: string[],
): void {
  const ripFamily = familyOf(rs.address) ?? "inet";
  if (m.method === "nat") {
    const onLink = kernel.flatMap((d) => d.interfaces).filter((i) => inSubnet(rs.address, i.address, i.prefix)).map((i) => canonical(i.address));
    const any = kernel.flatMap((d) => d.interfaces).filter((i) => familyOf(i.address) === ripFamily).map((i) => canonical(i.address));
    add({ kind: "route", family: ripFamily, via: onLink.length ? onLink : any, manage: rs.host.manageGateway === true }, m);
    return;
  }
  if (svc.address === null) {
    notes.push(`${svc.protocol === "fwmark" ? `fwmark ${svc.fwmark}` : "service"} (${m.method}) to ${rs.address}: the VIPs behind a firewall mark are not in the model; configure them on the real server yourself`);
    return;
  }
  const vip = canonical(svc.address);
  const vipFamily = familyOf(vip) ?? svc.family;
  const prefix = vipFamily === "inet6" ? 128 : 32;
  if (m.method === "dr") {
    add({ kind: "address", iface: "lo", address: vip, prefix, family: vipFamily }, m);
    if (vipFamily === "inet") {
      add({ kind: "sysctl", key: "net.ipv4.conf.all.arp_ignore", value: "1" }, m);
      add({ kind: "sysctl", key: "net.ipv4.conf.all.arp_announce", value: "2" }, m);
    }
    return;
  }
  const type = m.tunnel?.type ?? "ipip";
  const ep = tunnelEndpoint(type, vipFamily, ripFamily);
  add({ kind: "module", name: ep.module }, m);
  if (type === "gue") {
    add({ kind: "module", name: "fou" }, m);
    if (m.tunnel?.port) add({ kind: "fou", port: m.tunnel.port, family: ripFamily }, m);
  }
  add({ kind: "link", iface: ep.iface }, m);
  add({ kind: "address", iface: ep.iface, address: vip, prefix, family: vipFamily }, m);
  if (vipFamily === "inet") add({ kind: "sysctl", key: `net.ipv4.conf.${ep.iface}.rp_filter`, value: "2" }, m);
}
