import { describe, expect, it } from "vitest";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { runRealServerCli } from "./realServerCli.ts";
import { FakeRealServerSystem } from "./fakeRealServerSystem.ts";
import { modesTopology } from "../../lvs/realServer/testing.ts";

async function run(args: string[], system = new FakeRealServerSystem()) {
  let out = "";
  let err = "";
  const code = await runRealServerCli(args, { out: (t) => void (out += t), err: (t) => void (err += t), system });
  return { code, out, err, system };
}

describe("lvs-agent realserver", () => {
  it("prepares, verifies and undoes a DR real server from a topology file", async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), "rs-cli-"));
    const file = path.join(dir, "topology.json");
    await fs.writeFile(file, JSON.stringify({ topology: modesTopology() }));
    const sys = new FakeRealServerSystem();
    const base = ["--topology", file, "--rip", "10.0.0.2", "--state-dir", dir];
    const v = await run([...base, "--verify"], sys);
    expect(v.code).toBe(1);
    expect(v.out).toContain("FAIL address lo 10.0.0.100/32: absent (expected 10.0.0.100/32 on lo)");
    expect(sys.changes).toEqual([]);
    const a = await run(base, sys);
    expect(a.code).toBe(0);
    expect(a.out).toContain("ok   address lo 10.0.0.100/32: 10.0.0.100/32 on lo");
    expect(a.out).toContain("changed: addr add 10.0.0.100/32 dev lo");
    const u = await run(["--undo", "--state-dir", dir], sys);
    expect(u.out).toContain("changed: addr del 10.0.0.100/32 dev lo");
    expect(sys.addresses.some((x) => x.address === "10.0.0.100")).toBe(false);
    const s = await run([...base, "--script"], sys);
    expect(s.out).toMatch(/^#!\/bin\/sh/);
    await fs.rm(dir, { recursive: true, force: true });
  });

  it("refuses bad usage with a clear message", async () => {
    expect((await run(["--rip", "nope"])).err).toMatch(/--topology is required; --rip nope: not an IPv4 or IPv6 address/);
    expect((await run(["--topology", "/nonexistent.json", "--rip", "10.0.0.2"])).code).toBe(2);
  });
});
