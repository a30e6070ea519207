/**
 * The real RealServerSystem: iproute2 (`ip -j`), /proc/sys and modprobe, through the same Exec door
 * as the ipvs engine (so the lab can run it inside a VM network namespace). One observation is one
 * shell script with sections, one exec: cheap on a host and in the lab alike.
 */
import type { AddressFamily } from "../../lvs/model.ts";
import type { HostObservation } from "../../lvs/realServer/hostChecks.ts";
import type { Exec } from "../engines/ipvs/exec.ts";
import { sysctlPath, type RealServerSystem } from "./realServerSystem.ts";

export interface IpRealServerSystemOptions {
  exec: Exec;
  /** iproute2's ip (default "ip") */
  ip?: string;
  /** default "modprobe" */
  modprobe?: string;
}

const IFACE = /^[A-Za-z0-9_.@:-]{1,15}$/;
const VALUE = /^-?\d{1,10}$/;

function checkIface(iface: string): string {
  if (!IFACE.test(iface)) throw new Error(`interface name ${JSON.stringify(iface)} is not valid`);
  return iface;
}

interface IpAddrJson {
  ifname: string;
  flags?: string[];
  addr_info?: Array<{ family: string; local: string; prefixlen: number }>;
}

export function parseObservation(out: string): HostObservation {
  const sections = new Map<string, string>();
  const re = /^@@(\w+)@@$/gm;
  let m: RegExpExecArray | null;
  let prev: { name: string; start: number } | null = null;
  while ((m = re.exec(out))) {
    if (prev) sections.set(prev.name, out.slice(prev.start, m.index));
    prev = { name: m[1]!, start: m.index + m[0].length };
  }
  if (prev) sections.set(prev.name, out.slice(prev.start));
  const json = <T>(name: string): T[] => {
    const t = (sections.get(name) ?? "").trim();
    return t ? (JSON.parse(t) as T[]) : [];
  };
  const links: HostObservation["links"] = {};
  const addresses: HostObservation["addresses"] = [];
  for (const l of json<IpAddrJson>("ADDR")) {
    const name = l.ifname.split("@")[0]!;
    links[name] = { up: (l.flags ?? []).includes("UP") };
    for (const a of l.addr_info ?? []) if (a.family === "inet" || a.family === "inet6") addresses.push({ iface: name, address: a.local, prefix: a.prefixlen });
  }
  const routes = (name: string) => json<{ gateway?: string }>(name).map((r) => r.gateway ?? "");
  const sysctls: Record<string, string | null> = {};
  for (const line of (sections.get("SYS") ?? "").split("\n")) {
    const i = line.indexOf("=");
    if (i <= 0) continue;
    const v = line.slice(i + 1).trim();
    sysctls[line.slice(0, i)] = v === "@ABSENT" ? null : v;
  }
  const fou: HostObservation["fou"] = [];
  for (const line of (sections.get("FOU") ?? "").split("\n")) {
    const f = /port (\d+)\s+gue(.*)$/.exec(line);
    if (f) fou.push({ port: Number(f[1]), family: /-6|ipv6/.test(f[2]!) ? "inet6" : "inet" });
  }
  const modules = (sections.get("MOD") ?? "").split(/\s+/).filter(Boolean);
  return { addresses, sysctls, modules, links, fou, defaultRoutes: { inet: routes("R4"), inet6: routes("R6") } };
}

export class IpRealServerSystem implements RealServerSystem {
  private readonly ip: string;
  private readonly modprobe: string;

  constructor(private readonly o: IpRealServerSystemOptions) {
    this.ip = o.ip ?? "ip";
    this.modprobe = o.modprobe ?? "modprobe";
  }

  private async run(argv: string[]): Promise<string> {
    const r = await this.o.exec.run(argv);
    if (r.code !== 0) throw new Error((r.stderr || r.stdout).trim().split("\n")[0] || `${argv.join(" ")} exited with ${r.code}`);
    return r.stdout;
  }

  async observe(keys: readonly string[]): Promise<HostObservation> {
    const ip = this.ip;
    const sys = keys.map((k) => `printf '%s=' '${k}'; cat '${sysctlPath(k)}' 2>/dev/null || echo @ABSENT`).join("\n");
    const script = `echo @@ADDR@@; "${ip}" -j addr show
echo @@MOD@@; ls /sys/module
echo @@FOU@@; "${ip}" fou show 2>/dev/null
echo @@R4@@; "${ip}" -j -4 route show default
echo @@R6@@; "${ip}" -j -6 route show default 2>/dev/null
echo @@SYS@@
${sys}
`;
    return parseObservation(await this.run(["sh", "-c", script]));
  }

  async addAddress(iface: string, address: string, prefix: number, family: AddressFamily): Promise<void> {
    await this.run([this.ip, family === "inet6" ? "-6" : "-4", "addr", "add", `${address}/${prefix}`, "dev", checkIface(iface)]);
  }

  async delAddress(iface: string, address: string, prefix: number, family: AddressFamily): Promise<void> {
    await this.run([this.ip, family === "inet6" ? "-6" : "-4", "addr", "del", `${address}/${prefix}`, "dev", checkIface(iface)]);
  }

  async writeSysctl(key: string, value: string): Promise<void> {
    if (!VALUE.test(value)) throw new Error(`sysctl ${key}: value ${JSON.stringify(value)} is not an integer`);
    await this.run(["sh", "-c", `echo ${value} > '${sysctlPath(key)}'`]);
  }

  async loadModule(name: string): Promise<void> {
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(name)) throw new Error(`module name ${JSON.stringify(name)} is not valid`);
    await this.run([this.modprobe, name]);
  }

  async setLink(iface: string, up: boolean): Promise<void> {
    await this.run([this.ip, "link", "set", checkIface(iface), up ? "up" : "down"]);
  }

  async addFou(port: number, family: AddressFamily): Promise<void> {
    await this.run([this.ip, "fou", "add", "port", String(port), "gue", ...(family === "inet6" ? ["-6"] : [])]);
  }

  async delFou(port: number, family: AddressFamily): Promise<void> {
    await this.run([this.ip, "fou", "del", "port", String(port), ...(family === "inet6" ? ["-6"] : [])]);
  }

  async setDefaultRoute(family: AddressFamily, via: string): Promise<void> {
    await this.run([this.ip, family === "inet6" ? "-6" : "-4", "route", "replace", "default", "via", via]);
  }
}
