/**
 * Imported vrrp_instance blocks (one director's keepalived.conf) → HA groups. One config describes
 * one director's side of each VRRP group: importing the configs of both directors of a pair (each
 * onto its director) yields one group of two. An instance joins the declared group with the same
 * virtual_router_id on the same interface (or the group its exported name came from); otherwise it
 * starts a new declared group with the instance's settings. keepalived's defaults fill what the
 * block leaves out (VRRPv2, advert_int 1 s, multicast, preempt). Pure.
 */
import type { HaGroup, NetworkInterface } from "../model.ts";
import type { KeepalivedVrrpInstance } from "../formats/keepalived/types.ts";
import { instanceName } from "./haGroups.ts";

export interface VrrpImport {
  /** the topology's groups after the import (changed ones replaced, new ones appended) */
  haGroups: HaGroup[];
  /** ids of the groups this import created or joined */
  touched: string[];
  /** the director's interfaces learnt from unicast_src_ip + the VIP prefix (only ones it does not have) */
  interfaces: NetworkInterface[];
}

const ID_TEXT = /^[A-Za-z0-9_.-]{1,60}$/;

/** The group id an instance name suggests: "VI_web" → "web" (so an export of it is named VI_web again). */
function idFromName(name: string, taken: Set<string>, newId: () => string): string {
  const bare = name.startsWith("VI_") ? name.slice(3) : name;
  return ID_TEXT.test(bare) && !taken.has(bare) ? bare : newId();
}

export function haGroupsFromVrrp(
  current: readonly HaGroup[],
  instances: readonly KeepalivedVrrpInstance[],
  directorId: string,
  known: readonly NetworkInterface[],
  newId: () => string,
): VrrpImport {
  const groups = current.map((g) => ({ ...g, directorIds: [...g.directorIds], priorities: { ...g.priorities } }));
  const touched: string[] = [];
  const interfaces: NetworkInterface[] = [];
  const taken = new Set(groups.map((g) => g.id));
  for (const v of instances) {
    const iface = v.interface ?? null;
    let g = groups.find((x) => instanceName(x) === v.name)
      ?? groups.find((x) => v.virtualRouterId !== null && x.virtualRouterId === v.virtualRouterId && (x.interface === null || iface === null || x.interface === iface));
    if (!g) {
      const id = idFromName(v.name, taken, newId);
      taken.add(id);
      const routerId = v.virtualRouterId;
      g = {
        id, name: v.name, directorIds: [], virtualRouterId: routerId, priorities: {}, nopreempt: v.nopreempt ?? false,
        advertIntMs: v.advertIntMs ?? 1000, vrrpVersion: v.version ?? 2, unicast: (v.unicastPeers?.length ?? 0) > 0,
        authPass: v.authPass ?? null, interface: iface, connectionSync: !!v.syncInterface,
        syncInterface: v.syncInterface && v.syncInterface !== iface ? v.syncInterface : null,
        syncId: v.syncId !== null && v.syncId !== undefined && v.syncId !== routerId ? v.syncId : null,
      };
      groups.push(g);
    }
    if (!g.directorIds.includes(directorId)) g.directorIds.push(directorId);
    if (v.priority !== null) g.priorities[directorId] = Math.min(254, v.priority);
    if (!touched.includes(g.id)) touched.push(g.id);
    // the DIP keepalived sends from, with the prefix of the network the VIPs float in
    const src = v.unicastSrcIp ?? null;
    const prefix = v.vipPrefixes?.find((p) => p !== null) ?? null;
    if (src && iface && prefix !== null && !known.some((i) => i.name === iface) && !interfaces.some((i) => i.name === iface)) {
      interfaces.push({ name: iface, address: src, prefix });
    }
  }
  return { haGroups: groups, touched, interfaces };
}
