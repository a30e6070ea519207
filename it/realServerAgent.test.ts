/**
 * The real-server role as a real process (`bin/lvs-agent.mjs --role realserver`) against a running
 * control plane (startServer, PGlite, this process), over the real agent link. The host is the
 * in-memory fake (LVS_AGENT_TEST_FAKE_HOST=1): the kernel lab (`npm run lab:modes`) proves the real
 * system; this proves enrollment, desired settings, reports stored per real server, and the
 * audited "prepare" action with its role check, end to end across processes.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { startServer, type RunningServer } from "../server/app.ts";
import { loadEnv } from "../server/env.ts";
import { createAgentPlugin } from "../server/agentPlugin.ts";
import { appRouter } from "../server/api/root.ts";
import { createCallerFactory } from "../server/api/trpc.ts";
import { testSession } from "../server/api/testFixtures.ts";
import { modesTopology } from "../lvs/realServer/testing.ts";
import { spawnNode, until, type Proc } from "./helpers.ts";
import { runAgent } from "../agent/runAgent.ts";
import { FakeEngine } from "../agent/fakeEngine.ts";
import { memoryLog } from "../agent/log.ts";
import { FakeRealServerSystem } from "../agent/realserver/fakeRealServerSystem.ts";
import { applyRevision } from "../server/services/deploy/applyRevision.ts";

const createCaller = createCallerFactory(appRouter);

describe("lvs-agent --role realserver against a running control plane", () => {
  let s: RunningServer;
  let dir: string;
  const procs: Proc[] = [];

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), "rs-agent-"));
    s = await startServer({
      env: loadEnv({ DATABASE_URL: "pglite:memory", LOG_LEVEL: "silent", LVS_NEXT: "0", PORT: "0", HOST: "127.0.0.1" }),
      plugins: [createAgentPlugin({ heartbeatMs: 1000 })],
    });
  }, 60_000);

  afterAll(async () => {
    for (const p of procs) if (p.child.exitCode === null) { p.child.kill("SIGKILL"); await p.exited; }
    await s?.close().catch(() => {});
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  }, 30_000);

  it("enrolls, reports failing checks (on-request), prepares on an operator's request (audited), refuses a viewer and a director token", async () => {
    const ctx = { db: s.db, bus: s.bus, log: s.log, ip: null, now: Date.now };
    const admin = createCaller({ ...ctx, session: await testSession(s.db, "admin") });
    const operator = createCaller({ ...ctx, session: await testSession(s.db, "operator") });
    const viewer = createCaller({ ...ctx, session: await testSession(s.db, "viewer") });
    const t = await admin.topology.create({ name: "rs-agent" });
    const saved = await admin.topology.save({ id: t.id, expectedRevision: t.revision, document: modesTopology(), message: "" });
    const { agent, token } = await admin.realServer.enroll({ topologyId: t.id, key: "rdr" });
    expect(token).toMatch(/^lvsr_/);
    await expect(admin.realServer.enroll({ topologyId: t.id, key: "rdr" })).rejects.toThrow(/already has an agent/);
    await expect(admin.realServer.enroll({ topologyId: t.id, key: "nope" })).rejects.toThrow(/no real server "nope"/);

    // a director's token is refused by the real-server role before it connects
    const wrong = spawnNode(["bin/lvs-agent.mjs", "--role", "realserver", "--server", s.url, "--token", "lvsa_" + "x".repeat(43)], {});
    expect(await wrong.exited).toBe(2);
    expect(wrong.output()).toMatch(/a real server's token starts with lvsr_/);

    const p = spawnNode(["bin/lvs-agent.mjs", "--role", "realserver", "--server", s.url, "--apply", "on-request", "--state-dir", path.join(dir, "state")],
      { LVS_AGENT_TOKEN: token, LVS_AGENT_TEST_FAKE_HOST: "1" });
    procs.push(p);
    await until(async () => (await admin.realServer.agents({ topologyId: t.id }))[0]?.report != null, 30_000, `first report:\n${p.output()}`);
    expect(p.output()).toMatch(/IN-MEMORY FAKE/);
    const [first] = await admin.realServer.agents({ topologyId: t.id });
    expect(first).toMatchObject({ id: agent.id, online: true, applyPolicy: "on-request", sentRevision: saved.revision });
    expect(first!.report!.kind).toBe("verify");
    const vip = first!.report!.checks.find((c) => c.id === "address lo 10.0.0.100/32");
    expect(vip).toMatchObject({ ok: false, observed: "absent", memberships: ["m-dr"] });

    await expect(viewer.realServer.prepare({ id: agent.id })).rejects.toThrow(/operator/);
    const r = await operator.realServer.prepare({ id: agent.id });
    expect(r.report).not.toBeNull();
    expect(r.report!.kind).toBe("apply");
    expect(r.report!.checks.every((c) => c.ok)).toBe(true);
    expect(r.report!.changes).toContain("addr add 10.0.0.100/32 dev lo");
    const [after] = await admin.realServer.agents({ topologyId: t.id });
    expect(after!.report!.requestId).toBe(r.requestId);
    const audit = await s.db.prisma.auditEvent.findMany({ where: { action: "realServer.prepare" }, orderBy: { at: "asc" } });
    expect(audit.map((a) => a.outcome)).toEqual(["denied", "success"]);

    // a new revision that drops the DR membership: the agent is sent settings without the VIP
    const doc = modesTopology();
    doc.memberships = doc.memberships.filter((m) => m.id !== "m-dr");
    await admin.topology.save({ id: t.id, expectedRevision: saved.revision, document: doc, message: "" });
    await until(async () => (await admin.realServer.agents({ topologyId: t.id }))[0]?.sentRevision === saved.revision + 1, 20_000, "the new revision sent");

    await admin.realServer.revokeToken({ id: agent.id });
    await until(() => /401 unauthorized: token revoked/.test(p.output()), 20_000, `revoked:\n${p.output()}`);
    p.child.kill("SIGTERM");
    expect(await p.exited).toBe(0);
  }, 120_000);

  it("a director agent reports its prerequisites over the link (ip_forward off for NAT named), stored and listed", async () => {
    const ctx = { db: s.db, bus: s.bus, log: s.log, ip: null, now: Date.now };
    const admin = createCaller({ ...ctx, session: await testSession(s.db, "admin") });
    const t = await admin.topology.create({ name: "prereq" });
    await admin.topology.save({ id: t.id, expectedRevision: t.revision, document: { ...modesTopology(), name: "prereq" }, message: "" });
    const { director, token } = await admin.director.create({ topologyId: t.id, key: "d1" });
    await applyRevision({ db: s.db, bus: s.bus, log: s.log }, { topologyId: t.id, waitMs: 0, actor: { actor: "prereq-test" } });
    const host = new FakeRealServerSystem();
    host.addresses.push({ iface: "eth0", address: "10.0.0.1", prefix: 24 }, { iface: "eth1", address: "10.0.1.1", prefix: 24 });
    host.modules.add("ip_vs").add("ip_vs_rr").add("ip_vs_wlc");
    host.sysctls["net.ipv4.ip_forward"] = "0";
    const running = await runAgent({
      server: s.url, token, engine: new FakeEngine(), stateDir: path.join(dir, "director"), log: memoryLog(), resyncIntervalMs: 0,
      observeHost: (keys) => host.observe(keys),
    });
    try {
      await until(async () => (await admin.director.list({ topologyId: t.id })).find((d) => d.id === director.id)?.prerequisites != null, 30_000, "prerequisites stored");
      const [d] = (await admin.director.list({ topologyId: t.id })).filter((x) => x.id === director.id);
      const failing = d!.prerequisites!.checks.filter((c) => !c.ok).map((c) => c.id);
      expect(failing).toContain("sysctl net.ipv4.ip_forward");
      expect(failing).toContain("address * 10.0.0.100/32"); // the VIP it serves alone is not on the host
      expect(d!.prerequisites!.checks.find((c) => c.id === "module ip_vs")?.ok).toBe(true);
      expect(host.changes).toEqual([]);
    } finally {
      await running.stop();
    }
  }, 90_000);
});
