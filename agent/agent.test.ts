import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Agent, STATS_FULL_EVERY_MS } from "./agent.ts";
import { FakeEngine } from "./fakeEngine.ts";
import { FailStatic } from "./failStatic.ts";
import { memoryLog } from "./log.ts";
import { realTimers, systemClock } from "./health/monitor.ts";
import type { Checker } from "./health/checker.ts";
import { validateDesired } from "./validateDesired.ts";
import type { AgentMessage } from "../lvs/protocol/agent.ts";
import { desired, dest, targetsFor, tcpCheck, tcpService } from "./testing/fixtures.ts";
import { HaSupervisor } from "./ha/haSupervisor.ts";
import { FakeKeepalivedHost } from "./ha/keepalivedHost.ts";
import type { DesiredHa } from "../lvs/protocol/ha.ts";

let dir: string;
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), "agent-test-"));
  vi.useFakeTimers({ now: 1_700_000_000_000 });
});
afterEach(async () => {
  vi.useRealTimers();
  await fs.rm(dir, { recursive: true, force: true });
});

function make(engine = new FakeEngine(), checker?: Checker, extra: { healDrift?: boolean } = {}) {
  const log = memoryLog();
  const sent: AgentMessage[] = [];
  const agent = new Agent({
    engine, store: new FailStatic({ stateDir: dir }), log, clock: systemClock, timers: realTimers,
    checkers: checker ? { tcp: checker } : {}, validate: validateDesired, ...extra,
  });
  agent.send = (m) => (sent.push(m), true);
  return { agent, engine, log, sent };
}

const acks = (sent: AgentMessage[]) => sent.filter((m) => m.type === "ack");

describe("Agent", () => {
  const t1 = { services: [tcpService("10.0.0.1", 80, [dest("192.168.1.1", 80), dest("192.168.1.2", 80)])] };

  it("applies a desired table, acknowledges it and persists it", async () => {
    const { agent, engine, sent } = make();
    await agent.start();
    await agent.handle(desired(3, t1));
    expect(engine.table).toEqual(t1);
    const [ack] = acks(sent);
    expect(ack).toMatchObject({ revision: 3, ok: true, outcome: "applied", appliedRevision: 3 });
    const saved = JSON.parse(await fs.readFile(path.join(dir, "state.json"), "utf8"));
    expect(saved.revision).toBe(3);
    expect(agent.revision).toBe(3);
    await agent.stop();
  });

  it("restores the persisted table on start with no control plane (fail-static)", async () => {
    const a = make();
    await a.agent.start();
    await a.agent.handle(desired(7, t1));
    await a.agent.stop();
    const b = make(new FakeEngine());
    await b.agent.start();
    expect(b.engine.table).toEqual(t1);
    expect(b.agent.revision).toBe(7);
    expect(b.log.lines.join("\n")).toMatch(/restored revision 7/);
    await b.agent.stop();
  });

  it("a cut-short state file is reported with its name; nothing is applied until the control plane sends a table", async () => {
    await fs.writeFile(path.join(dir, "state.json"), '{"revision":3,"table":{"serv');
    const engine = new FakeEngine();
    engine.table = t1; // e.g. kernel rules that survived: left alone
    const { agent, log, sent } = make(engine);
    await agent.start();
    expect(log.lines.join("\n")).toMatch(new RegExp(`cannot read state: ${path.join(dir, "state.json").replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: not JSON .*starting without a restored table`));
    expect(engine.applied).toEqual([]);
    expect(agent.revision).toBeNull();
    await vi.advanceTimersByTimeAsync(30_000); // the periodic resync has nothing to enforce
    expect(engine.applied).toEqual([]);
    await agent.handle(desired(4, t1));
    expect(acks(sent).at(-1)).toMatchObject({ revision: 4, ok: true });
    await agent.stop();
  });

  it("refuses an invalid desired table and keeps the previous one", async () => {
    const { agent, engine, sent, log } = make();
    await agent.start();
    await agent.handle(desired(1, t1));
    const bad = { services: [tcpService("10.0.0.1", 80, [dest("192.168.1.1", 80)], "nosuch")] };
    await agent.handle(desired(2, bad));
    expect(engine.table).toEqual(t1);
    const ack = acks(sent)[1]!;
    expect(ack).toMatchObject({ revision: 2, ok: false, outcome: "refused", appliedRevision: 1 });
    if (ack.type !== "ack") throw new Error();
    expect(ack.issues.some((i) => i.code === "service.unknown-scheduler")).toBe(true);
    expect(log.lines.join("\n")).toMatch(/refused revision 2.*revision 1 stays in force/);
    await agent.stop();
  });

  it("reports per-op failures and keeps the applied revision", async () => {
    const { agent, engine, sent } = make();
    await agent.start();
    await agent.handle(desired(1, t1));
    engine.failing.add("tcp 10.0.0.2:80");
    const t2 = { services: [...t1.services, tcpService("10.0.0.2", 80, [dest("192.168.1.3", 80)])] };
    await agent.handle(desired(2, t2));
    const ack = acks(sent)[1]!;
    expect(ack).toMatchObject({ revision: 2, ok: false, outcome: "failed", appliedRevision: 1 });
    if (ack.type !== "ack") throw new Error();
    expect(ack.ops).toContainEqual({ op: "set tcp 10.0.0.2:80", ok: false, error: "injected failure" });
    await agent.stop();
  });

  it("quiesces a real server after `fall` failures and restores it after `rise` successes", async () => {
    const down = new Set<string>();
    const checker: Checker = { check: async (t) => (down.has(t.address) ? { ok: false, message: "ECONNREFUSED" } : { ok: true, message: "connected" }) };
    const { agent, engine, sent } = make(new FakeEngine(), checker);
    await agent.start();
    await agent.handle(desired(1, t1, targetsFor(t1, tcpCheck({ fall: 3, rise: 2 }))));
    await vi.advanceTimersByTimeAsync(10);
    down.add("192.168.1.2");
    await vi.advanceTimersByTimeAsync(2000); // two failures: still up
    expect(engine.table.services[0]!.destinations[1]!.weight).toBe(1);
    await vi.advanceTimersByTimeAsync(1000); // third
    expect(engine.table.services[0]!.destinations[1]!.weight).toBe(0);
    const h = sent.find((m) => m.type === "health");
    expect(h).toMatchObject({ transitions: [{ destination: { address: "192.168.1.2", port: 80 }, from: "up", to: "down", message: "ECONNREFUSED" }] });
    down.clear();
    await vi.advanceTimersByTimeAsync(1000);
    expect(engine.table.services[0]!.destinations[1]!.weight).toBe(0);
    await vi.advanceTimersByTimeAsync(1000);
    expect(engine.table.services[0]!.destinations[1]!.weight).toBe(1);
    expect(sent.filter((m) => m.type === "health")).toHaveLength(2);
    await agent.stop();
  });

  it("a restart keeps a server that was down out (restored from the state dir) until it rises", async () => {
    const down = new Set(["192.168.1.2"]);
    const checker: Checker = { check: async (t) => (down.has(t.address) ? { ok: false, message: "ECONNREFUSED" } : { ok: true, message: "connected" }) };
    const a = make(new FakeEngine(), checker);
    await a.agent.start();
    await a.agent.handle(desired(1, t1, targetsFor(t1, tcpCheck({ fall: 1, rise: 2 }))));
    await vi.advanceTimersByTimeAsync(10);
    await a.agent.idle();
    expect(a.engine.table.services[0]!.destinations[1]!.weight).toBe(0);
    expect(JSON.parse(await fs.readFile(path.join(dir, "state.json"), "utf8")).down).toEqual(["tcp 10.0.0.1:80 -> 192.168.1.2:80"]);
    await a.agent.stop();

    down.clear(); // it came back while the agent was away
    const b = make(new FakeEngine(), checker);
    await b.agent.start();
    // the restored table keeps it quiesced: no traffic before `rise` successes
    expect(b.engine.applied[0]!.services[0]!.destinations.map((d) => d.weight)).toEqual([1, 0]);
    await vi.advanceTimersByTimeAsync(10); // first success
    expect(b.engine.table.services[0]!.destinations[1]!.weight).toBe(0);
    await vi.advanceTimersByTimeAsync(1000); // second: rise reached
    expect(b.engine.table.services[0]!.destinations[1]!.weight).toBe(1);
    expect(b.sent.find((m) => m.type === "health")).toMatchObject({ transitions: [{ destination: { address: "192.168.1.2" }, from: "down", to: "up" }] });
    await b.agent.stop();
  });

  it("removes failed servers when configured, and brings in the sorry server when all are down", async () => {
    const checker: Checker = { check: async () => ({ ok: false, message: "timeout" }) };
    const { agent, engine } = make(new FakeEngine(), checker);
    await agent.start();
    const sorry = [{ service: { protocol: "tcp" as const, family: "inet" as const, address: "10.0.0.1", port: 80 }, address: "192.168.9.9", port: 8080 }];
    await agent.handle(desired(1, t1, targetsFor(t1, tcpCheck({ fall: 1, onFailure: "remove" })), sorry));
    await vi.advanceTimersByTimeAsync(10);
    expect(engine.table.services[0]!.destinations).toEqual([dest("192.168.9.9", 8080)]);
    await agent.stop();
  });

  it("answers heartbeats and pages connections", async () => {
    const engine = new FakeEngine();
    engine.connectionEntries = Array.from({ length: 5 }, (_, i) => ({
      protocol: "tcp" as const, client: { address: "10.9.0.1", port: 40000 + i }, virtual: { address: "10.0.0.1", port: 80 },
      destination: { address: "192.168.1.1", port: 80 }, state: "ESTABLISHED", expiresIn: 900,
    }));
    const { agent, sent } = make(engine);
    await agent.start();
    await agent.handle({ v: 1, type: "heartbeat", at: 1, appliedRevision: null });
    await agent.handle({ v: 1, type: "connections.request", requestId: "r1", page: { offset: 2, limit: 2 } });
    expect(sent[0]).toMatchObject({ type: "heartbeat", appliedRevision: null });
    expect(sent[1]).toMatchObject({ type: "connections.response", requestId: "r1", total: 5 });
    if (sent[1]!.type !== "connections.response") throw new Error();
    expect(sent[1]!.entries.map((e) => e.client.port)).toEqual([40002, 40003]);
    await agent.stop();
  });

  it("sends stats every interval", async () => {
    const { agent, sent } = make();
    await agent.start();
    await agent.handle(desired(1, t1));
    await vi.advanceTimersByTimeAsync(3000);
    expect(sent.filter((m) => m.type === "stats").length).toBeGreaterThanOrEqual(3);
    await agent.stop();
  });

  it("feature stats.delta: to a control plane that lists it, a full update after welcome, then only what changed; a full one on stats.resync and every few minutes; plain stats otherwise", async () => {
    const engine = new FakeEngine();
    const { agent, sent } = make(engine);
    const t2 = { services: [...t1.services, tcpService("10.0.0.2", 443, [dest("192.168.1.9", 443)])] };
    await agent.start();
    await agent.handle({ v: 1, type: "welcome", directorId: "d1", directorName: "d1", serverTime: 0, heartbeatMs: 1000, features: ["stats.delta"] });
    await agent.handle(desired(1, t2));
    await vi.advanceTimersByTimeAsync(1000);
    const deltas = () => sent.filter((m) => m.type === "stats.delta");
    expect(sent.filter((m) => m.type === "stats")).toEqual([]);
    expect(deltas()).toEqual([expect.objectContaining({ seq: 0, reset: true, more: false, removed: [] })]);
    expect(deltas()[0]!.type === "stats.delta" && deltas()[0]!.services).toHaveLength(2);
    // nothing changed: an empty delta (the control plane still hears from it every second)
    await vi.advanceTimersByTimeAsync(1000);
    expect(deltas()[1]).toMatchObject({ seq: 1, reset: false, services: [], removed: [] });
    // a service goes away: only its key
    await agent.handle(desired(2, t1));
    await vi.advanceTimersByTimeAsync(1000);
    expect(deltas()[2]).toMatchObject({ seq: 2, reset: false, services: [], removed: [{ protocol: "tcp", family: "inet", address: "10.0.0.2", port: 443 }] });
    // the control plane lost track: a full update next
    await agent.handle({ v: 1, type: "stats.resync", reason: "frame 9 where 8 was due" });
    await vi.advanceTimersByTimeAsync(1000);
    expect(deltas()[3]).toMatchObject({ seq: 3, reset: true });
    // periodic full update
    await vi.advanceTimersByTimeAsync(STATS_FULL_EVERY_MS);
    expect(deltas().filter((m) => m.type === "stats.delta" && m.reset).length).toBeGreaterThanOrEqual(3);
    // a reconnect to an older control plane (no feature): whole snapshots again
    await agent.handle({ v: 1, type: "welcome", directorId: "d1", directorName: "d1", serverTime: 0, heartbeatMs: 1000 });
    const before = sent.length;
    await vi.advanceTimersByTimeAsync(1000);
    expect(sent.slice(before).map((m) => m.type)).toEqual(["stats"]);
    await agent.stop();
  });

  it("does not gather stats while offline", async () => {
    const { agent, engine, sent } = make();
    const stats = vi.spyOn(engine, "stats");
    let online = false;
    agent.online = () => online;
    await agent.start();
    await vi.advanceTimersByTimeAsync(3500);
    expect(stats).not.toHaveBeenCalled();
    online = true;
    await vi.advanceTimersByTimeAsync(1000);
    expect(stats).toHaveBeenCalledTimes(1);
    expect(sent.filter((m) => m.type === "stats")).toHaveLength(1);
    await agent.stop();
  });

  it("by default leaves a hand-made change for the console to show as drift, but retries a failed revision", async () => {
    const { agent, engine, sent, log } = make();
    await agent.start();
    await agent.handle(desired(1, t1));
    engine.table = { services: [] }; // someone flushed the table by hand
    await vi.advanceTimersByTimeAsync(30_000);
    expect(engine.table).toEqual({ services: [] });
    engine.failing.add("tcp 10.0.0.2:80");
    await agent.handle(desired(2, { services: [...t1.services, tcpService("10.0.0.2", 80, [dest("192.168.1.3", 80)])] }));
    expect(agent.revision).toBe(1);
    engine.failing.clear();
    await vi.advanceTimersByTimeAsync(30_000);
    await agent.idle();
    expect(agent.revision).toBe(2);
    expect(acks(sent).at(-1)).toMatchObject({ revision: 2, ok: true, outcome: "applied" });
    expect(log.lines).toContain("INFO revision 2 applied on retry");
    await agent.stop();
  });

  it("with healDrift, periodically re-reconciles: repairs drift and acknowledges a revision that failed before", async () => {
    const { agent, engine, sent, log } = make(new FakeEngine(), undefined, { healDrift: true });
    await agent.start();
    await agent.handle(desired(1, t1));
    engine.table = { services: [] }; // someone flushed the table by hand
    await vi.advanceTimersByTimeAsync(30_000);
    expect(engine.table).toEqual(t1);
    expect(log.lines).toContain("INFO periodic resync: 1 op(s) brought the engine back to revision 1");
    engine.failing.add("tcp 10.0.0.2:80");
    const t2 = { services: [...t1.services, tcpService("10.0.0.2", 80, [dest("192.168.1.3", 80)])] };
    await agent.handle(desired(2, t2));
    expect(agent.revision).toBe(1);
    engine.failing.clear();
    await vi.advanceTimersByTimeAsync(30_000);
    await agent.idle(); // the resync persists (real file I/O) before it acknowledges
    expect(agent.revision).toBe(2);
    expect(acks(sent).at(-1)).toMatchObject({ revision: 2, ok: true, outcome: "applied" });
    expect(log.lines).toContain("INFO revision 2 applied on retry");
    await agent.stop();
  });

  it("keeps health transitions made while offline and sends them after the next welcome", async () => {
    const checker: Checker = { check: async () => ({ ok: false, message: "ECONNREFUSED" }) };
    const { agent, sent } = make(new FakeEngine(), checker);
    let online = false;
    agent.send = (m) => (online ? (sent.push(m), true) : false);
    await agent.start();
    await agent.handle(desired(1, t1, targetsFor(t1, tcpCheck({ fall: 1 }))));
    await vi.advanceTimersByTimeAsync(10);
    expect(sent).toEqual([]);
    online = true;
    await agent.handle({ v: 1, type: "welcome", directorId: "d1", directorName: "d1", serverTime: 0, heartbeatMs: 1000 });
    const h = sent.find((m) => m.type === "health");
    expect(h && h.type === "health" && h.transitions.map((t) => t.destination.address)).toEqual(["192.168.1.1", "192.168.1.2"]);
    await agent.stop();
  });

  it("after a restart, sends the current health of every target after welcome, behind held transitions, only to a control plane listing health.state", async () => {
    // first life: 192.168.1.1 goes down, persisted as down
    const failing = new Set(["192.168.1.1"]);
    const checker: Checker = { check: async (d) => (failing.has(d.address) ? { ok: false, message: "ECONNREFUSED" } : { ok: true, message: "connected" }) };
    const a = make(new FakeEngine(), checker);
    await a.agent.start();
    await a.agent.handle(desired(1, t1, targetsFor(t1, tcpCheck({ fall: 1, rise: 1 }))));
    await vi.advanceTimersByTimeAsync(10);
    await a.agent.idle();
    await a.agent.stop();
    // second life, offline: the server came back; the transition is held (and would be lost by another restart)
    failing.clear();
    const b = make(new FakeEngine(), checker);
    let online = false;
    b.agent.send = (m) => (online ? (b.sent.push(m), true) : false);
    await b.agent.start();
    await vi.advanceTimersByTimeAsync(10);
    await b.agent.idle();
    online = true;
    // an older control plane (no features) gets the held transitions only
    await b.agent.handle({ v: 1, type: "welcome", directorId: "d1", directorName: "d1", serverTime: 0, heartbeatMs: 1000 });
    expect(b.sent.map((m) => m.type)).toEqual(["health"]);
    b.sent.length = 0;
    await b.agent.handle({ v: 1, type: "welcome", directorId: "d1", directorName: "d1", serverTime: 0, heartbeatMs: 1000, features: ["health.state"] });
    expect(b.sent.map((m) => m.type)).toEqual(["health.state"]);
    const st = b.sent[0];
    expect(st?.type === "health.state" && st.states.map((x) => [x.destination.address, x.state])).toEqual([["192.168.1.1", "up"], ["192.168.1.2", "up"]]);
    // a revision adding a target reports that target's (initial) state
    b.sent.length = 0;
    const t2 = { services: [tcpService("10.0.0.1", 80, [dest("192.168.1.1", 80), dest("192.168.1.2", 80), dest("192.168.1.3", 80)])] };
    await b.agent.handle(desired(2, t2, targetsFor(t2, tcpCheck({ fall: 1, rise: 1 }))));
    const added = b.sent.find((m) => m.type === "health.state");
    expect(added?.type === "health.state" && added.states.map((x) => x.destination.address)).toEqual(["192.168.1.3"]);
    await b.agent.stop();
  });

  it("a planned switchover stops keepalived before the IPVS reconcile; taking part in VRRP again waits for a new revision's table, not for a hand-back's", async () => {
    const order: string[] = [];
    const engine = new FakeEngine();
    const apply = engine.apply.bind(engine);
    engine.apply = async (t) => (order.push("ipvs"), apply(t));
    const host = new FakeKeepalivedHost();
    const start = host.start.bind(host);
    const stop = host.stop.bind(host);
    host.start = async () => (order.push("keepalived start"), start());
    host.stop = async () => (order.push("keepalived stop"), stop());
    const log = memoryLog();
    const ha = new HaSupervisor({ host, exec: { run: async () => ({ code: 0, stdout: "", stderr: "" }) }, log, now: () => 0, routerId: "d1", kernelSync: false });
    const agent = new Agent({ engine, store: new FailStatic({ stateDir: dir }), log, clock: systemClock, timers: realTimers, checkers: {}, validate: validateDesired, ha });
    agent.send = () => true;
    await agent.start();
    const vrrp = (maintenance: boolean): DesiredHa => ({
      instances: [{
        name: "VI_g1", groupId: "g1", interface: "eth0", virtualRouterId: 51, priority: 200, nopreempt: false, advertIntMs: 200, version: 3,
        unicastSource: "10.0.0.1", unicastPeers: ["10.0.0.2"], authPass: null, vips: [{ address: "10.0.0.1", prefix: 24 }],
      }],
      sync: null, maintenance,
    });
    await agent.handle({ ...desired(1, t1), ha: vrrp(false) });
    expect(order).toEqual(["ipvs", "keepalived start"]);
    order.length = 0;
    await agent.handle({ ...desired(2, t1), ha: vrrp(true) });
    expect(order).toEqual(["keepalived stop", "ipvs"]);
    order.length = 0;
    await agent.handle({ ...desired(3, t1), ha: vrrp(false) });
    expect(order).toEqual(["ipvs", "keepalived start"]);
    // the console's switchover / hand-back is no new revision: its table is loaded, VRRP goes first
    await agent.handle({ ...desired(3, t1), ha: vrrp(true) });
    order.length = 0;
    await agent.handle({ ...desired(3, t1), ha: vrrp(false) });
    expect(order).toEqual(["keepalived start", "ipvs"]);
    // nor behind an IPVS reconcile still running: the switchover's reconcile hangs, the hand-back starts keepalived anyway
    let release = () => {};
    engine.apply = async (t) => { order.push("ipvs"); await new Promise<void>((r) => { release = r; }); return apply(t); };
    order.length = 0;
    const down = agent.handle({ ...desired(3, t1), ha: vrrp(true) });
    await vi.waitFor(() => expect(order).toEqual(["keepalived stop", "ipvs"]));
    const back = agent.handle({ ...desired(3, t1), ha: vrrp(false) });
    await vi.waitFor(() => expect(order).toEqual(["keepalived stop", "ipvs", "keepalived start"]));
    release();
    await down;
    engine.apply = async (t) => (order.push("ipvs"), apply(t));
    await back;
    await agent.stop();
  });
});
