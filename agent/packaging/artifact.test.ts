/**
 * The built agent (npm run build:agent) on its own: copied ALONE into an empty temp dir outside the
 * repository (no node_modules reachable, PATH only the system's, no NODE_* variables), it prints its
 * version and help, checks the machine, and forwards real loopback traffic with the standalone
 * userspace engine from an ipvsadm rules file. A second build from the same inputs gives the same bytes.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import { buildAgent, bundleAgent, type AgentBuild } from "./buildAgent.ts";
import { builtAgent, isolatedDir, startProc } from "./testing.ts";
import { connect, freePort, startBackend, type Backend } from "../engines/userspace/testing.ts";
import { PROTOCOL_VERSION } from "../../lvs/protocol/agent.ts";

/** exactly these variables: no NODE_*, no PATH into the repository */
const ENV: Record<string, string> = { PATH: "/usr/sbin:/usr/bin:/sbin:/bin", HOME: "/nonexistent" };
let build: AgentBuild;
let dir: string;
let exe: string;
const cleanup: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  build = await builtAgent();
  dir = await isolatedDir("lvs-agent-artifact-");
  exe = path.join(dir, "lvs-agent");
  await fs.copyFile(build.artifact, exe);
  await fs.chmod(exe, 0o755);
}, 600_000);

afterAll(async () => {
  while (cleanup.length) await cleanup.pop()!().catch(() => undefined);
  if (dir) await fs.rm(dir, { recursive: true, force: true });
});

/** the command lines (argv[0]) of `pid`'s child processes, from /proc */
function childCommands(pid: number): string[] {
  const out: string[] = [];
  for (const e of readdirSync("/proc")) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, "utf8");
      if (Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) === pid) out.push(readFileSync(`/proc/${e}/cmdline`, "utf8").split("\0")[0]!);
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

const run = (args: string[]) => spawnSync(exe, args, { cwd: dir, env: ENV as NodeJS.ProcessEnv, encoding: "utf8", timeout: 60_000 });

describe("the built agent, alone in an empty directory", () => {
  it("is one file with its checksum and version recorded", async () => {
    expect(await fs.readdir(dir)).toEqual(["lvs-agent"]);
    const sha = createHash("sha256").update(await fs.readFile(exe)).digest("hex");
    expect(sha).toBe(build.sha256);
    expect(await fs.readFile(path.join(build.dir, "lvs-agent.sha256"), "utf8")).toBe(`${sha}  lvs-agent\n`);
    expect(build.version).toMatch(/^\d+\.\d+\.\d+\+(g[0-9a-f]{12}(\.dirty)?|unknown)$/);
  });

  it("prints --version: the build version, the protocol version, the embedded Node", () => {
    const r = run(["--version"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(`lvs-agent ${build.version} (protocol ${PROTOCOL_VERSION}; node ${process.version})\n`);
    expect(r.stderr).toBe(""); // no SEA or require() warnings
    expect(run(["-V"]).stdout).toBe(r.stdout);
  });

  it("documents every flag and environment variable in --help", () => {
    const r = run(["--help"]);
    expect(r.status).toBe(0);
    for (const flag of ["--server", "--token", "--token-file", "--engine", "--state-dir", "--boot-rules", "--ipvsadm", "--insecure", "--heal-drift", "--version", "--help", "--rules", "--stats-interval", "--exact", "--workers"]) {
      expect(r.stdout).toContain(flag);
    }
    for (const v of ["LVS_AGENT_SERVER", "LVS_AGENT_TOKEN", "LVS_AGENT_TOKEN_FILE", "LVS_AGENT_ENGINE", "LVS_AGENT_STATE_DIR", "LVS_AGENT_BOOT_RULES", "LVS_AGENT_IPVSADM", "LVS_AGENT_INSECURE", "LVS_AGENT_HEAL_DRIFT", "LVS_AGENT_WORKERS"]) {
      expect(r.stdout).toContain(v);
    }
    expect(r.stdout).toContain("lvs-agent check");
    const bad = run(["--no-such-flag"]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("--no-such-flag");
  });

  it("check: names what is missing and exits 1 when IPVS is required; 0 for the userspace engine", async () => {
    const state = path.join(dir, "state");
    const ipvs = run(["check", "--engine", "ipvs", "--ipvsadm", path.join(dir, "no-ipvsadm"), "--state-dir", state]);
    expect(ipvs.status).toBe(1);
    expect(ipvs.stdout).toMatch(/^FAIL {2}ipvsadm: .*no-ipvsadm: not found: install it/m);
    expect(ipvs.stdout).toMatch(/required items? missing/);
    const us = run(["check", "--engine", "userspace", "--state-dir", state]);
    expect(us.stdout).toMatch(/^ok {4}state dir: /m);
    expect(us.stdout).not.toContain("FAIL");
    expect(us.status).toBe(0);
  });

  it("forwards loopback TCP with the standalone userspace engine from a rules file", async () => {
    const vip = "127.0.31.1";
    const port = await freePort(vip);
    const backends: Backend[] = [await startBackend("rs1", "127.0.32.1"), await startBackend("rs2", "127.0.32.2")];
    cleanup.push(async () => Promise.all(backends.map((b) => b.close())));
    const rules = path.join(dir, "ipvsadm.rules");
    await fs.writeFile(rules, [
      `-A -t ${vip}:${port} -s rr`,
      `-a -t ${vip}:${port} -r 127.0.32.1:${backends[0]!.port} -m -w 1`,
      `-a -t ${vip}:${port} -r 127.0.32.2:${backends[1]!.port} -m -w 1`,
      "",
    ].join("\n"));
    const p = startProc(exe, ["run", "--engine", "userspace", "--rules", rules], { cwd: dir, env: ENV });
    cleanup.push(() => p.stop());
    await p.waitFor("forwarding", 60_000);
    const names: string[] = [];
    for (let i = 0; i < 4; i++) {
      const c = await connect(vip, port);
      names.push(c.name);
      expect(await c.echo(`ping ${i}`)).toBe(`ping ${i}`);
      await c.close();
    }
    expect(names.sort()).toEqual(["rs1", "rs1", "rs2", "rs2"]);

    // the executable carries the native relay (no .deb here): written to a directory of this user
    // under the temp dir, it carries a connection from its second request on
    const kept = await connect(vip, port);
    for (let i = 0; i < 6; i++) expect(await kept.echo(`keep ${i}`)).toBe(`keep ${i}`);
    const relays = childCommands(p.child.pid!).filter((c) => /\/lvs-agent-native-\d+\/lvs-tcp-relay-[0-9a-f]{16}$/.test(c));
    expect(relays, p.output()).toHaveLength(1);
    expect(createHash("sha256").update(await fs.readFile(relays[0]!)).digest("hex").slice(0, 16)).toBe(relays[0]!.slice(-16));
    expect(((await fs.stat(path.dirname(relays[0]!))).mode & 0o777).toString(8)).toBe("700");
    await kept.close();
    expect(await p.stop()).toBe(0);
  }, 120_000);
});

describe("reproducible builds", () => {
  it("bundles the same sources to the same bytes", async () => {
    const a = await bundleAgent("9.9.9+gtest");
    expect(await bundleAgent("9.9.9+gtest")).toBe(a);
    expect(a).toContain('"9.9.9+gtest"');
  }, 120_000);

  it("a second full build (SEA) from the same inputs gives the same executable", async () => {
    const other = await isolatedDir("lvs-agent-rebuild-");
    cleanup.push(() => fs.rm(other, { recursive: true, force: true }));
    const again = await buildAgent({ outDir: other, version: build.version, force: true });
    expect(again.cached).toBe(false);
    expect(again.sha256).toBe(build.sha256);
    expect(await fs.readFile(path.join(other, "install.sh"), "utf8")).toBe(await fs.readFile(path.join(build.dir, "install.sh"), "utf8"));
  }, 600_000);
});
