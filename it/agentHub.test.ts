import { afterEach, beforeEach, describe, expect, it } from "vitest";
import http from "node:http";
import { isDeepStrictEqual } from "node:util";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { AddressInfo } from "node:net";
import WebSocket from "ws";
import { pino } from "pino";
import { AgentHub, MAX_BACKLOG, type DesiredState } from "../server/realtime/agentHub.ts";
import type { AgentEvent } from "../server/realtime/agentEvents.ts";
import { MemoryAgentDirectory } from "./memoryAgentDirectory.ts";
import { MemoryEventBus } from "../server/events/MemoryEventBus.ts";
import { runAgent, type RunningAgent } from "../agent/runAgent.ts";
import { FakeEngine } from "../agent/fakeEngine.ts";
import { memoryLog } from "../agent/log.ts";
import { dest, tcpCheck, tcpService } from "../agent/testing/fixtures.ts";
import { until } from "./helpers.ts";
import { fieldsBody, type StatsFieldsBody } from "../lvs/stats/statsFields.ts";
import { IpvsEngine } from "../agent/engines/ipvs/ipvsEngine.ts";
import { FAKE_HELPER, FakeNetlinkHelper } from "../agent/engines/ipvs/fakeNetlinkHelper.ts";
import { startAnswerServer } from "../agent/engines/ipvs/answerServer.ts";
import { buildIpvsHelper } from "../agent/engines/ipvs/native/buildHelper.ts";
import { serviceKeyString } from "../lvs/tableKey.ts";

const silent = pino({ level: "silent" });

describe("AgentHub over loopback", () => {
  let server: http.Server;
  let hub: AgentHub;
  let bus: MemoryEventBus;
  let directory: MemoryAgentDirectory;
  let url: string;
  let stateDir: string;
  let desiredByDirector: Map<string, DesiredState>;
  const hubLog: string[] = [];
  const agents: RunningAgent[] = [];

  async function start(maxPayload?: number) {
    bus = new MemoryEventBus(silent);
    hub = new AgentHub({
      directory, bus, desiredFor: async (id) => desiredByDirector.get(id) ?? null,
      log: { info: (o, m) => hubLog.push(`info ${m} ${JSON.stringify(o)}`), warn: (o, m) => hubLog.push(`warn ${m} ${JSON.stringify(o)}`) },
      heartbeatMs: 200, ...(maxPayload ? { maxPayload } : {}),
      install: { serves: () => "0.1.0+gabcdefabcdef", publicUrl: "https://lvs.example.com" },
    });
    directory.watch(hub);
    server = http.createServer((_q, s) => s.end());
    server.on("upgrade", (req, socket, head) => {
      if (req.url === "/api/agent") hub.handleUpgrade(req, socket, head);
      else socket.destroy();
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  beforeEach(async () => {
    directory = new MemoryAgentDirectory();
    desiredByDirector = new Map();
    hubLog.length = 0;
    stateDir = await fs.mkdtemp(path.join(os.tmpdir(), "hub-test-"));
    await start();
  });
  afterEach(async () => {
    for (const a of agents.splice(0)) await a.stop();
    await hub.close();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    await fs.rm(stateDir, { recursive: true, force: true });
  });

  async function agent(token: string, engine = new FakeEngine()) {
    const log = memoryLog();
    const a = await runAgent({ server: url, token, engine, stateDir, log, backoff: { initialMs: 50, maxMs: 200 }, random: () => 0.5, checkers: {} });
    agents.push(a);
    return { ...a, log, engine };
  }

  /** A hand-driven agent connection, open, each message from the hub kept in `got`; `hello` says hello. */
  async function rawAgent(token: string) {
    const ws = new WebSocket(url.replace("http", "ws") + "/api/agent", { headers: { authorization: `Bearer ${token}` } });
    const got: Array<{ type: string; features?: string[]; reason?: string }> = [];
    ws.on("message", (d) => got.push(JSON.parse(d.toString())));
    await new Promise<void>((resolve, reject) => { ws.on("open", () => resolve()); ws.on("error", reject); });
    const hello = (appliedRevision: number | null = null) =>
      ws.send(JSON.stringify({ v: 1, type: "hello", agentVersion: "t", engine: "fake", hostname: "h", appliedRevision, table: { services: [] } }));
    return { ws, got, hello };
  }

  /** a service's figures as a stats frame carries them: `conns` connections, everything else 0, no real servers */
  const serviceStats = (family: "inet" | "inet6", address: string, conns: number) => ({
    key: { protocol: "tcp", family, address, port: 80 },
    counters: { conns, inPkts: 0, outPkts: 0, inBytes: 0, outBytes: 0 },
    rates: { cps: 0, inPps: 0, outPps: 0, inBps: 0, outBps: 0 },
    destinations: [],
  });

  const t1 = { services: [tcpService("10.0.0.1", 80, [dest("192.168.1.1", 80)])] };
  const t2 = { services: [tcpService("10.0.0.1", 80, [dest("192.168.1.1", 80), dest("192.168.1.2", 80, 3)])] };
  const noHealth = { targets: [], sorryServers: [] };

  it("authenticates, sends the desired table, records the ack and pushes changes within a second", async () => {
    const token = directory.add("d1", "director-1");
    desiredByDirector.set("d1", { revision: 1, table: t1, health: noHealth });
    const a = await agent(token);
    await until(() => directory.rows.get("d1")!.appliedRevision === 1, 3000, "revision 1 applied");
    expect(a.engine.table).toEqual(t1);
    expect(directory.rows.get("d1")!.online).toBe(true);

    desiredByDirector.set("d1", { revision: 2, table: t2, health: noHealth });
    const t0 = Date.now();
    await bus.publish("topology.saved", { topologyId: "t1", revision: 2, author: null, at: t0 });
    await until(() => isDeepStrictEqual(a.engine.table, t2), 1000, "revision 2 in the engine");
    expect(Date.now() - t0).toBeLessThan(1000);
    await until(() => directory.rows.get("d1")!.appliedRevision === 2, 1000, "ack of revision 2");
    // a stats frame of revision 1 may still arrive after the ack of revision 2: wait for one of revision 2
    await until(() => directory.latestStats("d1")?.services[0]?.destinations.length === 2, 2500, "stats of revision 2");
  });

  it("emits typed agent events in link order: connected, hello, applied, stats, then gone (a throwing listener harms nothing)", async () => {
    const token = directory.add("d1", "director-1");
    desiredByDirector.set("d1", { revision: 1, table: t1, health: noHealth });
    const seen: AgentEvent[] = [];
    hub.onAgentEvent(() => { throw new Error("a broken subscriber"); });
    const off = hub.onAgentEvent((e) => seen.push(e));
    const a = await agent(token);
    await until(() => seen.some((e) => e.type === "stats"), 5000, "a stats event");
    const types = seen.map((e) => e.type);
    expect(types.slice(0, 2)).toEqual(["connected", "hello"]);
    expect(types.indexOf("applied")).toBeGreaterThan(1);
    const applied = seen.find((e) => e.type === "applied");
    expect(applied).toMatchObject({ type: "applied", revision: 1, ok: true, appliedRevision: 1, director: { id: "d1", topologyId: "t1", key: "d1", name: "director-1" } });
    expect(seen.every((e) => e.director.id === "d1" && typeof e.at === "number")).toBe(true);
    await hubLogHas("agent event listener failed");
    await a.stop();
    await until(() => seen.at(-1)?.type === "gone", 3000, "gone");
    off();
    expect(directory.rows.get("d1")!.online).toBe(false);
  });

  async function hubLogHas(text: string) {
    await until(() => hubLog.some((l) => l.includes(text)), 2000, text);
  }

  it("refuses a missing or unknown token before any frame, and says why", async () => {
    const a = await agent("lvsa_not-a-real-token-at-all");
    await until(() => a.log.lines.some((l) => l.includes("401 unauthorized: unknown token")), 3000, "refusal log");
    const res = await new Promise<number>((resolve) => {
      const ws = new WebSocket(url.replace("http", "ws") + "/api/agent");
      ws.on("error", () => {});
      ws.on("unexpected-response", (_q, r) => { resolve(r.statusCode ?? 0); ws.terminate(); });
      ws.on("open", () => resolve(101));
    });
    expect(res).toBe(401);
    expect(hubLog.some((l) => l.includes("missing bearer token"))).toBe(true);
  });

  it("disconnects a revoked agent at once; the agent logs it, keeps retrying and keeps forwarding", async () => {
    const token = directory.add("d1");
    desiredByDirector.set("d1", { revision: 1, table: t1, health: noHealth });
    const a = await agent(token);
    await until(() => directory.rows.get("d1")!.appliedRevision === 1, 3000, "applied");
    directory.revoke("d1");
    await bus.publish("director.status", { directorId: "d1", topologyId: "t1", online: false, at: Date.now() });
    await until(() => a.log.lines.some((l) => l.includes("token revoked")), 1000, "revocation logged");
    await until(() => a.log.lines.some((l) => l.includes("401 unauthorized: token revoked")), 2000, "reconnect refused");
    await until(() => a.log.lines.filter((l) => l.includes("401 unauthorized: token revoked")).length >= 2, 2000, "keeps retrying");
    expect(hub.connectedDirectors()).toEqual([]);
    expect(a.engine.table).toEqual(t1);
  });

  it("closes a connection sending bad messages, with a logged reason, and keeps serving others", async () => {
    const good = directory.add("good");
    const badToken = directory.add("bad");
    desiredByDirector.set("good", { revision: 1, table: t1, health: noHealth });
    const g = await agent(good);
    await until(() => directory.rows.get("good")!.appliedRevision === 1, 3000, "good applied");

    const cases: Array<[string, (ws: WebSocket) => void, number]> = [
      ["unknown type", (ws) => ws.send(JSON.stringify({ v: 1, type: "nope" })), 4400],
      ["wrong schema", (ws) => ws.send(JSON.stringify({ v: 1, type: "heartbeat", at: "soon" })), 4400],
      ["not json", (ws) => ws.send("{"), 4400],
      ["binary", (ws) => ws.send(Buffer.from([1, 2, 3])), 4400],
      ["oversize", (ws) => ws.send("x".repeat(17 * 1024 * 1024)), 1009],
    ];
    for (const [name, act, code] of cases) {
      const closed = await new Promise<number>((resolve, reject) => {
        const ws = new WebSocket(url.replace("http", "ws") + "/api/agent", { headers: { authorization: `Bearer ${badToken}` } });
        ws.on("open", () => act(ws));
        ws.on("close", (c) => resolve(c));
        ws.on("error", () => {});
        setTimeout(() => reject(new Error(`${name}: not closed`)), 5000);
      });
      expect(closed, name).toBe(code);
    }
    expect(hubLog.filter((l) => l.startsWith("warn bad agent message")).length).toBe(4);
    expect(hubLog.some((l) => /Max payload size exceeded/i.test(l))).toBe(true);
    // the good agent is still served
    desiredByDirector.set("good", { revision: 2, table: t2, health: noHealth });
    await bus.publish("topology.saved", { topologyId: "t1", revision: 2, author: null, at: Date.now() });
    await until(() => isDeepStrictEqual(g.engine.table, t2), 1000, "good still served");
  }, 30000);

  it("connects even when building hello is slower than the first stats tick and 3 heartbeats (nothing but hello before welcome)", async () => {
    const token = directory.add("d1");
    desiredByDirector.set("d1", { revision: 1, table: t1, health: noHealth });
    // the hub beats every 200 ms: 3 silent heartbeats (600 ms) would close a connection that is
    // past hello, but before hello it waits HELLO_WAIT_MS for the agent to read its table
    class SlowReadEngine extends FakeEngine {
      override async read() {
        await new Promise((r) => setTimeout(r, 1300)); // a big kernel table through ipvsadm -S; stats tick at 1000 ms
        return super.read();
      }
    }
    const a = await agent(token, new SlowReadEngine());
    await until(() => directory.rows.get("d1")!.appliedRevision === 1, 8000, "revision 1 applied");
    expect(hubLog.filter((l) => l.startsWith("warn bad agent message") || l.includes("closing"))).toEqual([]);
    expect(a.log.lines.filter((l) => l.includes("link closed"))).toEqual([]);
  });

  it("handles one connection's frames in order, even when storing an earlier one is slow", async () => {
    const token = directory.add("d1");
    const record = directory.recordReport.bind(directory);
    // storing the first report takes longer than the second: unordered handling would end on revision 1
    directory.recordReport = async (id, r) => {
      if (r.appliedRevision === 1) await new Promise((res) => setTimeout(res, 150));
      return record(id, r);
    };
    const ws = new WebSocket(url.replace("http", "ws") + "/api/agent", { headers: { authorization: `Bearer ${token}` } });
    await new Promise<void>((resolve, reject) => { ws.on("open", () => resolve()); ws.on("error", reject); });
    const ack = (revision: number) => ({
      v: 1, type: "ack", revision, ok: true, outcome: "applied", appliedRevision: revision, ops: [], notes: [], issues: [], table: { services: [] },
    });
    // hello and both acks leave in one burst: the acks must not be refused as "before hello"
    ws.send(JSON.stringify({ v: 1, type: "hello", agentVersion: "t", engine: "fake", hostname: "h", appliedRevision: null, table: { services: [] } }));
    ws.send(JSON.stringify(ack(1)));
    ws.send(JSON.stringify(ack(2)));
    await until(() => directory.rows.get("d1")!.appliedRevision === 2, 2000, "revision 2 recorded");
    await new Promise((r) => setTimeout(r, 250));
    expect(directory.rows.get("d1")!.appliedRevision).toBe(2);
    expect(ws.readyState).toBe(WebSocket.OPEN);
    ws.close();
  });

  it("refuses an agent of another protocol: a frame every version reads says which version to install, the director records it, a compatible agent clears it", async () => {
    const token = directory.add("d1");
    const ws = new WebSocket(url.replace("http", "ws") + "/api/agent", { headers: { authorization: `Bearer ${token}` } });
    await new Promise<void>((resolve, reject) => { ws.on("open", () => resolve()); ws.on("error", reject); });
    const frames: string[] = [];
    ws.on("message", (d) => frames.push(d.toString()));
    const closed = new Promise<{ code: number; reason: string }>((r) => ws.on("close", (code, reason) => r({ code, reason: reason.toString() })));
    // a future agent: protocol 2, a hello this console cannot parse
    ws.send(JSON.stringify({ v: 2, type: "hello", agentVersion: "0.9.0+gfuture", engine: "ebpf", capabilities: ["x"] }));
    const { code, reason } = await closed;
    expect(code).toBe(4426);
    expect(reason).toBe("agent protocol 2 not accepted; console speaks 1");
    expect(frames).toHaveLength(1);
    const refusal = JSON.parse(frames[0]!);
    const message = "lvs-agent 0.9.0+gfuture speaks agent protocol 2; this console accepts protocol 1: install lvs-agent 0.1.0+gabcdefabcdef (protocol 1), "
      + "the version this console serves: curl -fsSL https://lvs.example.com/agent/install.sh | sudo sh -s -- --server https://lvs.example.com";
    expect(refusal).toEqual({ v: 1, type: "error", code: "protocol.incompatible", message });
    await until(() => directory.rows.get("d1")!.refusal != null, 2000, "refusal recorded");
    expect(directory.rows.get("d1")!.refusal).toMatchObject({ agentVersion: "0.9.0+gfuture", agentProtocol: 2, reason: message });
    expect(directory.rows.get("d1")!.online).toBe(false);
    // an agent of protocol 0 is refused the same way
    const old = new WebSocket(url.replace("http", "ws") + "/api/agent", { headers: { authorization: `Bearer ${token}` } });
    await new Promise<void>((resolve, reject) => { old.on("open", () => resolve()); old.on("error", reject); });
    const oldClosed = new Promise<number>((r) => old.on("close", (c) => r(c)));
    old.send(JSON.stringify({ v: 0, type: "hello", agentVersion: "0.0.1" }));
    expect(await oldClosed).toBe(4426);
    // a broken hello of THIS protocol is a bad message, not a version problem
    const broken = new WebSocket(url.replace("http", "ws") + "/api/agent", { headers: { authorization: `Bearer ${token}` } });
    await new Promise<void>((resolve, reject) => { broken.on("open", () => resolve()); broken.on("error", reject); });
    const brokenClosed = new Promise<number>((r) => broken.on("close", (c) => r(c)));
    broken.send(JSON.stringify({ v: 1, type: "hello", agentVersion: 5 }));
    expect(await brokenClosed).toBe(4400);

    const a = await agent(token);
    await until(() => directory.rows.get("d1")!.online && a.link.connected, 3000, "compatible agent online");
    expect(directory.rows.get("d1")!.refusal).toBeNull();
    expect(directory.rows.get("d1")!.agent).toEqual({ version: expect.stringMatching(/^\d+\.\d+\.\d+\+/), protocol: 1, execChecks: [] });
  });

  it("a failed revision is published with the failed operation's error, not a mere warning", async () => {
    const token = directory.add("d1");
    const applied: Array<{ revision: number; outcome: string; message: string | null }> = [];
    bus.subscribe("topology.applied", (e) => { applied.push({ revision: e.revision, outcome: e.outcome, message: e.message }); });
    const ws = new WebSocket(url.replace("http", "ws") + "/api/agent", { headers: { authorization: `Bearer ${token}` } });
    await new Promise<void>((resolve, reject) => { ws.on("open", () => resolve()); ws.on("error", reject); });
    ws.send(JSON.stringify({ v: 1, type: "hello", agentVersion: "t", engine: "fake", hostname: "h", appliedRevision: 2, table: { services: [] } }));
    const warning = { path: "services.0.scheduler", code: "service.scheduler-not-in-all-kernels", severity: "warning", message: "twos exists only in recent kernels" };
    ws.send(JSON.stringify({
      v: 1, type: "ack", revision: 3, ok: false, outcome: "failed", appliedRevision: 2, notes: [], issues: [warning], table: { services: [] },
      ops: [{ op: "-a -t 10.0.0.1:80 -r 10.0.1.1:80 -m -w 1", ok: true }, { op: "-A -t 10.0.0.1:9090 -s twos", ok: false, error: "Memory allocation problem" }],
    }));
    ws.send(JSON.stringify({ v: 1, type: "ack", revision: 4, ok: false, outcome: "refused", appliedRevision: 2, notes: [], ops: [], table: { services: [] }, issues: [warning, { ...warning, severity: "error", path: "services.1.port", message: "port 0 needs persistence" }] }));
    await until(() => applied.length >= 2, 2000, "two outcomes published");
    expect(applied).toEqual([
      { revision: 3, outcome: "failed", message: "-A -t 10.0.0.1:9090 -s twos: Memory allocation problem" },
      { revision: 4, outcome: "failed", message: "services.1.port: port 0 needs persistence" },
    ]);
    expect(directory.rows.get("d1")!.appliedRevision).toBe(2);
    ws.close();
  });

  /** a real agent whose engine gives service 10.0.0.2 traffic each read (conns = reads, its first real server's inPkts = 10 × reads); the others stay */
  async function busyAgent() {
    const token = directory.add("d1", "director-1");
    const table = { services: [tcpService("10.0.0.1", 80, [dest("192.168.1.1", 80)]), tcpService("10.0.0.2", 80, [dest("192.168.1.2", 80), dest("192.168.1.3", 80)]), tcpService("10.0.0.3", 443, [dest("192.168.1.4", 443)])] };
    desiredByDirector.set("d1", { revision: 1, table, health: noHealth });
    const engine = new FakeEngine();
    let tick = 0;
    const plain = engine.stats.bind(engine);
    engine.stats = async () => {
      const snap = await plain();
      tick++;
      const busy = snap.services[1]!;
      busy.counters.conns = tick;
      busy.destinations[0]!.counters.inPkts = 10 * tick;
      return snap;
    };
    const seen: AgentEvent[] = [];
    hub.onAgentEvent((e) => { if (e.type === "stats") seen.push(e); });
    return { a: await agent(token, engine), plain, seen };
  }

  it("feature stats.fields: a real agent sends a full update, then only the figures that changed as differences; the hub merges them into the snapshot a full frame would carry", async () => {
    const { a, plain, seen } = await busyAgent();
    const frames: StatsFieldsBody[] = [];
    const sendFields = a.agent.sendStatsFields;
    a.agent.sendStatsFields = (f) => { frames.push(fieldsBody(f)); return sendFields(f); };
    await until(() => directory.rows.get("d1")!.appliedRevision === 1 && frames.filter((f) => !f.reset && f.fields.length).length >= 2, 6000, "two frames with figures after the table");
    const busySlot = frames.flatMap((f) => f.services).filter((x) => "address" in x.stats.key && x.stats.key.address === "10.0.0.2").at(-1)!.slot;
    const deltas = frames.filter((f) => !f.reset && f.fields.length);
    // only the busy service's changed figures travel: service row conns +1, its first real server's inPkts +10
    for (const f of deltas) {
      expect(f.services).toEqual([]);
      expect(f.fields).toEqual([busySlot, 0, 1 << 3, 1, busySlot, 1, 1 << 4, 10]);
    }
    await until(() => seen.length > 0 && seen.at(-1)!.type === "stats" && (seen.at(-1) as Extract<AgentEvent, { type: "stats" }>).snapshot.services.length === 3, 3000, "a merged snapshot");
    const last = seen.at(-1)!;
    if (last.type !== "stats") throw new Error("no stats event");
    const busy = last.snapshot.services.find((x) => "address" in x.key && x.key.address === "10.0.0.2")!;
    expect(busy.counters.conns).toBeGreaterThan(1);
    expect(busy.destinations.map((x) => x.counters.inPkts)).toEqual([10 * busy.counters.conns, 0]);
    const full = await plain();
    for (const x of full.services.filter((x) => !("address" in x.key && x.key.address === "10.0.0.2"))) expect(last.snapshot.services).toContainEqual(x);
    await a.stop();
  });

  it("feature stats.fields through lvs-ipvs-nl serve: a real agent with the kernel engine keeps the REAL helper running (a listing file for a kernel) and forwards its differences; the hub's snapshot equals a whole listing", async () => {
    const helper = buildIpvsHelper(path.join(os.tmpdir(), "lvs-ipvs-nl-vitest", "lvs-ipvs-nl"));
    const listing = path.join(stateDir, "listing");
    const k = new FakeNetlinkHelper();
    const put = async () => { await fs.writeFile(`${listing}.tmp`, k["statsText"]() as string); await fs.rename(`${listing}.tmp`, listing); };
    await put();
    const engine = new IpvsEngine({ exec: { run: (a, i) => k.run(a, i), serve: () => startAnswerServer([helper, "serve", "--listing", listing]) }, helper: FAKE_HELPER, statsStateFile: "/run/x" });
    const token = directory.add("d1", "director-1");
    const table = { services: [tcpService("10.0.0.1", 80, [dest("192.168.1.1", 80)]), tcpService("10.0.0.2", 80, [dest("192.168.1.2", 80), dest("192.168.1.3", 80)])] };
    desiredByDirector.set("d1", { revision: 1, table, health: noHealth });
    const seen: AgentEvent[] = [];
    hub.onAgentEvent((e) => { if (e.type === "stats") seen.push(e); });
    const log = memoryLog();
    const a = await runAgent({ server: url, token, engine: engine as never, stateDir, log, backoff: { initialMs: 50, maxMs: 200 }, random: () => 0.5, checkers: {} });
    agents.push(a);
    const frames: StatsFieldsBody[] = [];
    const sendFields = a.agent.sendStatsFields;
    a.agent.sendStatsFields = (f) => { frames.push(fieldsBody(f)); return sendFields(f); };
    try {
      await until(() => directory.rows.get("d1")!.appliedRevision === 1, 6000, "the table applied");
      const busy = table.services[1]!;
      k.counters.set(serviceKeyString(busy), " 5 6 7 8 9 1 2 3 4 5");
      await put();
      const plain = new IpvsEngine({ exec: k, helper: FAKE_HELPER });
      const shown = () => { const e = seen.at(-1); return e?.type === "stats" ? e.snapshot.services : []; };
      await until(() => shown().length === 2 && isDeepStrictEqual(shown().find((x) => serviceKeyString(x.key) === serviceKeyString(busy))?.counters, { conns: 5, inPkts: 6, outPkts: 7, inBytes: 8, outBytes: 9 }), 6000, "the busy service's figures");
      const d = busy.destinations[1]!;
      k.counters.set(`${serviceKeyString(busy)}|${d.address}|${d.port}`, " 1 2 0 10 20 30 40 50 1 2 3 4 5");
      await put();
      // (the real server is row 1 + its place in the listing: the kernel's order, as the helper prints it)
      await until(() => frames.some((f) => f.fields.length === 3 + 12 && f.fields[2] === 0b1111111111011), 6000, "the real server's differences as fields", { diag: () => JSON.stringify(frames.slice(-3)) });
      const want = new Map((await plain.stats()).services.map((x) => [serviceKeyString(x.key), x]));
      await until(() => isDeepStrictEqual(new Map(shown().map((x) => [serviceKeyString(x.key), x])), want), 6000, "the hub's snapshot equal to a whole listing");
    } finally {
      await engine.close();
    }
  });

  it("feature stats.fields: a frame that does not fit what the hub knows is refused whole with the reason, a full update asked for, the connection kept", async () => {
    const token = directory.add("d1");
    const seen: AgentEvent[] = [];
    hub.onAgentEvent((e) => { if (e.type === "stats") seen.push(e); });
    const { ws, got, hello } = await rawAgent(token);
    hello();
    await until(() => got.some((m) => m.type === "welcome"), 2000, "welcome");
    expect(got.find((m) => m.type === "welcome")!.features).toContain("stats.fields");
    const svc = (address: string, conns: number) => serviceStats("inet6", address, conns);
    const frame = (seq: number, reset: boolean, services: unknown[], fields: number[]) => JSON.stringify({ v: 1, type: "stats.fields", seq, reset, more: false, at: 1000 + seq, services, removed: [], fields });
    ws.send(frame(0, true, [{ slot: 0, stats: svc("2001:db8::1", 1) }, { slot: 1, stats: svc("2001:db8::2", 1) }], []));
    ws.send(frame(1, false, [], [1, 0, 1 << 3, 4]));
    await until(() => seen.length === 2, 2000, "two merged snapshots");
    expect(seen[1]).toMatchObject({ snapshot: { at: 1001, services: [svc("2001:db8::1", 1), svc("2001:db8::2", 5)] } });
    ws.send(frame(2, false, [], [0, 0, 1 << 3, 1, 7, 0, 1 << 3, 1])); // slot 7 holds nothing: refused whole
    await until(() => got.some((m) => m.type === "stats.resync"), 2000, "stats.resync");
    expect(got.find((m) => m.type === "stats.resync")!.reason).toMatch(/stats.fields frame 2: fields\[4\]: slot 7 holds no service/);
    ws.send(frame(3, false, [], [0, 0, 1 << 3, 1]));
    ws.send(frame(4, true, [{ slot: 3, stats: svc("2001:db8::3", 7) }], []));
    await until(() => seen.length === 3, 2000, "the snapshot after the reset");
    expect(seen[2]).toMatchObject({ snapshot: { at: 1004, services: [svc("2001:db8::3", 7)] } });
    // the snapshot shown before the bad frame was never touched
    expect(seen[1]).toMatchObject({ snapshot: { services: [svc("2001:db8::1", 1), svc("2001:db8::2", 5)] } });
    expect(ws.readyState).toBe(WebSocket.OPEN);
    ws.close();
  });

  it("feature stats.delta (a control plane without stats.fields): a real agent sends a full update, then only the services that changed; the hub merges them into the snapshot a full frame would carry", async () => {
    const { a, plain, seen } = await busyAgent();
    // what an older control plane says: stats.delta but not stats.fields
    const handle = a.agent.handle.bind(a.agent);
    a.agent.handle = (m) => handle(m.type === "welcome" ? { ...m, features: m.features?.filter((f) => f !== "stats.fields") } : m);
    const frames: Array<Extract<Parameters<typeof a.link.send>[0], { type: "stats.delta" }>> = [];
    const send = a.link.send.bind(a.link);
    a.link.send = (m) => { if (m.type === "stats.delta") frames.push(m); return send(m); };
    await until(() => directory.rows.get("d1")!.appliedRevision === 1 && frames.filter((f) => !f.reset).length >= 2, 6000, "two delta frames after the table");
    expect(frames.every((f) => f.type === "stats.delta")).toBe(true);
    const deltas = frames.filter((f) => !f.reset && f.services.length);
    expect(deltas.length).toBeGreaterThan(0);
    // only the busy service travels in a delta
    for (const f of deltas) expect(f.services.map((x) => x.key)).toEqual([{ protocol: "tcp", family: "inet", address: "10.0.0.2", port: 80 }]);
    // what the hub shows equals a full read of the engine at that moment
    const last = seen.at(-1)!;
    if (last.type !== "stats") throw new Error("no stats event");
    expect(last.snapshot.services).toHaveLength(3);
    const busy = last.snapshot.services.find((x) => "address" in x.key && x.key.address === "10.0.0.2")!;
    expect(frames.some((f) => f.services.some((x) => x.counters.conns === busy.counters.conns))).toBe(true);
    expect(busy.destinations.map((x) => x.counters.inPkts)).toEqual([10 * busy.counters.conns, 0]);
    const full = await plain();
    for (const x of full.services.filter((x) => !("address" in x.key && x.key.address === "10.0.0.2"))) expect(last.snapshot.services).toContainEqual(x);
    await a.stop();
  });

  it("feature stats.delta: a gap in seq makes the hub ask for a full update (stats.resync) and show nothing until the reset", async () => {
    const token = directory.add("d1");
    const seen: AgentEvent[] = [];
    hub.onAgentEvent((e) => { if (e.type === "stats") seen.push(e); });
    const { ws, got, hello } = await rawAgent(token);
    hello();
    await until(() => got.some((m) => m.type === "welcome"), 2000, "welcome");
    expect(got.find((m) => m.type === "welcome")!.features).toContain("stats.delta");
    const svc = (address: string, conns: number) => serviceStats("inet", address, conns);
    const frame = (seq: number, reset: boolean, services: unknown[], removed: unknown[] = []) => JSON.stringify({ v: 1, type: "stats.delta", seq, reset, more: false, at: 1000 + seq, services, removed });
    ws.send(frame(0, true, [svc("10.0.0.1", 1), svc("10.0.0.2", 1)]));
    ws.send(frame(1, false, [svc("10.0.0.2", 5)], [{ protocol: "tcp", family: "inet", address: "10.0.0.1", port: 80 }]));
    await until(() => seen.length === 2, 2000, "two merged snapshots");
    expect(seen[1]).toMatchObject({ snapshot: { at: 1001, services: [svc("10.0.0.2", 5)] } });
    ws.send(frame(3, false, [svc("10.0.0.2", 9)])); // frame 2 never came
    await until(() => got.some((m) => m.type === "stats.resync"), 2000, "stats.resync");
    expect(got.find((m) => m.type === "stats.resync")!.reason).toMatch(/frame 3 where 2 was due/);
    ws.send(frame(4, false, [svc("10.0.0.2", 10)]));
    ws.send(frame(5, true, [svc("10.0.0.3", 7)]));
    await until(() => seen.length === 3, 2000, "the snapshot after the reset");
    expect(seen[2]).toMatchObject({ snapshot: { at: 1005, services: [svc("10.0.0.3", 7)] } });
    expect(ws.readyState).toBe(WebSocket.OPEN);
    ws.close();
  });

  it("drops stats (not acks) while the store is stuck, instead of queueing without bound", async () => {
    const token = directory.add("d1");
    let release: () => void = () => {};
    const stuck = new Promise<void>((r) => (release = r));
    const record = directory.recordReport.bind(directory);
    directory.recordReport = async (id, r) => { if (r.appliedRevision === 6) await stuck; return record(id, r); };
    const ws = new WebSocket(url.replace("http", "ws") + "/api/agent", { headers: { authorization: `Bearer ${token}` } });
    await new Promise<void>((resolve, reject) => { ws.on("open", () => resolve()); ws.on("error", reject); });
    ws.send(JSON.stringify({ v: 1, type: "hello", agentVersion: "t", engine: "fake", hostname: "h", appliedRevision: null, table: { services: [] } }));
    const ack = (revision: number) => JSON.stringify({ v: 1, type: "ack", revision, ok: true, outcome: "applied", appliedRevision: revision, ops: [], notes: [], issues: [], table: { services: [] } });
    ws.send(ack(6)); // its store hangs: everything after it waits in the connection's queue
    const stats = { v: 1, type: "stats", snapshot: { at: 1, services: [] } };
    for (let i = 0; i < MAX_BACKLOG + 50; i++) ws.send(JSON.stringify(stats));
    ws.send(ack(7));
    await until(() => hubLog.some((l) => l.includes("dropping stats")), 2000, "drop warning");
    release();
    await until(() => directory.rows.get("d1")!.appliedRevision === 7, 2000, "the ack after the dropped stats");
    expect(ws.readyState).toBe(WebSocket.OPEN);
    ws.close();
  });

  it("reconnects after a control-plane restart and resyncs a revision saved while it was away", async () => {
    const token = directory.add("d1");
    desiredByDirector.set("d1", { revision: 1, table: t1, health: noHealth });
    const a = await agent(token);
    await until(() => directory.rows.get("d1")!.appliedRevision === 1, 3000, "applied");
    const port = (server.address() as AddressInfo).port;
    await hub.close();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    await until(() => a.log.lines.some((l) => l.includes("link closed")), 2000, "link closed");
    expect(a.engine.table).toEqual(t1); // control plane down: rules stay
    desiredByDirector.set("d1", { revision: 2, table: t2, health: noHealth });
    bus = new MemoryEventBus(silent);
    hub = new AgentHub({ directory, bus, desiredFor: async (id) => desiredByDirector.get(id) ?? null, log: { info: () => {}, warn: () => {} }, heartbeatMs: 200 });
    directory.watch(hub);
    server = http.createServer();
    server.on("upgrade", (req, socket, head) => hub.handleUpgrade(req, socket, head));
    await new Promise<void>((r) => server.listen(port, "127.0.0.1", r));
    await until(() => isDeepStrictEqual(a.engine.table, t2), 3000, "resync after reconnect");
  });

  it("records a health.state report only where it differs from the stored state, and lists the feature in welcome", async () => {
    const token = directory.add("d1");
    const svc = { protocol: "tcp" as const, family: "inet" as const, address: "10.0.0.1", port: 80 };
    const rs = (address: string) => ({ service: svc, destination: { address, port: 80 }, realServerId: null, serviceId: null });
    // stored: .1 went down before the agent restarted; .2 is down and still is; .3 and .4 have no record
    directory.rows.get("d1")!.transitions.push(
      { ...rs("192.168.1.1"), from: "up", to: "down", at: 1000, message: "ECONNREFUSED" },
      { ...rs("192.168.1.2"), from: "up", to: "down", at: 1000, message: "ECONNREFUSED" },
    );
    const changed: unknown[] = [];
    bus.subscribe("health.changed", (e) => changed.push(e));
    const { ws, got, hello } = await rawAgent(token);
    hello();
    await until(() => got.some((m) => m.type === "welcome"), 3000, "welcome");
    expect(got.find((m) => m.type === "welcome")?.features).toContain("health.state");
    const state = (address: string, st: "up" | "down") => ({ ...rs(address), state: st, message: st === "up" ? "connected" : "timeout" });
    ws.send(JSON.stringify({
      v: 1, type: "health.state", at: 5000,
      states: [state("192.168.1.1", "up"), state("192.168.1.2", "down"), state("192.168.1.3", "up"), state("192.168.1.4", "down")],
    }));
    await until(() => directory.rows.get("d1")!.transitions.length === 4, 3000, "missed transitions recorded");
    const recorded = directory.rows.get("d1")!.transitions.slice(2).map((t) => [t.destination.address, t.from, t.to, t.at]);
    expect(recorded).toEqual([["192.168.1.1", "down", "up", 5000], ["192.168.1.4", "unknown", "down", 5000]]);
    await until(() => changed.length === 2, 1000, "health.changed published");
    expect(changed).toMatchObject([{ rip: "192.168.1.1", from: "down", to: "up" }, { rip: "192.168.1.4", from: "unknown", to: "down" }]);
    // the same report again records nothing more
    ws.send(JSON.stringify({ v: 1, type: "health.state", at: 6000, states: [state("192.168.1.1", "up"), state("192.168.1.4", "down")] }));
    ws.send(JSON.stringify({ v: 1, type: "heartbeat", at: 6000, appliedRevision: null }));
    await new Promise((r) => setTimeout(r, 100));
    expect(directory.rows.get("d1")!.transitions).toHaveLength(4);
    ws.close();
  });

  it("an agent restarted while its real server came back corrects the stored down state end to end", async () => {
    const token = directory.add("d1");
    const checks = tcpCheck({ intervalMs: 100, timeoutMs: 50, rise: 1, fall: 1 });
    const targets = [{ service: { protocol: "tcp" as const, family: "inet" as const, address: "10.0.0.1", port: 80 }, destination: { address: "192.168.1.1", port: 80 }, check: checks, realServerId: null, serviceId: null }];
    desiredByDirector.set("d1", { revision: 1, table: t1, health: { targets, sorryServers: [] } });
    // stored: down (reported before the agent went away); the agent now finds it up and has no transition to send
    directory.rows.get("d1")!.transitions.push({ ...targets[0]!, from: "up", to: "down", at: 1000, message: "ECONNREFUSED" });
    const log = memoryLog();
    const a = await runAgent({
      server: url, token, engine: new FakeEngine(), stateDir, log, backoff: { initialMs: 50, maxMs: 200 }, random: () => 0.5,
      checkers: { tcp: { check: async () => ({ ok: true, message: "connected" }) } },
    });
    agents.push(a);
    await until(() => directory.rows.get("d1")!.transitions.length === 2, 3000, "current state recorded");
    expect(directory.rows.get("d1")!.transitions[1]).toMatchObject({ from: "down", to: "up", destination: { address: "192.168.1.1" } });
  });
});
