/**
 * What a kernel-IPVS director needs besides its table, as the same settings/checks as a real server
 * (lvs/realServer/hostSettings.ts), verified by the director agent and reported, never changed by it:
 * every DIP on its interface, each VIP it serves alone (an HA pair's VIPs move with VRRP, so
 * keepalived owns them) on some interface, IP forwarding when it NATs (the replies pass through it),
 * and the IPVS core and scheduler modules (the kernel loads a scheduler module when a service uses
 * it, so after an apply a missing one means the kernel lacks it). A userspace-engine director needs
 * none of these (it is a proxy).
 */
import type { Topology } from "../model.ts";
import { canonical, familyOf } from "../validate/net.ts";
import { settingId, type HostSetting, type HostSettingEntry } from "./hostSettings.ts";

export function directorPrerequisites(topology: Topology, directorId: string): HostSettingEntry[] {
  const d = topology.directors.find((x) => x.id === directorId);
  if (!d || d.engine === "userspace") return [];
  const out = new Map<string, HostSettingEntry>();
  const add = (setting: HostSetting, memberships: string[] = []) => {
    const id = settingId(setting);
    const e = out.get(id);
    if (e) for (const m of memberships) { if (!e.memberships.includes(m)) e.memberships.push(m); }
    else out.set(id, { id, setting, memberships: [...memberships] });
  };
  for (const i of d.interfaces) {
    const family = familyOf(i.address) ?? "inet";
    add({ kind: "address", iface: i.name || "*", address: canonical(i.address), prefix: i.prefix, family });
  }
  const services = topology.services.filter((s) => s.directorIds.includes(directorId));
  add({ kind: "module", name: "ip_vs" });
  for (const s of services) {
    const ms = topology.memberships.filter((m) => m.serviceId === s.id && m.state !== "disabled");
    if (s.address !== null && s.directorIds.length === 1)
      add({ kind: "address", iface: "*", address: canonical(s.address), prefix: s.family === "inet6" ? 128 : 32, family: s.family }, ms.map((m) => m.id));
    if (/^[a-z]+$/.test(s.scheduler)) add({ kind: "module", name: `ip_vs_${s.scheduler}` }, ms.map((m) => m.id));
    for (const m of ms.filter((x) => x.method === "nat")) {
      const rs = topology.realServers.find((r) => r.id === m.realServerId);
      const fam = rs ? familyOf(rs.address) : null;
      add(fam === "inet6" ? { kind: "sysctl", key: "net.ipv6.conf.all.forwarding", value: "1" } : { kind: "sysctl", key: "net.ipv4.ip_forward", value: "1" }, [m.id]);
    }
  }
  return [...out.values()];
}
