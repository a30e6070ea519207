/**
 * The first-start demo on a real server (PGlite in memory, no Next): seeded on an empty database,
 * applied through the deploy service, served by the real lvs-agent as a child process (userspace engine) with
 * real loopback backends, and the traffic generator's requests show up as live statistics (all
 * three HTTP real servers and the UDP service) within seconds. A database holding other
 * topologies is left alone.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, readFileSync } from "node:fs";
import fs from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { startServer, type RunningServer } from "../server/app.ts";
import { loadEnv } from "../server/env.ts";
import { TopologyService } from "../server/services/topologyService.ts";
import { ensureDemo, startDemo, type RunningDemo } from "../server/demo/startDemo.ts";
import { AGENT_BIN } from "../server/demo/demoAgent.ts";
import { DEMO } from "../server/demo/demoTopology.ts";
import { serviceKeyString } from "../lvs/tableKey.ts";

describe("first-start demo", () => {
  let s: RunningServer;
  let demo: RunningDemo | null = null;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "demo-"));
    s = await startServer({ env: loadEnv({ DATABASE_URL: "pglite:memory", LOG_LEVEL: "silent", LVS_NEXT: "0" }), port: 0, host: "127.0.0.1" });
  }, 60_000);
  afterAll(async () => {
    await demo?.close();
    await s?.close();
    await fs.rm(dataDir, { recursive: true, force: true });
  }, 30_000);

  it("seeds an empty database and shows real traffic on every real server within seconds, on free addresses when another program holds the classic ones", async () => {
    // another console (or anything) holds the classic demo VIP: the demo must pick a free block, not silently stay off
    const holder = net.createServer();
    const held = await new Promise<boolean>((r) => { holder.once("error", () => r(false)); holder.listen(8080, "127.0.100.1", () => r(true)); });
    try {
      demo = await startDemo(s, { dataDir, log: s.log });
    } finally {
      await new Promise((r) => holder.close(r));
    }
    expect(demo).not.toBeNull();
    const d = demo!;
    if (held) expect(d.addresses.http.vip).not.toBe("127.0.100.1");
    // the overview's recent events say what the demo is (audit row demo.start)
    const started = await s.db.prisma.auditEvent.findFirst({ where: { action: "demo.start" }, orderBy: { id: "desc" } });
    expect(started).toMatchObject({ outcome: "success", diff: { http: `${d.addresses.http.vip}:${d.addresses.http.port}` } });
    const topo = await s.db.prisma.topology.findUniqueOrThrow({ where: { id: d.topologyId } });
    expect(topo.name).toBe(DEMO.topologyName);
    const httpKey = serviceKeyString({ protocol: "tcp", family: "inet", address: demo!.addresses.http.vip, port: demo!.addresses.http.port });
    const udpKey = serviceKeyString({ protocol: "udp", family: "inet", address: demo!.addresses.udp.vip, port: demo!.addresses.udp.port });
    const svc = (k: string) => s.live.store.latest(d.directorId)?.services.find((x) => serviceKeyString(x.key) === k);
    await expect.poll(() => {
      const web = svc(httpKey);
      const udp = svc(udpKey);
      return !!web && web.destinations.length === 3 && web.destinations.every((x) => x.counters.conns > 0) && web.rates.cps > 0 && web.destinations.some((x) => x.activeConns > 0) && !!udp && udp.counters.inPkts > 0;
    }, { timeout: 60_000, interval: 250 }).toBe(true);
    // through a real agent process, enrolled like any director
    const pid = d.agent.pid();
    expect(pid).not.toBeNull();
    expect(pid).not.toBe(process.pid);
    expect(readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0")).toContain(AGENT_BIN);
    // the generator's successful requests are what the engine counted (within the in-flight ones)
    const web = svc(httpKey)!;
    expect(d.traffic.stats.httpOk).toBeGreaterThan(0);
    expect(web.counters.conns).toBeLessThanOrEqual(d.traffic.stats.httpSent);
    expect(web.counters.conns).toBeGreaterThanOrEqual(d.traffic.stats.httpOk - 40);
    expect(d.traffic.stats.udpReplies).toBeGreaterThan(0);
    // the revision reached the agent through apply, and the table matches the demo
    const director = await s.db.prisma.director.findUniqueOrThrow({ where: { id: d.directorId } });
    expect(director.online).toBe(true);
    expect(director.appliedRevision).toBe(topo.revision);
  }, 90_000);

  it("the connection table comes from the agent on demand, paged and filtered (like ipvsadm -Lnc)", async () => {
    const d = demo!;
    const udp = await s.live.connections({ directorId: d.directorId, offset: 0, limit: 100, virtual: `${demo!.addresses.udp.vip}:${demo!.addresses.udp.port}` });
    expect(udp.error).toBeNull();
    expect(udp.total).toBeGreaterThan(0);
    expect(udp.entries.every((e) => e.virtual.address === demo!.addresses.udp.vip && e.protocol === "udp")).toBe(true);
    expect(udp.entries.every((e) => (demo!.addresses.udpClients as readonly string[]).includes(e.client.address))).toBe(true);
    const one = demo!.addresses.udpClients[1]!;
    const byClient = await s.live.connections({ directorId: d.directorId, offset: 0, limit: 100, client: `${one}:` });
    expect(byClient.entries.length).toBeGreaterThan(0);
    expect(byClient.entries.every((e) => e.client.address === one)).toBe(true);
    // source hashing: one client address always lands on the same real server
    expect(new Set(byClient.entries.filter((e) => e.protocol === "udp").map((e) => e.destination.address)).size).toBe(1);
    const page = await s.live.connections({ directorId: d.directorId, offset: 1, limit: 1 });
    expect(page.entries.length).toBeLessThanOrEqual(1);
    expect(page.total).toBeGreaterThanOrEqual(udp.total);
  });

  it("health: every checked real server is up in /metrics; a killed backend goes down within the check window and its traffic moves to the others", async () => {
    const d = demo!;
    const metricsText = async () => (await fetch(`${s.url}/metrics`)).text();
    const up = (text: string, addr: string) => new RegExp(`^lvs_backend_health_up\\{[^}]*remote_address="${addr.replace(/\./g, "\\.")}"[^}]*\\} (\\d)$`, "m").exec(text)?.[1];
    const text = await metricsText();
    for (const a of [...demo!.addresses.http.backends, ...demo!.addresses.udp.backends]) expect(up(text, a)).toBe("1");
    const httpKey = serviceKeyString({ protocol: "tcp", family: "inet", address: demo!.addresses.http.vip, port: demo!.addresses.http.port });
    const conns = (addr: string) => s.live.store.latest(d.directorId)!.services.find((x) => serviceKeyString(x.key) === httpKey)!.destinations.find((x) => x.address === addr)!.counters.conns;
    const victim = demo!.addresses.http.backends[1]!;
    const killedAt = Date.now();
    await d.backends.stopHttp(victim);
    // fall 2 x interval 1 s (+ timeout 0.5 s) and one stats period
    await expect.poll(async () => up(await metricsText(), victim), { timeout: 8000, interval: 200 }).toBe("0");
    expect(Date.now() - killedAt).toBeLessThan(8000);
    const snap = await s.live.snapshot({ topologyId: d.topologyId });
    expect(snap[0]!.health.find((h) => h.address === victim)).toMatchObject({ state: "down" });
    // quiesced (weight 0): no new connections to it, the others keep taking them
    await new Promise((r) => setTimeout(r, 1500));
    const before = { victim: conns(victim), other: conns(demo!.addresses.http.backends[0]!) };
    await new Promise((r) => setTimeout(r, 2500));
    expect(conns(victim)).toBe(before.victim);
    expect(conns(demo!.addresses.http.backends[0]!)).toBeGreaterThan(before.other);
  }, 30_000);

  it("a killed agent process is restarted and statistics flow again; close() leaves no process behind", async () => {
    const d = demo!;
    const first = d.agent.pid()!;
    process.kill(first, "SIGKILL");
    await expect.poll(() => d.agent.starts(), { timeout: 10_000, interval: 100 }).toBe(2);
    const killedAt = Date.now();
    await expect.poll(() => (s.live.store.latest(d.directorId)?.at ?? 0) > killedAt, { timeout: 60_000, interval: 250 }).toBe(true);
    const second = d.agent.pid()!;
    expect(second).not.toBe(first);
    await d.agent.stop();
    expect(existsSync(`/proc/${second}`)).toBe(false);
    expect(existsSync(path.join(dataDir, "demo", "agent", "agent.pid"))).toBe(false);
  }, 90_000);

  it("finds the demo again from its state file; leaves a database with other topologies alone", async () => {
    const stateFile = path.join(dataDir, "demo", "state.json");
    const again = await ensureDemo(s, stateFile);
    expect(again?.topologyId).toBe(demo!.topologyId);
    const other = new TopologyService({ prisma: s.db.prisma, bus: s.bus, log: s.log });
    await other.create("someone else's", null);
    expect(await ensureDemo(s, path.join(dataDir, "no-demo", "state.json"))).toBeNull();
    expect(await s.db.prisma.topology.count()).toBe(2);
  });
});
