/**
 * Generated IPVS tables in the shapes big directors have (kube-proxy style: many VIP:port services,
 * a few real servers each), deterministic from a seed-free index arithmetic: IPv4 TCP and UDP,
 * IPv6 TCP, fwmark (IPv4 and IPv6) services; NAT, DR and TUN real servers; persistence on some.
 */
import { canonicalAddress } from "../address.ts";
import type { IpvsDestination, IpvsService, IpvsTable } from "../model.ts";

const v4 = (n: number, base: number): string => `${base}.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
const v6 = (n: number, prefix: string): string => canonicalAddress(`${prefix}::${(n >> 16).toString(16)}:${(n & 0xffff).toString(16)}`) as string;

/** Service i of a generated table (same i, same service, whatever n). */
export function genService(i: number, destinations: number): IpvsService {
  const kind = i % 20;
  const common = { scheduler: i % 3 === 0 ? "rr" : "wlc", flags: [], persistence: i % 7 === 0 ? { timeout: 300, netmask: null } : null, persistenceEngine: null, onePacket: false } as const;
  let svc: IpvsService;
  if (kind === 19) svc = { protocol: "fwmark", family: i % 40 === 19 ? "inet6" : "inet", fwmark: i + 1, ...common, flags: [], destinations: [] };
  else if (kind >= 17) svc = { protocol: "tcp", family: "inet6", address: v6(i, "2001:db8:1"), port: 443, ...common, flags: [], destinations: [] };
  else svc = { protocol: kind % 4 === 3 ? "udp" : "tcp", family: "inet", address: v4(i >> 2, 10), port: 8000 + (i & 3), ...common, flags: [], destinations: [] };
  const inet6 = svc.family === "inet6";
  const method: IpvsDestination["method"] = i % 5 === 0 ? "dr" : i % 11 === 0 ? "tun" : "nat";
  for (let j = 0; j < destinations; j++) {
    const host = (i * 7 + j * 131) % 60000;
    svc.destinations.push({
      address: inet6 ? v6(host, "2001:db8:2") : v4(host, 172),
      port: svc.protocol === "fwmark" ? 0 : method === "nat" ? 30000 + (j % 1000) : svc.port,
      method,
      weight: 1 + (j % 5),
      upperThreshold: 0,
      lowerThreshold: 0,
      tunnel: method === "tun" ? { type: "ipip", port: null, checksum: null } : null,
    });
  }
  return svc;
}

export function genTable(services: number, destinations: number): IpvsTable {
  const out: IpvsService[] = [];
  for (let i = 0; i < services; i++) out.push(genService(i, destinations));
  return { services: out };
}

/**
 * `desired` = `actual` with `fraction` of its rules lines changed, in turn: a weight edited (-e), a
 * real server replaced by another (-a and -d), a scheduler changed (-E), a real server removed (-d).
 * `changedLines` counts rules lines whose text differs; `expectedOps` is the minimal plan's size.
 */
export function perturb(table: IpvsTable, fraction: number): { table: IpvsTable; changedLines: number; expectedOps: number } {
  const lines = table.services.reduce((n, s) => n + 1 + s.destinations.length, 0);
  const target = Math.max(4, Math.round(lines * fraction));
  const services = table.services.map((s) => ({ ...s, destinations: s.destinations.slice() }));
  let changed = 0;
  let ops = 0;
  const step = Math.max(1, Math.floor(services.length / target));
  for (let i = 0, k = 0; changed < target; i = (i + step) % services.length, k++) {
    const s = services[i] as IpvsService;
    const d = s.destinations[k % 2];
    if (!d) continue;
    if (k % 4 === 0) {
      s.destinations[k % 2] = { ...d, weight: d.weight + 10 };
      ops += 1;
    } else if (k % 4 === 1) {
      s.destinations[k % 2] = { ...d, address: s.family === "inet6" ? `2001:db8:3::${(k % 0xffff).toString(16)}` : `192.0.${(k >> 8) & 255}.${k & 255}` };
      ops += 2;
    } else if (k % 4 === 2) {
      services[i] = { ...s, scheduler: s.scheduler === "sh" ? "rr" : "sh" };
      ops += 1;
    } else {
      s.destinations.splice(k % 2, 1);
      ops += 1;
    }
    changed += 1;
  }
  return { table: { services }, changedLines: changed, expectedOps: ops };
}
