/** An in-memory host for unit tests of the real-server role: records every change it is asked for. */
import type { AddressFamily } from "../../lvs/model.ts";
import type { HostObservation } from "../../lvs/realServer/hostChecks.ts";
import type { RealServerSystem } from "./realServerSystem.ts";

/** modules whose loading creates a fallback tunnel interface (down), as the kernel does */
const FALLBACK: Record<string, string> = { ipip: "tunl0", ip_gre: "gre0", ip6_tunnel: "ip6tnl0", sit: "sit0", ip6_gre: "ip6gre0" };

export class FakeRealServerSystem implements RealServerSystem {
  addresses: HostObservation["addresses"] = [{ iface: "lo", address: "127.0.0.1", prefix: 8 }];
  sysctls: Record<string, string> = {};
  modules = new Set<string>();
  links: Record<string, { up: boolean }> = { lo: { up: true }, eth0: { up: true } };
  fou: HostObservation["fou"] = [];
  defaultRoutes: HostObservation["defaultRoutes"] = { inet: [], inet6: [] };
  readonly changes: string[] = [];
  /** makes the next change of this kind fail (e.g. "modprobe") */
  failOn: string | null = null;

  private change(what: string): void {
    if (this.failOn && what.startsWith(this.failOn)) throw new Error(`${what}: failed (fake)`);
    this.changes.push(what);
  }

  async observe(keys: readonly string[]): Promise<HostObservation> {
    return {
      addresses: this.addresses.map((a) => ({ ...a })),
      sysctls: Object.fromEntries(keys.map((k) => [k, this.sysctlValue(k)])),
      modules: [...this.modules],
      links: structuredClone(this.links),
      fou: this.fou.map((f) => ({ ...f })),
      defaultRoutes: { inet: [...this.defaultRoutes.inet], inet6: [...this.defaultRoutes.inet6] },
    };
  }

  private sysctlValue(key: string): string | null {
    if (key in this.sysctls) return this.sysctls[key]!;
    const m = /^net\.ipv4\.conf\.([^.]+)\./.exec(key);
    if (m && !(m[1] === "all" || m[1] === "default" || m[1]! in this.links)) return null;
    return "0";
  }

  async addAddress(iface: string, address: string, prefix: number, family: AddressFamily): Promise<void> {
    this.change(`addr add ${address}/${prefix} dev ${iface} (${family})`);
    if (!this.links[iface]) throw new Error(`Cannot find device "${iface}"`);
    if (this.addresses.some((a) => a.iface === iface && a.address === address)) throw new Error("RTNETLINK answers: File exists");
    this.addresses.push({ iface, address, prefix });
  }

  async delAddress(iface: string, address: string, prefix: number): Promise<void> {
    this.change(`addr del ${address}/${prefix} dev ${iface}`);
    const i = this.addresses.findIndex((a) => a.iface === iface && a.address === address);
    if (i < 0) throw new Error("RTNETLINK answers: Cannot assign requested address");
    this.addresses.splice(i, 1);
  }

  async writeSysctl(key: string, value: string): Promise<void> {
    this.change(`sysctl ${key}=${value}`);
    if (this.sysctlValue(key) === null) throw new Error(`sysctl: cannot stat ${key}: No such file or directory`);
    this.sysctls[key] = value;
  }

  async loadModule(name: string): Promise<void> {
    this.change(`modprobe ${name}`);
    this.modules.add(name);
    const dev = FALLBACK[name];
    if (dev && !this.links[dev]) this.links[dev] = { up: false };
  }

  async setLink(iface: string, up: boolean): Promise<void> {
    this.change(`link set ${iface} ${up ? "up" : "down"}`);
    if (!this.links[iface]) throw new Error(`Cannot find device "${iface}"`);
    this.links[iface]!.up = up;
  }

  async addFou(port: number, family: AddressFamily): Promise<void> {
    this.change(`fou add port ${port} gue ${family}`);
    this.fou.push({ port, family });
  }

  async delFou(port: number, family: AddressFamily): Promise<void> {
    this.change(`fou del port ${port} ${family}`);
    this.fou = this.fou.filter((f) => !(f.port === port && f.family === family));
  }

  async setDefaultRoute(family: AddressFamily, via: string): Promise<void> {
    this.change(`route replace default via ${via} (${family})`);
    this.defaultRoutes[family] = [via];
  }
}
