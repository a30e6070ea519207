/**
 * The real-server role's one door to the host: observe everything its checks need in one call, and
 * the handful of changes it may make. `IpRealServerSystem` is the real one (iproute2, /proc/sys,
 * modprobe); `FakeRealServerSystem` is an in-memory kernel for unit tests.
 */
import type { AddressFamily } from "../../lvs/model.ts";
import type { HostObservation } from "../../lvs/realServer/hostChecks.ts";

export interface RealServerSystem {
  /** the state of the host; `sysctlKeys` are the keys to read (lvs observationKeys) */
  observe(sysctlKeys: readonly string[]): Promise<HostObservation>;
  addAddress(iface: string, address: string, prefix: number, family: AddressFamily): Promise<void>;
  delAddress(iface: string, address: string, prefix: number, family: AddressFamily): Promise<void>;
  writeSysctl(key: string, value: string): Promise<void>;
  loadModule(name: string): Promise<void>;
  setLink(iface: string, up: boolean): Promise<void>;
  addFou(port: number, family: AddressFamily): Promise<void>;
  delFou(port: number, family: AddressFamily): Promise<void>;
  /** `ip route replace default via GW` of that family */
  setDefaultRoute(family: AddressFamily, via: string): Promise<void>;
}

/** `net.ipv4.conf.eth0.100.rp_filter` → `/proc/sys/net/ipv4/conf/eth0.100/rp_filter` (interface names may hold dots). */
export function sysctlPath(key: string): string {
  if (!/^[A-Za-z0-9_.@-]+$/.test(key)) throw new Error(`sysctl key ${JSON.stringify(key)}: only letters, digits, _ . @ - allowed`);
  const conf = /^net\.(ipv4|ipv6)\.(conf|neigh)\.(.+)\.([^.]+)$/.exec(key);
  if (conf) return `/proc/sys/net/${conf[1]}/${conf[2]}/${conf[3]}/${conf[4]}`;
  return `/proc/sys/${key.replace(/\./g, "/")}`;
}
