import { describe, expect, it } from "vitest";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { IpvsEngine } from "./ipvsEngine.ts";
import { FakeIpvsadm } from "./fakeIpvsadm.ts";
import { dest, tcpService } from "../../testing/fixtures.ts";
import type { IpvsTable } from "../../../lvs/model.ts";
import { canonicalTable } from "../../../lvs/canonical.ts";

const t1: IpvsTable = { services: [tcpService("10.0.0.1", 80, [dest("192.168.1.1", 80), dest("192.168.1.2", 80)])] };
const t2: IpvsTable = { services: [tcpService("10.0.0.1", 80, [dest("192.168.1.1", 80, 5), dest("192.168.1.3", 80)], "wlc")] };

describe("IpvsEngine (fake ipvsadm)", () => {
  it("converges through -R batches of edits, never a flush", async () => {
    const k = new FakeIpvsadm();
    const e = new IpvsEngine({ exec: k });
    const r1 = await e.apply(t1);
    expect(r1.ok).toBe(true);
    expect(canonicalTable(await e.read())).toEqual(canonicalTable(t1));
    const r2 = await e.apply(t2);
    expect(r2.ok).toBe(true);
    expect(r2.ops.map((o) => o.op)).toEqual(expect.arrayContaining([
      "-E -t 10.0.0.1:80 -s wlc",
      "-e -t 10.0.0.1:80 -r 192.168.1.1:80 -m -w 5",
      "-a -t 10.0.0.1:80 -r 192.168.1.3:80 -m -w 1",
      "-d -t 10.0.0.1:80 -r 192.168.1.2:80",
    ]));
    expect(r2.ops.some((o) => o.op.startsWith("-D"))).toBe(false);
    expect(k.batches.join("")).not.toMatch(/^-C/m);
    expect(canonicalTable(k.table)).toEqual(canonicalTable(t2));
    // nothing to do: no batch at all
    const before = k.batches.length;
    expect((await e.apply(t2)).ops).toEqual([]);
    expect(k.batches.length).toBe(before);
  });

  it("returns the table it read back; a no-op apply reads the kernel once (a 30 s resync stays cheap)", async () => {
    const k = new FakeIpvsadm();
    const e = new IpvsEngine({ exec: k });
    const r1 = await e.apply(t1);
    expect(canonicalTable(r1.actual!)).toEqual(canonicalTable(t1));
    const calls = k.calls.length;
    const r2 = await e.apply(t1);
    expect(r2.ok).toBe(true);
    expect(k.calls.slice(calls)).toEqual(["-S -n", "-Ln --thresholds"]);
    expect(canonicalTable(r2.actual!)).toEqual(canonicalTable(t1));
  });

  it("leaves services it does not manage alone and reports them", async () => {
    const k = new FakeIpvsadm();
    k.table = { services: [tcpService("10.9.9.9", 22, [dest("192.168.5.5", 22)])] };
    const e = new IpvsEngine({ exec: k });
    const r = await e.apply(t1);
    expect(r.ok).toBe(true);
    expect(r.notes).toEqual([expect.objectContaining({ kind: "unmanaged", service: { protocol: "tcp", family: "inet", address: "10.9.9.9", port: 22 } })]);
    expect(k.table.services.map((s) => s.protocol !== "fwmark" && s.address)).toEqual(["10.9.9.9", "10.0.0.1"]);
    // a service we managed and that leaves the desired table is deleted; the foreign one stays
    await e.apply({ services: [] });
    expect(k.table.services.map((s) => s.protocol !== "fwmark" && s.address)).toEqual(["10.9.9.9"]);
  });

  it("remembers what it manages across restarts (managed file)", async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), "ipvs-managed-"));
    const k = new FakeIpvsadm();
    await new IpvsEngine({ exec: k, managedFile: path.join(dir, "m.json") }).apply(t1);
    const again = new IpvsEngine({ exec: k, managedFile: path.join(dir, "m.json") });
    const r = await again.apply({ services: [] });
    expect(r.notes).toEqual([]);
    expect(k.table.services).toEqual([]);
    await fs.rm(dir, { recursive: true, force: true });
  });

  it("reports per-op kernel errors and ok=false, keeping what did apply", async () => {
    const k = new FakeIpvsadm();
    k.reject = { test: (l) => l.includes("192.168.1.2"), message: "Invalid operation.  Possibly wrong module version, address not unicast, ..." };
    const e = new IpvsEngine({ exec: k });
    const r = await e.apply(t1);
    expect(r.ok).toBe(false);
    expect(r.ops.filter((o) => !o.ok)).toEqual([{ op: "-a -t 10.0.0.1:80 -r 192.168.1.2:80 -m -w 1", ok: false, error: expect.stringMatching(/^Invalid operation/) }]);
    expect(r.ops.filter((o) => o.ok)).toHaveLength(2);
    expect(k.table.services[0]!.destinations.map((d) => d.address)).toEqual(["192.168.1.1"]);
  });

  it("reads stats through -Ln, --stats --exact and --rate --exact, and pages -Lnc", async () => {
    const k = new FakeIpvsadm();
    const e = new IpvsEngine({ exec: k, now: () => 42 });
    await e.apply(t1);
    k.counters.set("service", { conns: 7, inPkts: 70, outPkts: 60, inBytes: 7000, outBytes: 123456789012 });
    k.counters.set("192.168.1.1:80", { conns: 4, inPkts: 40, outPkts: 30, inBytes: 4000, outBytes: 3000 });
    const s = await e.stats();
    expect(s.at).toBe(42);
    expect(s.services[0]!.counters).toEqual({ conns: 7, inPkts: 70, outPkts: 60, inBytes: 7000, outBytes: 123456789012 });
    expect(s.services[0]!.destinations[0]!.counters.conns).toBe(4);
    expect(k.calls).toEqual(expect.arrayContaining(["-Ln", "-Ln --stats --exact", "-Ln --rate --exact"]));
    k.connections = Array.from({ length: 3 }, (_, i) => ({
      protocol: "tcp" as const, client: { address: "10.9.0.1", port: 40000 + i }, virtual: { address: "10.0.0.1", port: 80 },
      destination: { address: i === 1 ? "192.168.1.2" : "192.168.1.1", port: 80 }, state: "ESTABLISHED", expiresIn: 890,
    }));
    const page = await e.connections({ offset: 0, limit: 10, destination: "192.168.1.1" });
    expect(page.total).toBe(2);
    expect(page.entries.map((c) => c.client.port)).toEqual([40000, 40002]);
  });
});
