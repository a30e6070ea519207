import { describe, expect, it } from "vitest";
import { RealServerPreparer } from "./realServerPreparer.ts";
import { FakeRealServerSystem } from "./fakeRealServerSystem.ts";
import { MemoryRealServerStateStore } from "./realServerState.ts";
import { memoryLog } from "../log.ts";
import { realServerHostSettings } from "../../lvs/realServer/hostSettings.ts";
import { modesTopology } from "../../lvs/realServer/testing.ts";

function setup(sys = new FakeRealServerSystem()) {
  const store = new MemoryRealServerStateStore();
  const p = new RealServerPreparer({ system: sys, store, log: memoryLog(), clock: { now: () => 1000 } });
  return { sys, store, p };
}
const drHost = () => {
  const sys = new FakeRealServerSystem();
  sys.addresses.push({ iface: "eth0", address: "10.0.0.2", prefix: 24 });
  return sys;
};
const desired = (rips: string[], t = modesTopology()) => realServerHostSettings(t, rips);

describe("RealServerPreparer", () => {
  it("DR: applies VIP and ARP settings (all + the RIP's interface), then is idempotent", async () => {
    const { sys, p } = setup(drHost());
    const r = await p.apply(desired(["10.0.0.2"]), 3);
    expect(r.errors).toEqual([]);
    expect(sys.changes).toEqual([
      "addr add 10.0.0.100/32 dev lo (inet)",
      "sysctl net.ipv4.conf.all.arp_ignore=1", "sysctl net.ipv4.conf.eth0.arp_ignore=1",
      "sysctl net.ipv4.conf.all.arp_announce=2", "sysctl net.ipv4.conf.eth0.arp_announce=2",
    ]);
    expect(r.checks.every((c) => c.ok)).toBe(true);
    expect(r.checks.map((c) => c.id)).toContain("sysctl net.ipv4.conf.eth0.arp_ignore");
    sys.changes.length = 0;
    const again = await p.apply(desired(["10.0.0.2"]), 4);
    expect(sys.changes).toEqual([]);
    expect(again.changes).toEqual([]);
  });

  it("undo removes only what it set and restores the original sysctl values", async () => {
    const sys = drHost();
    sys.sysctls["net.ipv4.conf.all.arp_announce"] = "1"; // the operator's value
    sys.sysctls["net.ipv4.conf.eth0.arp_ignore"] = "1"; // already right: not the agent's
    const { p } = setup(sys);
    await p.apply(desired(["10.0.0.2"]), 1);
    expect(sys.sysctls["net.ipv4.conf.all.arp_announce"]).toBe("2");
    sys.changes.length = 0;
    await p.undo();
    expect(sys.changes).toEqual([
      "addr del 10.0.0.100/32 dev lo",
      "sysctl net.ipv4.conf.all.arp_ignore=0", "sysctl net.ipv4.conf.all.arp_announce=1", "sysctl net.ipv4.conf.eth0.arp_announce=0",
    ]);
    expect(sys.sysctls["net.ipv4.conf.eth0.arp_ignore"]).toBe("1");
    expect(sys.addresses.map((a) => a.address)).toEqual(["127.0.0.1", "10.0.0.2"]);
  });

  it("never removes a VIP the operator configured, and leaves a sysctl someone changed since", async () => {
    const sys = drHost();
    sys.addresses.push({ iface: "lo", address: "10.0.0.100", prefix: 32 });
    const { p } = setup(sys);
    await p.apply(desired(["10.0.0.2"]), 1);
    expect(sys.changes.some((c) => c.startsWith("addr"))).toBe(false);
    sys.sysctls["net.ipv4.conf.all.arp_ignore"] = "2"; // someone else
    sys.changes.length = 0;
    await p.undo();
    expect(sys.changes.some((c) => c.startsWith("addr") || c.includes("all.arp_ignore"))).toBe(false);
    expect(sys.sysctls["net.ipv4.conf.all.arp_ignore"]).toBe("2");
  });

  it("removes a VIP no membership needs any more, keeps the one still needed", async () => {
    const { sys, p } = setup(drHost());
    const t = modesTopology({ v6: true });
    await p.apply(desired(["10.0.0.2"], t), 1);
    expect(sys.addresses.map((a) => a.address)).toContain("2001:db8::100");
    t.memberships = t.memberships.filter((m) => m.id !== "m-dr6");
    sys.changes.length = 0;
    await p.apply(desired(["10.0.0.2"], t), 2);
    expect(sys.changes).toEqual(["addr del 2001:db8::100/128 dev lo"]);
  });

  it("TUN: module, tunnel up, VIP, loose rp_filter; undo sets the tunnel down and keeps the module", async () => {
    const sys = new FakeRealServerSystem();
    sys.sysctls["net.ipv4.conf.all.rp_filter"] = "1";
    const { p } = setup(sys);
    const r = await p.apply(desired(["10.0.9.2"]), 1);
    expect(sys.changes).toEqual(["modprobe ipip", "link set tunl0 up", "addr add 10.0.0.101/32 dev tunl0 (inet)", "sysctl net.ipv4.conf.tunl0.rp_filter=2"]);
    expect(r.checks.every((c) => c.ok)).toBe(true);
    sys.changes.length = 0;
    await p.undo();
    expect(sys.changes).toEqual(["addr del 10.0.0.101/32 dev tunl0", "sysctl net.ipv4.conf.tunl0.rp_filter=0", "link set tunl0 down"]);
    expect(sys.modules.has("ipip")).toBe(true);
  });

  it("GUE: the FOU port is added and removed", async () => {
    const { sys, p } = setup();
    await p.apply(desired(["10.0.9.2"], modesTopology({ tunType: "gue", tunPort: 6080 })), 1);
    expect(sys.fou).toEqual([{ port: 6080, family: "inet" }]);
    await p.undo();
    expect(sys.fou).toEqual([]);
  });

  it("NAT: verifies only, unless the operator asked; then replaces and restores the route", async () => {
    const sys = new FakeRealServerSystem();
    sys.defaultRoutes.inet = ["10.0.1.254"];
    const { p } = setup(sys);
    const r = await p.apply(desired(["10.0.1.2"]), 1);
    expect(sys.changes).toEqual([]);
    expect(r.checks[0]).toMatchObject({ ok: false, observed: "via 10.0.1.254", expected: "via 10.0.1.1" });
    const m = await p.apply(desired(["10.0.1.2"], modesTopology({ natManage: true })), 2);
    expect(sys.changes).toEqual(["route replace default via 10.0.1.1 (inet)"]);
    expect(m.checks[0]!.ok).toBe(true);
    await p.undo();
    expect(sys.defaultRoutes.inet).toEqual(["10.0.1.254"]);
  });

  it("a failing change is reported, the rest still applied, and the check says why", async () => {
    const sys = new FakeRealServerSystem();
    sys.failOn = "modprobe";
    const { p } = setup(sys);
    const r = await p.apply(desired(["10.0.9.2"]), 1);
    expect(r.errors[0]).toMatch(/modprobe ipip: failed/);
    expect(r.errors).toContain("link tunl0: absent (its module did not create it)");
    expect(r.checks.find((c) => c.id === "module ipip")).toMatchObject({ ok: false, observed: "not loaded" });
  });

  it("fail-static: a new process restores the saved settings before any link (after a reboot)", async () => {
    const { p, store } = setup(drHost());
    await p.apply(desired(["10.0.0.2"]), 7);
    const rebooted = drHost(); // addresses and sysctls are gone after a reboot
    const again = new RealServerPreparer({ system: rebooted, store, log: memoryLog(), clock: { now: () => 2 } });
    const r = await again.start();
    expect(r?.revision).toBe(7);
    expect(rebooted.addresses.map((a) => a.address)).toContain("10.0.0.100");
    expect(r!.checks.every((c) => c.ok)).toBe(true);
    // and its undo still restores the pre-agent values recorded before the reboot
    await again.undo();
    expect(rebooted.sysctls["net.ipv4.conf.all.arp_ignore"]).toBe("0");
  });
});
