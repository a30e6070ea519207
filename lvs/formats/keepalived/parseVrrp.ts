/**
 * vrrp_instance blocks → the VRRP settings an HA group holds: state, interface, virtual_router_id,
 * priority, advert_int (VRRPv3 centiseconds), version, nopreempt, unicast_src_ip / unicast_peer,
 * PASS authentication, the VIPs with their prefixes, and connection sync (lvs_sync_daemon_interface
 * here, or global_defs lvs_sync_daemon, see parseSyncDaemon). Names, interfaces and passwords end up
 * in a config keepalived runs as root: anything that is not a plain token is refused with its line
 * and the block skipped, never cleaned up silently.
 */
import { canonicalAddress } from "../listings/common.ts";
import { at, type Diagnostic, type Statement } from "./tokenize.ts";
import type { KeepalivedVrrpInstance } from "./types.ts";

/** Keywords that are valid inside vrrp_instance but have no place in the model. */
const KNOWN = new Set([
  "preempt_delay", "track_script",
  "track_interface", "track_file", "track_process", "notify_master", "notify_backup", "notify_fault", "notify_stop", "notify",
  "use_vmac", "vmac_xmit_base", "garp_master_delay", "garp_master_refresh", "smtp_alert", "dont_track_primary",
  "virtual_ipaddress_excluded", "virtual_routes", "virtual_rules", "mcast_src_ip", "native_ipv6", "accept", "no_accept",
  "strict_mode", "debug", "check_unicast_src", "skip_check_adv_addr", "promote_secondaries", "preempt",
]);

/** vrrp_instance names: what keepalived and our agent's config accept as one word */
export const VRRP_NAME = /^[A-Za-z0-9_.:@-]{1,64}$/;
/** Linux interface names (IFNAMSIZ 16 with the NUL) */
export const INTERFACE_NAME = /^[A-Za-z0-9_.:@-]{1,15}$/;
/** VRRPv2 PASS: up to 8 printable characters; no space, quote, comment sign (! #), backslash or brace */
export const AUTH_PASS = /^[\x24-\x5b\x5d-\x7a\x7c\x7e]{1,8}$/;

/** "0.2" → 200 ms; null unless 0.01..255 s with at most two decimals (keepalived's centiseconds) */
export function parseAdvertInt(text: string): number | null {
  const m = /^(\d{1,3})(?:\.(\d{1,2}))?$/.exec(text);
  if (!m) return null;
  const ms = Number(m[1]) * 1000 + Number((m[2] ?? "0").padEnd(2, "0")) * 10;
  return ms >= 10 && ms <= 255_000 ? ms : null;
}

export function parseVrrpInstance(s: Statement, warn: (d: Diagnostic) => void, error: (d: Diagnostic) => void = warn): KeepalivedVrrpInstance | null {
  const name = s.args[0] ?? "";
  if (!VRRP_NAME.test(name)) {
    error(at(s.line, "keepalived.vrrp-bad-name", { name: name.slice(0, 80) }));
    return null;
  }
  const v: KeepalivedVrrpInstance = {
    name, state: null, interface: null, virtualRouterId: null, priority: null, virtualIpaddresses: [], vipPrefixes: [],
    advertIntMs: null, version: null, nopreempt: false, unicastSrcIp: null, unicastPeers: [], authPass: null,
    syncInterface: null, syncId: null, line: s.line,
  };
  let refused = false;
  const refuse = (d: Diagnostic) => {
    error(d);
    refused = true;
  };
  for (const x of s.block ?? []) {
    const a = x.args[0] ?? "";
    switch (x.keyword) {
      case "state":
        if (a === "MASTER" || a === "BACKUP") v.state = a;
        else warn(at(x.line, "keepalived.vrrp-state", { name, value: a }));
        break;
      case "interface":
      case "lvs_sync_daemon_interface":
        if (!INTERFACE_NAME.test(a)) refuse(at(x.line, "keepalived.vrrp-bad-interface", { name, value: a.slice(0, 80) }));
        else if (x.keyword === "interface") v.interface = a;
        else v.syncInterface = a;
        break;
      case "virtual_router_id":
        if (/^\d+$/.test(a) && Number(a) >= 1 && Number(a) <= 255) v.virtualRouterId = Number(a);
        else warn(at(x.line, "keepalived.vrrp-router-id", { name, value: a }));
        break;
      case "priority":
        if (/^\d+$/.test(a) && Number(a) >= 1 && Number(a) <= 255) v.priority = Number(a);
        else warn(at(x.line, "keepalived.vrrp-priority", { name, value: a }));
        break;
      case "advert_int": {
        const ms = parseAdvertInt(a);
        if (ms === null) warn(at(x.line, "keepalived.advert-int", { name, value: a }));
        else v.advertIntMs = ms;
        break;
      }
      case "version":
        if (a === "2" || a === "3") v.version = Number(a) as 2 | 3;
        else warn(at(x.line, "keepalived.vrrp-version", { name, value: a }));
        break;
      case "nopreempt":
        v.nopreempt = true;
        break;
      case "unicast_src_ip": {
        const addr = canonicalAddress(a);
        if (addr === null) refuse(at(x.line, "keepalived.vrrp-peer-not-ip", { name, value: a.slice(0, 80) }));
        else v.unicastSrcIp = addr;
        break;
      }
      case "unicast_peer":
        for (const p of x.block ?? []) {
          const addr = canonicalAddress(p.keyword);
          if (addr === null) refuse(at(p.line, "keepalived.vrrp-peer-not-ip", { name, value: p.keyword.slice(0, 80) }));
          else if (!v.unicastPeers!.includes(addr)) v.unicastPeers!.push(addr);
        }
        break;
      case "authentication": {
        const type = x.block?.find((y) => y.keyword === "auth_type")?.args[0] ?? "PASS";
        const pass = x.block?.find((y) => y.keyword === "auth_pass");
        if (type !== "PASS") warn(at(x.line, "keepalived.vrrp-not-represented", { name, keyword: `auth_type ${type}` }));
        else if (!pass || !AUTH_PASS.test(pass.args[0] ?? "") || pass.args.length > 1) refuse(at(pass?.line ?? x.line, "keepalived.vrrp-auth", { name }));
        else v.authPass = pass.args[0]!;
        break;
      }
      case "virtual_ipaddress":
        for (const ip of x.block ?? []) {
          const [addrText, prefixText] = ip.keyword.split("/");
          const addr = canonicalAddress(addrText!);
          const max = addr?.includes(":") ? 128 : 32;
          const prefix = prefixText === undefined ? null : /^\d{1,3}$/.test(prefixText) && Number(prefixText) <= max ? Number(prefixText) : -1;
          if (addr === null || prefix === -1) {
            warn(at(ip.line, "keepalived.vip-not-ip", { value: ip.keyword }));
            continue;
          }
          v.virtualIpaddresses.push(addr);
          v.vipPrefixes!.push(prefix);
          // `dev IF` is what an export writes (the instance's interface); label, scope, ... are lost
          const devOnly = ip.args.length === 2 && ip.args[0] === "dev" && INTERFACE_NAME.test(ip.args[1]!);
          const extra = devOnly ? [] : ip.args;
          if (extra.length > 0) warn(at(ip.line, "keepalived.vip-extra", { address: addr, extra: extra.join(" ") }));
        }
        break;
      default:
        if (!KNOWN.has(x.keyword)) warn(at(x.line, "keepalived.vrrp-unknown-keyword", { name, keyword: x.keyword }));
        else warn(at(x.line, "keepalived.vrrp-not-represented", { name, keyword: x.keyword }));
    }
  }
  return refused ? null : v;
}

/**
 * global_defs `lvs_sync_daemon <INTERFACE> <VRRP_INSTANCE> [id <SYNC_ID>] ...` (keepalived ≥ 1.3):
 * connection sync runs with the named instance. Returns null (with a warning) when unusable.
 */
export function parseSyncDaemon(x: Statement, warn: (d: Diagnostic) => void): { interface: string; instance: string; syncId: number | null } | null {
  const [iface = "", instance = "", ...rest] = x.args;
  const idAt = rest.indexOf("id");
  const idText = idAt >= 0 ? rest[idAt + 1] ?? "" : null;
  const syncId = idText === null ? null : /^\d{1,3}$/.test(idText) && Number(idText) <= 255 ? Number(idText) : -1;
  if (!INTERFACE_NAME.test(iface) || !VRRP_NAME.test(instance) || syncId === -1) {
    warn(at(x.line, "keepalived.sync-daemon", { value: x.args.join(" ").slice(0, 120) }));
    return null;
  }
  return { interface: iface, instance, syncId };
}
