import { describe, expect, it } from "vitest";
import { IpvsEngine } from "./ipvsEngine.ts";
import { FakeIpvsadm } from "./fakeIpvsadm.ts";
import { dest, tcpService } from "../../testing/fixtures.ts";

describe("IpvsEngine: --set and -Z through ipvsadm", () => {
  it("sets the timeouts with ipvsadm --set, reads them back with -L --timeout, and is idle once they match", async () => {
    const k = new FakeIpvsadm();
    const e = new IpvsEngine({ exec: k });
    const desired = { services: [tcpService("10.0.0.1", 80, [dest("192.168.1.1", 80)])], timeouts: { tcp: 3600, tcpfin: 0, udp: 60 } };
    const r = await e.apply(desired);
    expect(r.ok).toBe(true);
    expect(k.calls).toContain("--set 3600 0 60");
    expect(r.actual!.timeouts).toEqual({ tcp: 3600, tcpfin: 120, udp: 60 });
    const before = k.batches.length;
    expect((await e.apply(desired)).ok).toBe(true);
    expect(k.batches.length).toBe(before);
    expect(k.calls).toContain("-Ln --timeout");
  });
  it("a table without timeouts never reads or sets them (a resync stays two reads)", async () => {
    const k = new FakeIpvsadm();
    const e = new IpvsEngine({ exec: k });
    await e.apply({ services: [tcpService("10.0.0.1", 80, [dest("192.168.1.1", 80)])] });
    expect(k.calls.some((c) => c.includes("--timeout"))).toBe(false);
    expect(k.calls.some((c) => c.startsWith("--set"))).toBe(false);
  });
  it("zero(service) runs ipvsadm -Z -t VIP:PORT; zero(null) runs -Z; an unknown service is the kernel's No such service", async () => {
    const k = new FakeIpvsadm();
    const e = new IpvsEngine({ exec: k });
    await e.apply({ services: [tcpService("10.0.0.1", 80, [dest("192.168.1.1", 80)])] });
    await e.zero({ protocol: "tcp", family: "inet", address: "10.0.0.1", port: 80 });
    await e.zero(null);
    expect(k.calls.filter((c) => c.startsWith("-Z"))).toEqual(["-Z -t 10.0.0.1:80", "-Z"]);
    await expect(e.zero({ protocol: "tcp", family: "inet", address: "10.0.0.9", port: 80 })).rejects.toThrow(/No such service/);
  });
});
