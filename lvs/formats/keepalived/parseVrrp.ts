/** vrrp_instance blocks: only what the console shows (state, interface, router id, priority, VIPs). */
import { canonicalAddress } from "../listings/common.ts";
import { at, type Diagnostic, type Statement } from "./tokenize.ts";
import type { KeepalivedVrrpInstance } from "./types.ts";

/** Keywords that are valid inside vrrp_instance but have no place in the model. */
const KNOWN = new Set([
  "advert_int", "authentication", "unicast_src_ip", "unicast_peer", "nopreempt", "preempt_delay", "track_script",
  "track_interface", "track_file", "track_process", "notify_master", "notify_backup", "notify_fault", "notify_stop", "notify",
  "version", "use_vmac", "vmac_xmit_base", "garp_master_delay", "garp_master_refresh", "smtp_alert", "dont_track_primary",
  "virtual_ipaddress_excluded", "virtual_routes", "virtual_rules", "mcast_src_ip", "native_ipv6", "accept", "no_accept",
  "strict_mode", "lvs_sync_daemon_interface", "debug", "check_unicast_src", "skip_check_adv_addr", "promote_secondaries",
]);

export function parseVrrpInstance(s: Statement, warn: (d: Diagnostic) => void): KeepalivedVrrpInstance | null {
  const v: KeepalivedVrrpInstance = {
    name: s.args[0] ?? "", state: null, interface: null, virtualRouterId: null, priority: null, virtualIpaddresses: [],
  };
  for (const x of s.block ?? []) {
    const a = x.args[0] ?? "";
    switch (x.keyword) {
      case "state":
        if (a === "MASTER" || a === "BACKUP") v.state = a;
        else warn(at(x.line, "keepalived.vrrp-state", { name: v.name, value: a }));
        break;
      case "interface": v.interface = a || null; break;
      case "virtual_router_id":
        if (/^\d+$/.test(a) && Number(a) >= 1 && Number(a) <= 255) v.virtualRouterId = Number(a);
        else warn(at(x.line, "keepalived.vrrp-router-id", { name: v.name, value: a }));
        break;
      case "priority":
        if (/^\d+$/.test(a) && Number(a) >= 1 && Number(a) <= 255) v.priority = Number(a);
        else warn(at(x.line, "keepalived.vrrp-priority", { name: v.name, value: a }));
        break;
      case "virtual_ipaddress":
        for (const ip of x.block ?? []) {
          const addr = canonicalAddress(ip.keyword.split("/")[0]!);
          if (addr === null) warn(at(ip.line, "keepalived.vip-not-ip", { value: ip.keyword }));
          else {
            v.virtualIpaddresses.push(addr);
            const extra = [ip.keyword.includes("/") ? `/${ip.keyword.split("/")[1]}` : "", ...ip.args].filter((t) => t !== "");
            if (extra.length > 0) {
              warn(at(ip.line, "keepalived.vip-extra", { address: addr, extra: extra.join(" ") }));
            }
          }
        }
        break;
      case "advert_int":
        if (a !== "1") warn(at(x.line, "keepalived.advert-int", { name: v.name, value: a }));
        break;
      default:
        if (!KNOWN.has(x.keyword)) warn(at(x.line, "keepalived.vrrp-unknown-keyword", { name: v.name, keyword: x.keyword }));
        else warn(at(x.line, "keepalived.vrrp-not-represented", { name: v.name, keyword: x.keyword }));
    }
  }
  return v;
}
