/**
 * Control plane (startServer, no Next, PGlite in memory) + agent (userspace engine, in process) +
 * real HTTP backends, all on loopback. Proves the agent's promises in order:
 * topology change → forwarding within a second; stats → control plane; backend death → quiesced
 * within the fall count and back after rise, with transitions stored; revoke → disconnected and
 * logged; control plane killed → traffic keeps flowing; agent restarted with no control plane →
 * forwarding restored from the state dir.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
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
import { runAgent, type RunningAgent } from "../agent/runAgent.ts";
import { UserspaceEngine } from "../agent/engines/userspace/userspaceEngine.ts";
import { defaultCheckers } from "../agent/health/checkers.ts";
import { memoryLog } from "../agent/log.ts";
import type { Topology } from "../lvs/model.ts";
import { until, freePort, httpGet } from "./helpers.ts";

function backend(address: string, name: string): Promise<http.Server> {
  const s = http.createServer((_q, res) => res.end(name));
  return new Promise((r) => s.listen(0, address, () => r(s)));
}

const tryGet = (a: string, p: number) => httpGet(a, p, 500);

const check = { kind: "tcp" as const, port: null, intervalMs: 200, timeoutMs: 150, rise: 2, fall: 3, onFailure: "quiesce" as const };

function topology(vipPort: number, b1: number, b2: number, extra?: { vip2Port: number }): Topology {
  const svc = (id: string, address: string, port: number) => ({
    id, protocol: "tcp" as const, family: "inet" as const, address, port, fwmark: null, scheduler: "rr", flags: [],
    persistence: null, persistenceEngine: null, onePacket: false, description: "", directorIds: ["d1"],
    healthCheck: check, sorryServer: null, proxyProtocol: false,
  });
  const host = { loopbackVips: [], tunnelVips: [], arpSuppressed: false, gateway: null };
  const m = (id: string, serviceId: string, realServerId: string) => ({
    id, serviceId, realServerId, method: "nat" as const, weight: 1, upperThreshold: 0, lowerThreshold: 0, tunnel: null, state: "active" as const, healthCheck: null,
  });
  return {
    name: "e2e",
    directors: [{ id: "d1", name: "lvs-e2e", managementAddress: null, interfaces: [], engine: "userspace" }],
    services: [svc("vs1", "127.0.10.1", vipPort), ...(extra ? [svc("vs2", "127.0.10.2", extra.vip2Port)] : [])],
    realServers: [
      { id: "rs1", name: "b1", address: "127.0.20.1", port: b1, host },
      { id: "rs2", name: "b2", address: "127.0.20.2", port: b2, host },
    ],
    memberships: [m("m1", "vs1", "rs1"), m("m2", "vs1", "rs2"), ...(extra ? [m("m3", "vs2", "rs2")] : [])],
    layout: {},
  };
}

describe("control plane + agent (userspace engine) + real backends on loopback", () => {
  let s: RunningServer;
  let agent: RunningAgent;
  let engine: UserspaceEngine;
  let stateDir: string;
  let b1: http.Server;
  let b2: http.Server;
  let b1Port: number;
  let b2Port: number;
  let vipPort: number;
  let topologyId: string;
  let revision: number;
  let directorId: string;
  let token: string;
  const log = memoryLog();
  const topo = () => new TopologyService({ prisma: s.db.prisma, bus: s.bus, log: s.log });
  const directors = () => new DirectorService({ prisma: s.db.prisma, bus: s.bus, log: s.log });

  beforeAll(async () => {
    stateDir = await fs.mkdtemp(path.join(os.tmpdir(), "agent-e2e-"));
    b1 = await backend("127.0.20.1", "b1");
    b2 = await backend("127.0.20.2", "b2");
    b1Port = (b1.address() as AddressInfo).port;
    b2Port = (b2.address() as AddressInfo).port;
    vipPort = await freePort("127.0.10.1");
    s = await startServer({
      env: loadEnv({ DATABASE_URL: "pglite:memory", LOG_LEVEL: "silent", LVS_NEXT: "0", PORT: "0", HOST: "127.0.0.1" }),
      plugins: [createAgentPlugin({ heartbeatMs: 500 })],
    });
    const t = await topo().create("e2e", null);
    topologyId = t.id;
    const saved = await topo().save({ id: t.id, expectedRevision: t.revision, document: topology(vipPort, b1Port, b2Port), message: "first", author: null });
    revision = saved.revision;
    const enrolled = await directors().create({ topologyId, key: "d1" });
    directorId = enrolled.director.id;
    token = enrolled.token;
    // saving is not applying: the first revision reaches the agent because it is applied
    await applyRevision({ db: s.db, bus: s.bus, log: s.log }, { topologyId, waitMs: 0, actor: { actor: "test" } });
    engine = new UserspaceEngine();
    agent = await runAgent({ server: s.url, token, engine, stateDir, log, backoff: { initialMs: 100, maxMs: 400 }, checkers: defaultCheckers });
  }, 60_000);

  afterAll(async () => {
    await agent?.stop();
    await engine?.close();
    await s?.close().catch(() => {});
    b1?.closeAllConnections();
    b2?.closeAllConnections();
    await new Promise((r) => b1?.close(r));
    await new Promise((r) => b2?.close(r));
    if (stateDir) await fs.rm(stateDir, { recursive: true, force: true });
  }, 30_000);

  const row = () => s.db.prisma.director.findUniqueOrThrow({ where: { id: directorId } });

  it("forwards the saved topology and records the applied revision", async () => {
    await until(async () => (await tryGet("127.0.10.1", vipPort)) != null, 10_000, "VIP answering");
    const seen = new Set<string>();
    for (let i = 0; i < 6; i++) seen.add((await httpGet("127.0.10.1", vipPort))!);
    expect(seen).toEqual(new Set(["b1", "b2"]));
    await until(async () => (await row()).appliedRevision === revision, 5000, "appliedRevision in the database");
    const r = await row();
    expect(r.online).toBe(true);
    expect(r.reportedTable).toMatchObject({ services: [{ address: "127.0.10.1", port: vipPort }] });
  });

  it("a saved change reaches forwarding only when applied, within a second", async () => {
    const vip2Port = await freePort("127.0.10.2");
    const saved = await topo().save({ id: topologyId, expectedRevision: revision, document: topology(vipPort, b1Port, b2Port, { vip2Port }), message: "vip2", author: null });
    revision = saved.revision;
    // a save alone changes nothing on the director
    await new Promise((r) => setTimeout(r, 150));
    expect(await tryGet("127.0.10.2", vip2Port)).toBeNull();
    expect((await row()).targetRevision).toBe(revision - 1);
    // the clock starts at the apply: saving deliberately pushes nothing
    const t0 = Date.now();
    const rollout = await applyRevision({ db: s.db, bus: s.bus, log: s.log }, { topologyId, actor: { actor: "test" }, waitMs: 5000 });
    expect(rollout).toMatchObject({ status: "succeeded", revision, results: [{ key: "d1", status: "applied", appliedRevision: revision, errors: [] }] });
    await until(async () => (await tryGet("127.0.10.2", vip2Port)) === "b2", 2000, "new VIP forwarding");
    console.log(`apply -> forwarding on the new VIP: ${Date.now() - t0} ms`);
    expect(Date.now() - t0).toBeLessThan(1000);
  });

  it("statistics reach the control plane", async () => {
    const reports: number[] = [];
    const off = s.bus.subscribe("agent.report", (e) => { if (e.directorId === directorId) reports.push(e.at); });
    await until(() => reports.length >= 2, 3000, "two agent.report events");
    off();
    const lastSeen = (await row()).lastSeenAt!;
    expect(Date.now() - lastSeen.getTime()).toBeLessThan(10_000);
  });

  it("a dead backend is quiesced within the fall count and restored after rise; transitions are stored", async () => {
    const weightOf = async (addr: string) => (await engine.read()).services.find((x) => x.protocol === "tcp" && x.port === vipPort)!.destinations.find((d) => d.address === addr)!.weight;
    b1.closeAllConnections();
    await new Promise((r) => b1.close(r));
    const down0 = Date.now();
    await until(async () => (await weightOf("127.0.20.1")) === 0, 3000, "b1 quiesced");
    // fall 3 × interval 200 ms (+ first probe, + scheduling): well under 3 intervals' slack
    expect(Date.now() - down0).toBeLessThan(check.fall * check.intervalMs + 3 * check.intervalMs);
    for (let i = 0; i < 4; i++) expect(await httpGet("127.0.10.1", vipPort)).toBe("b2");
    b1 = await new Promise<http.Server>((r) => { const x = http.createServer((_q, res) => res.end("b1")); x.listen(b1Port, "127.0.20.1", () => r(x)); });
    await until(async () => (await weightOf("127.0.20.1")) === 1, 3000, "b1 restored after rise");
    await until(async () => (await s.db.prisma.healthTransition.count({ where: { directorId } })) >= 2, 3000, "transitions stored");
    const rows = await s.db.prisma.healthTransition.findMany({ where: { directorId }, orderBy: { at: "asc" } });
    expect(rows.map((x) => [x.rip, x.port, x.from, x.to])).toEqual([["127.0.20.1", b1Port, "up", "down"], ["127.0.20.1", b1Port, "down", "up"]]);
    expect(rows[1]!.at.getTime()).toBeGreaterThan(rows[0]!.at.getTime());
  });

  it("revoking the token disconnects the agent at once; it says so and keeps forwarding", async () => {
    await directors().revoke(directorId);
    await until(() => log.lines.some((l) => l.includes("token revoked")), 1000, "revocation in the agent log");
    await until(() => log.lines.some((l) => l.includes("401 unauthorized: token revoked")), 3000, "refused on reconnect");
    expect(agent.link.connected).toBe(false);
    expect(await httpGet("127.0.10.1", vipPort)).toMatch(/^b[12]$/);
    // a fresh token brings it back
    const rotated = await directors().rotate(directorId);
    token = rotated.token;
  });

  it("killing the control plane leaves traffic flowing; a restarted agent restores forwarding from its state dir", async () => {
    await s.close();
    for (let i = 0; i < 4; i++) expect(await httpGet("127.0.10.1", vipPort)).toMatch(/^b[12]$/);
    await agent.stop();
    await engine.close();
    expect(await tryGet("127.0.10.1", vipPort)).toBeNull();
    engine = new UserspaceEngine();
    const log2 = memoryLog();
    agent = await runAgent({ server: s.url, token, engine, stateDir, log: log2, backoff: { initialMs: 100, maxMs: 400 }, checkers: defaultCheckers });
    expect(log2.lines.join("\n")).toMatch(/restored revision \d+/);
    const seen = new Set<string>();
    for (let i = 0; i < 6; i++) seen.add((await httpGet("127.0.10.1", vipPort))!);
    expect(seen).toEqual(new Set(["b1", "b2"]));
    await until(() => log2.lines.some((l) => l.includes("ECONNREFUSED") || l.includes("link closed")), 3000, "agent notices no control plane");
  });
});
