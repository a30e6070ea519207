import { describe, expect, it } from "vitest";
import { realServerHostSettings, tunnelEndpoint, withRipInterfaces } from "./hostSettings.ts";
import { checkHost, effectiveSysctl, observationKeys, type HostObservation } from "./hostChecks.ts";
import { modesTopology } from "./testing.ts";

const ids = (t = modesTopology(), rips = ["10.0.0.2"]) => realServerHostSettings(t, rips).settings.map((s) => s.id);

describe("realServerHostSettings", () => {
  it("DR: the VIP /32 on lo and the ARP sysctls on all", () => {
    expect(ids()).toEqual(["address lo 10.0.0.100/32", "sysctl net.ipv4.conf.all.arp_ignore", "sysctl net.ipv4.conf.all.arp_announce"]);
  });

  it("DR IPv6: /128 on lo and no ARP sysctls for it; a fwmark membership is a note, not a guess", () => {
    const d = realServerHostSettings(modesTopology({ v6: true }), ["10.0.0.2"]);
    expect(d.settings.map((s) => s.id)).toContain("address lo 2001:db8::100/128");
    expect(d.settings.filter((s) => s.id.startsWith("sysctl")).every((s) => s.memberships.join() === "m-dr")).toBe(true);
    expect(d.notes.join()).toMatch(/fwmark 7/);
  });

  it("TUN per --tun-type: ipip, gue (+ fou port), gre", () => {
    expect(ids(modesTopology(), ["10.0.9.2"])).toEqual(["module ipip", "link tunl0 up", "address tunl0 10.0.0.101/32", "sysctl net.ipv4.conf.tunl0.rp_filter"]);
    expect(ids(modesTopology({ tunType: "gue", tunPort: 6080 }), ["10.0.9.2"])).toEqual(["module ipip", "module fou", "fou inet port 6080 gue", "link tunl0 up", "address tunl0 10.0.0.101/32", "sysctl net.ipv4.conf.tunl0.rp_filter"]);
    expect(ids(modesTopology({ tunType: "gre" }), ["10.0.9.2"])).toEqual(["module ip_gre", "link gre0 up", "address gre0 10.0.0.101/32", "sysctl net.ipv4.conf.gre0.rp_filter"]);
    expect(tunnelEndpoint("ipip", "inet6", "inet6")).toEqual({ module: "ip6_tunnel", iface: "ip6tnl0" });
    expect(tunnelEndpoint("ipip", "inet6", "inet")).toEqual({ module: "sit", iface: "sit0" });
  });

  it("NAT: the default route through the on-link DIP, managed only when asked", () => {
    const [r] = realServerHostSettings(modesTopology(), ["10.0.1.2"]).settings;
    expect(r!.setting).toEqual({ kind: "route", family: "inet", via: ["10.0.1.1"], manage: false });
    expect(realServerHostSettings(modesTopology({ natManage: true }), ["10.0.1.2"]).settings[0]!.setting).toMatchObject({ manage: true });
  });

  it("nothing for disabled memberships, userspace-only services or other hosts", () => {
    const t = modesTopology();
    t.memberships[0]!.state = "disabled";
    expect(ids(t)).toEqual([]);
    const u = modesTopology();
    u.directors[0]!.engine = "userspace";
    expect(ids(u)).toEqual([]);
    expect(ids(modesTopology(), ["10.9.9.9"])).toEqual([]);
  });

  it("the RIP's interface gets the ARP settings too", () => {
    const d = realServerHostSettings(modesTopology(), ["10.0.0.2"]);
    const s = withRipInterfaces(d.settings, d.rips, [{ iface: "eth0", address: "10.0.0.2" }, { iface: "lo", address: "127.0.0.1" }]);
    expect(s.map((x) => x.id)).toContain("sysctl net.ipv4.conf.eth0.arp_ignore");
    expect(s.map((x) => x.id)).toContain("sysctl net.ipv4.conf.eth0.arp_announce");
  });
});

const base: HostObservation = { addresses: [], sysctls: {}, modules: [], links: { lo: { up: true } }, fou: [], defaultRoutes: { inet: [], inet6: [] } };

describe("checkHost", () => {
  it("reports expected and observed per setting", () => {
    const d = realServerHostSettings(modesTopology(), ["10.0.0.2"]);
    const obs = { ...base, sysctls: { "net.ipv4.conf.all.arp_ignore": "0", "net.ipv4.conf.all.arp_announce": "2" } };
    expect(checkHost(d.settings, obs).map((c) => [c.id, c.expected, c.observed, c.ok])).toEqual([
      ["address lo 10.0.0.100/32", "10.0.0.100/32 on lo", "absent", false],
      ["sysctl net.ipv4.conf.all.arp_ignore", "1 (or 2)", "0", false],
      ["sysctl net.ipv4.conf.all.arp_announce", "2", "2", true],
    ]);
    obs.addresses = [{ iface: "eth0", address: "10.0.0.100", prefix: 24 }];
    expect(checkHost(d.settings, obs)[0]!.observed).toBe("10.0.0.100/24 on eth0");
  });

  it("per-interface ARP and rp_filter values are judged by max(all, iface) like the kernel", () => {
    const s = { "net.ipv4.conf.tunl0.rp_filter": "0", "net.ipv4.conf.all.rp_filter": "1" };
    expect(effectiveSysctl("net.ipv4.conf.tunl0.rp_filter", s)).toBe("1");
    expect(effectiveSysctl("net.ipv4.conf.tunl0.rp_filter", { ...s, "net.ipv4.conf.tunl0.rp_filter": "2" })).toBe("2");
    const d = realServerHostSettings(modesTopology(), ["10.0.9.2"]);
    expect(observationKeys(d.settings)).toEqual(["net.ipv4.conf.tunl0.rp_filter", "net.ipv4.conf.all.rp_filter"]);
    const c = checkHost(d.settings, { ...base, sysctls: s }).find((x) => x.id.startsWith("sysctl"))!;
    expect(c).toMatchObject({ ok: false, observed: "0 (effective 1, all=1)" });
  });

  it("NAT: a default route that bypasses the director fails; through the DIP passes", () => {
    const d = realServerHostSettings(modesTopology(), ["10.0.1.2"]);
    expect(checkHost(d.settings, { ...base, defaultRoutes: { inet: ["10.0.1.254"], inet6: [] } })[0]).toMatchObject({ ok: false, expected: "via 10.0.1.1", observed: "via 10.0.1.254" });
    expect(checkHost(d.settings, { ...base, defaultRoutes: { inet: [], inet6: [] } })[0]).toMatchObject({ ok: false, observed: "none" });
    expect(checkHost(d.settings, { ...base, defaultRoutes: { inet: ["10.0.1.1"], inet6: [] } })[0]!.ok).toBe(true);
  });
});

describe("directorPrerequisites", () => {
  it("DIPs on their interfaces, single-director VIPs anywhere, ip_forward for NAT, IPVS modules", async () => {
    const { directorPrerequisites } = await import("./directorPrerequisites.ts");
    const t = modesTopology();
    expect(directorPrerequisites(t, "d1").map((e) => e.id)).toEqual([
      "address eth0 10.0.0.1/24", "address eth1 10.0.1.1/24", "module ip_vs",
      "address * 10.0.0.100/32", "module ip_vs_rr", "address * 10.0.0.101/32", "address * 10.0.0.102/32",
      "sysctl net.ipv4.ip_forward", "module ip_vs_wlc",
    ]);
    t.services[0]!.directorIds.push("d2"); // an HA pair: keepalived owns its VIP
    expect(directorPrerequisites(t, "d1").map((e) => e.id)).not.toContain("address * 10.0.0.100/32");
    t.directors[0]!.engine = "userspace";
    expect(directorPrerequisites(t, "d1")).toEqual([]);
    const obs: HostObservation = { ...base, addresses: [{ iface: "eth0", address: "10.0.0.100", prefix: 32 }], sysctls: { "net.ipv4.ip_forward": "0" } };
    const c = checkHost(directorPrerequisites(modesTopology(), "d1"), obs);
    expect(c.find((x) => x.id === "address * 10.0.0.100/32")).toMatchObject({ ok: true, observed: "10.0.0.100/32 on eth0" });
    expect(c.find((x) => x.id === "sysctl net.ipv4.ip_forward")).toMatchObject({ ok: false, expected: "1", observed: "0" });
  });
});

describe("prepareScript", () => {
  it("renders the same settings as shell, idempotent, with undo", async () => {
    const { prepareScript } = await import("./prepareScript.ts");
    const dr = prepareScript(realServerHostSettings(modesTopology(), ["10.0.0.2"]), "web-a");
    expect(dr).toContain("ip -4 -o addr show dev lo | grep -q ' 10.0.0.100/' || ip -4 addr add 10.0.0.100/32 dev lo");
    expect(dr).toContain("echo 1 > /proc/sys/net/ipv4/conf/all/arp_ignore");
    expect(dr).toContain("echo 2 > /proc/sys/net/ipv4/conf/$RIP_DEV/arp_announce");
    expect(dr).toContain("ip -4 addr del 10.0.0.100/32 dev lo 2>/dev/null || true");
    const tun = prepareScript(realServerHostSettings(modesTopology({ tunType: "gue", tunPort: 6080 }), ["10.0.9.2"]), "t");
    expect(tun).toMatch(/modprobe ipip[\s\S]*modprobe fou[\s\S]*ip fou add port 6080 gue[\s\S]*ip link set tunl0 up[\s\S]*10\.0\.0\.101\/' \|\| ip -4 addr add 10\.0\.0\.101\/32 dev tunl0/);
    const nat = prepareScript(realServerHostSettings(modesTopology(), ["10.0.1.2"]), "n");
    expect(nat).toContain("WARNING: the default route must go via 10.0.1.1");
    expect(nat).not.toContain("route replace");
    expect(prepareScript(realServerHostSettings(modesTopology({ natManage: true }), ["10.0.1.2"]), "n")).toContain("|| ip -4 route replace default via 10.0.1.1");
  });
});
