/**
 * `lvs-agent` as a real process (bin/lvs-agent.mjs) against a running control plane (startServer,
 * PGlite, in this process) with real loopback backends:
 *  - bad usage exits 2 and names the flag and the rule;
 *  - `--engine auto` says which engine it picked and why;
 *  - a revoked token: the log says `401 unauthorized: token revoked` plainly, the process keeps
 *    retrying with growing (jittered, capped) delays, keeps forwarding its last table, and never
 *    exits; SIGTERM ends it with 0 and the forwarding it owns.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import http from "node:http";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { AddressInfo } from "node:net";
import { startServer, type RunningServer } from "../server/app.ts";
import { loadEnv } from "../server/env.ts";
import { createAgentPlugin } from "../server/agentPlugin.ts";
import { TopologyService } from "../server/services/topologyService.ts";
import { DirectorService } from "../server/services/directorService.ts";
import { applyRevision } from "../server/services/deploy/applyRevision.ts";
import type { Topology } from "../lvs/model.ts";
import { freePort, httpGet, spawnNode, until, type Proc } from "./helpers.ts";

const BIN = "bin/lvs-agent.mjs";

function topology(vipPort: number, b1: number, b2: number): Topology {
  const host = { loopbackVips: [], tunnelVips: [], arpSuppressed: false, gateway: null };
  const m = (id: string, rs: string) => ({ id, serviceId: "vs1", realServerId: rs, method: "nat" as const, weight: 1, upperThreshold: 0, lowerThreshold: 0, tunnel: null, state: "active" as const, healthCheck: null });
  return {
    name: "cli",
    directors: [{ id: "d1", name: "lvs-cli", managementAddress: null, interfaces: [], engine: "userspace" }],
    services: [{
      id: "vs1", protocol: "tcp", family: "inet", address: "127.0.12.1", port: vipPort, fwmark: null, scheduler: "rr", flags: [],
      persistence: null, persistenceEngine: null, onePacket: false, description: "", directorIds: ["d1"], healthCheck: null, sorryServer: null, proxyProtocol: false,
    }],
    realServers: [
      { id: "rs1", name: "b1", address: "127.0.22.1", port: b1, host },
      { id: "rs2", name: "b2", address: "127.0.22.2", port: b2, host },
    ],
    memberships: [m("m1", "rs1"), m("m2", "rs2")],
    layout: {},
  };
}

describe("lvs-agent command line", () => {
  it("bad usage exits 2 naming the flag and the rule", async () => {
    const cases: Array<[string[], RegExp]> = [
      [["--token", "x".repeat(20)], /--server is required/],
      [["--server", "ftp://127.0.0.1:1", "--token", "x".repeat(20)], /--server ftp:\/\/127\.0\.0\.1:1: .*unsupported scheme ftp:/],
      [["--server", "http://127.0.0.1:1", "--token", "x".repeat(20), "--engine", "kernel"], /--engine must be auto, ipvs or userspace \(got kernel\)/],
      [["--server", "http://127.0.0.1:1"], /--token \(or LVS_AGENT_TOKEN \/ --token-file\) is required/],
      [["--server", "http://127.0.0.1:1", "--token", "x".repeat(20), "--bogus"], /Unknown option '--bogus'/],
      [["--server", "http://127.0.0.1:1", "--token", "x".repeat(20), "--engine", "userspace", "--workers", "0"], /--workers must be a whole number 1\.\.64 \(got 0\)/],
      [["--server", "http://127.0.0.1:1", "--token", "x".repeat(20), "--engine", "userspace", "--workers", "1.5"], /--workers must be a whole number 1\.\.64 \(got 1\.5\)/],
      [["--server", "http://127.0.0.1:1", "--token", "x".repeat(20), "--engine", "ipvs", "--workers", "2"], /--workers 2 needs --engine userspace/],
    ];
    const runs = cases.map(([args, re]) => {
      const p = spawnNode([BIN, ...args], { LVS_AGENT_TOKEN: "" });
      return p.exited.then((code) => ({ code, out: p.output(), re }));
    });
    for (const r of await Promise.all(runs)) {
      expect(r.code, r.out).toBe(2);
      expect(r.out).toMatch(r.re);
      expect(r.out).toMatch(/^usage:/m);
    }
  }, 60_000);
});

describe("lvs-agent process against a running control plane", () => {
  let s: RunningServer;
  let dir: string;
  let token: string;
  let directorId: string;
  let vipPort: number;
  const backends: http.Server[] = [];
  const procs: Proc[] = [];

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), "agent-cli-"));
    for (const [i, name] of [[1, "b1"], [2, "b2"]] as const) {
      const b = http.createServer((_q, res) => res.end(name));
      await new Promise<void>((r) => b.listen(0, `127.0.22.${i}`, r));
      backends.push(b);
    }
    vipPort = await freePort("127.0.12.1");
    s = await startServer({
      env: loadEnv({ DATABASE_URL: "pglite:memory", LOG_LEVEL: "silent", LVS_NEXT: "0", PORT: "0", HOST: "127.0.0.1" }),
      plugins: [createAgentPlugin({ heartbeatMs: 1000 })],
    });
    const deps = { prisma: s.db.prisma, bus: s.bus, log: s.log };
    const topo = new TopologyService(deps);
    const t = await topo.create("cli", null);
    const ports = backends.map((b) => (b.address() as AddressInfo).port);
    await topo.save({ id: t.id, expectedRevision: t.revision, document: topology(vipPort, ports[0]!, ports[1]!), message: "", author: null });
    const enrolled = await new DirectorService(deps).create({ topologyId: t.id, key: "d1" });
    token = enrolled.token;
    directorId = enrolled.director.id;
    // saving is not applying: the director gets the revision once it is applied
    await applyRevision({ db: s.db, bus: s.bus, log: s.log }, { topologyId: t.id, waitMs: 0, actor: { actor: "cli-test" } });
  }, 60_000);

  afterAll(async () => {
    for (const p of procs) if (p.child.exitCode === null) { p.child.kill("SIGKILL"); await p.exited; }
    await s?.close().catch(() => {});
    for (const b of backends) { b.closeAllConnections(); await new Promise((r) => b.close(r)); }
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  }, 30_000);

  it("--engine userspace --workers 2: two worker processes share the VIP's socket and forward the director's table", async () => {
    const p = spawnNode([BIN, "--server", s.url, "--engine", "userspace", "--workers", "2", "--state-dir", path.join(dir, "state-workers")], { LVS_AGENT_TOKEN: token });
    procs.push(p);
    await until(() => /engine userspace: chosen with --engine; 2 worker processes share the listening sockets/.test(p.output()), 60_000, `workers started:\n${p.output()}`);
    await until(async () => (await httpGet("127.0.12.1", vipPort)) != null, 30_000, `VIP forwarding:\n${p.output()}`);
    // each worker has its own rr over both real servers: 8 connections reach both
    const got: (string | null)[] = [];
    for (let i = 0; i < 8; i++) got.push(await httpGet("127.0.12.1", vipPort));
    expect(new Set(got)).toEqual(new Set(["b1", "b2"]));
    const children = readdirSync("/proc").filter((d) => /^\d+$/.test(d)).filter((d) => {
      try {
        const stat = readFileSync(`/proc/${d}/stat`, "utf8");
        return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) === p.child.pid && readFileSync(`/proc/${d}/environ`, "utf8").includes("LVS_CLUSTER_WORKER=");
      } catch { return false; }
    });
    expect(children).toHaveLength(2);
    p.child.kill("SIGTERM");
    expect(await p.exited).toBe(0);
    expect(await httpGet("127.0.12.1", vipPort, 300)).toBeNull(); // the workers' sockets went with them
  }, 120_000);

  it("auto picks an engine and says why; revoked: logs 401 plainly, retries with backoff, keeps forwarding, never exits; SIGTERM exits 0", async () => {
    const p = spawnNode([BIN, "--server", s.url, "--engine", "auto", "--state-dir", path.join(dir, "state")], { LVS_AGENT_TOKEN: token });
    procs.push(p);
    const ipvs = existsSync("/proc/net/ip_vs");
    await until(() => /engine (ipvs|userspace): auto: /.test(p.output()), 20_000, `engine choice logged:\n${p.output()}`);
    if (!ipvs) expect(p.output()).toMatch(/engine userspace: auto: the kernel has no IPVS \(\/proc\/net\/ip_vs missing/);
    if (ipvs) return; // forwarding checks below need the userspace engine (loopback VIPs)

    await until(async () => (await httpGet("127.0.12.1", vipPort)) != null, 20_000, `VIP forwarding:\n${p.output()}`);
    expect(new Set(await Promise.all([1, 2, 3, 4].map(() => httpGet("127.0.12.1", vipPort))))).toEqual(new Set(["b1", "b2"]));
    await until(async () => (await s.db.prisma.director.findUniqueOrThrow({ where: { id: directorId } })).online, 5000, "online in the database");

    await new DirectorService({ prisma: s.db.prisma, bus: s.bus, log: s.log }).revoke(directorId);
    await until(() => (p.output().match(/401 unauthorized: token revoked/g) ?? []).length >= 3, 20_000, `three refusals logged:\n${p.output()}`);
    const out = p.output();
    expect(out).toMatch(/ERROR control plane refused the agent: 401 unauthorized: token revoked/);
    // delays after refusals grow (equal jitter: attempt n waits within [cap/2, cap], cap = 500 ms × 2^n)
    const delays = [...out.slice(out.indexOf("token revoked")).matchAll(/reconnecting in (\d+) ms \(attempt (\d+)\)/g)].map((m) => ({ ms: Number(m[1]), attempt: Number(m[2]) }));
    expect(delays.length).toBeGreaterThanOrEqual(3);
    for (const d of delays) {
      const cap = Math.min(30_000, 500 * 2 ** (d.attempt - 1));
      expect(d.ms).toBeGreaterThanOrEqual(cap / 2);
      expect(d.ms).toBeLessThanOrEqual(cap);
    }
    expect(delays.at(-1)!.attempt).toBeGreaterThan(delays[0]!.attempt);
    // still forwarding its last table, still running
    for (let i = 0; i < 4; i++) expect(await httpGet("127.0.12.1", vipPort)).toMatch(/^b[12]$/);
    expect(p.child.exitCode).toBeNull();

    p.child.kill("SIGTERM");
    expect(await p.exited).toBe(0);
    expect(p.output()).toMatch(/SIGTERM: stopping \(the userspace engine stops forwarding\)/);
    expect(await httpGet("127.0.12.1", vipPort, 300)).toBeNull(); // the userspace engine's sockets went with it
  }, 90_000);
});
