/**
 * Checks as data: a host's observed state against its settings (lvs/realServer/hostSettings.ts),
 * one `{ id, expected, observed, ok }` per setting. Used by the real-server agent (what to change,
 * what to report), by the director agent for its prerequisites, and by the console to show ✓/✗.
 * Kernel semantics: `arp_ignore`/`arp_announce`/`rp_filter` take the maximum of `all` and the
 * interface (net/ipv4/devinet.c IN_DEV_ARP_IGNORE etc. use IN_DEV_MAXCONF; rp_filter too), so a
 * per-interface value is judged by its effective value.
 */
import type { AddressFamily } from "../model.ts";
import { canonical, sameAddress } from "../validate/net.ts";
import type { HostSetting, HostSettingEntry } from "./hostSettings.ts";

export interface HostObservation {
  addresses: Array<{ iface: string; address: string; prefix: number }>;
  /** values of the keys `observationKeys` asked for; null = the key does not exist */
  sysctls: Record<string, string | null>;
  /** loaded kernel modules (or built in) */
  modules: string[];
  /** interfaces by name */
  links: Record<string, { up: boolean }>;
  fou: Array<{ port: number; family: AddressFamily }>;
  /** gateways of the default routes ("" = a device route without a gateway) */
  defaultRoutes: Record<AddressFamily, string[]>;
}

export interface HostCheck {
  id: string;
  expected: string;
  observed: string;
  ok: boolean;
  memberships: string[];
}

const MAXCONF = /^net\.ipv4\.conf\.([^.]+)\.(arp_ignore|arp_announce|rp_filter)$/;

/** Every sysctl key the checks read (the settings' keys plus `all` for per-interface max rules). */
export function observationKeys(settings: readonly HostSettingEntry[]): string[] {
  const keys = new Set<string>();
  for (const { setting: s } of settings) {
    if (s.kind !== "sysctl") continue;
    keys.add(s.key);
    const m = MAXCONF.exec(s.key);
    if (m) keys.add(`net.ipv4.conf.all.${m[2]}`);
  }
  return [...keys];
}

/** The value the kernel acts on for a per-interface key (max of `all` and the interface). */
export function effectiveSysctl(key: string, sysctls: Record<string, string | null>): string | null {
  const own = sysctls[key] ?? null;
  const m = MAXCONF.exec(key);
  if (!m || m[1] === "all") return own;
  const all = sysctls[`net.ipv4.conf.all.${m[2]}`] ?? null;
  if (own === null) return null;
  if (all === null) return own;
  return String(Math.max(Number(own), Number(all)));
}

function sysctlOk(key: string, expected: string, value: string | null): boolean {
  if (value === null) return false;
  if (key.endsWith(".arp_ignore")) return value === "1" || value === "2";
  if (key.endsWith(".rp_filter")) return value !== "1";
  return value === expected;
}

function check(s: HostSetting, o: HostObservation): { expected: string; observed: string; ok: boolean } {
  switch (s.kind) {
    case "module": {
      const ok = o.modules.includes(s.name);
      return { expected: "loaded", observed: ok ? "loaded" : "not loaded", ok };
    }
    case "link": {
      const l = o.links[s.iface];
      return { expected: "up", observed: !l ? "absent" : l.up ? "up" : "down", ok: !!l?.up };
    }
    case "address": {
      const where = o.addresses.filter((a) => sameAddress(a.address, s.address));
      const here = where.find((a) => s.iface === "*" || a.iface === s.iface);
      const expected = s.iface === "*" ? `${s.address} on an interface` : `${s.address}/${s.prefix} on ${s.iface}`;
      if (here) return { expected, observed: `${canonical(here.address)}/${here.prefix} on ${here.iface}`, ok: s.iface === "*" || here.prefix === s.prefix };
      return { expected, observed: where.length ? where.map((a) => `${a.address}/${a.prefix} on ${a.iface}`).join(", ") : "absent", ok: false };
    }
    case "sysctl": {
      const value = effectiveSysctl(s.key, o.sysctls);
      const own = o.sysctls[s.key] ?? null;
      const observed = value === null ? "absent" : own !== value ? `${own} (effective ${value}, all=${o.sysctls[s.key.replace(MAXCONF, "net.ipv4.conf.all.$2")]})` : value;
      const expected = s.key.endsWith(".rp_filter") ? `${s.value} (or 0; not 1 = strict)` : s.key.endsWith(".arp_ignore") ? `${s.value} (or 2)` : s.value;
      return { expected, observed, ok: sysctlOk(s.key, s.value, value) };
    }
    case "fou": {
      const ok = o.fou.some((f) => f.port === s.port && f.family === s.family);
      return { expected: `port ${s.port} gue`, observed: ok ? `port ${s.port} gue` : o.fou.length ? o.fou.map((f) => `port ${f.port}`).join(", ") : "none", ok };
    }
    case "route": {
      const gws = o.defaultRoutes[s.family] ?? [];
      const ok = gws.length > 0 && gws.every((g) => g !== "" && s.via.some((v) => sameAddress(v, g)));
      return { expected: s.via.length ? `via ${s.via.join(" or ")}` : "via a DIP", observed: gws.length ? gws.map((g) => (g ? `via ${g}` : "on-link")).join(", ") : "none", ok };
    }
  }
}

export function checkHost(settings: readonly HostSettingEntry[], observed: HostObservation): HostCheck[] {
  return settings.map((e) => ({ id: e.id, ...check(e.setting, observed), memberships: e.memberships }));
}
