/**
 * LiveHub over loopback with a real StatsStore as its feed: a fast and a slow subscriber on the
 * same topic. The slow one stops reading (its TCP socket is paused) so the server's send buffer
 * fills; from then on its stats are merged, and once it reads again it gets one merged message with
 * the latest values, while the fast one got every update.
 */
import { afterEach, describe, expect, it } from "vitest";
import http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import WebSocket from "ws";
import { pino } from "pino";
import { MemoryEventBus } from "../events/MemoryEventBus.ts";
import { StatsStore } from "../live/statsStore.ts";
import { filterServices, type RoutedUpdate } from "../live/liveRuntime.ts";
import type { StatsSnapshot } from "../../lvs/model.ts";
import { LiveHub, type LiveFeed } from "./liveHub.ts";
import { liveServerMessageSchema, type LiveServerMessage } from "../../lvs/protocol/live.ts";

const silent = pino({ level: "silent" });
const DESTS = 1500;

function snapshot(at: number, tick: number): StatsSnapshot {
  const n = (x: number) => ({ conns: x, inPkts: x, outPkts: x, inBytes: x, outBytes: x });
  const r = (x: number) => ({ cps: x, inPps: x, outPps: x, inBps: x, outBps: x });
  const destinations = Array.from({ length: DESTS }, (_, i) => ({
    address: `127.1.${i >> 8}.${i & 255}`, port: 8080, weight: 1, activeConns: tick, inactConns: i, persistConns: 0, counters: n(tick * 10 + i), rates: r(tick),
  }));
  return { at, services: [{ key: { protocol: "tcp", family: "inet", address: "127.0.10.1", port: 80 }, counters: n(tick), rates: r(tick), destinations }] };
}

function feedOf(store: StatsStore): LiveFeed {
  return {
    epoch: "e1",
    snapshot: async () => [{ directorId: "d1", key: "d1", name: "lvs", online: true, lastSeenAt: null, at: store.latest("d1")?.at ?? null, services: store.latest("d1") ? filterServices(store.latest("d1")!) : [], health: [] }],
    recent: () => [],
    onUpdate: (l: (u: RoutedUpdate) => void) => store.onUpdate((u) => l({ ...u, topologyId: "t1" })),
    directorMeta: async () => ({ id: "d1", topologyId: "t1", key: "d1", name: "lvs" }),
  } as unknown as LiveFeed;
}

describe("LiveHub fan-out", () => {
  let server: http.Server;
  let hub: LiveHub;
  const sockets: WebSocket[] = [];
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.terminate();
    await hub.close(200);
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it("merges stats for a slow socket (bounded), sends every update to a fast one", async () => {
    const store = new StatsStore({ ringCapacity: 4 });
    hub = new LiveHub({ bus: new MemoryEventBus(silent), log: silent, feed: feedOf(store), slowBytes: 64 * 1024, drainCheckMs: 20 });
    server = http.createServer();
    server.on("upgrade", hub.handleUpgrade);
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/api/live`;
    store.record("d1", snapshot(1000, 1));

    const got = { fast: [] as LiveServerMessage[], slow: [] as LiveServerMessage[] };
    const connect = async (name: "fast" | "slow") => {
      const ws = new WebSocket(url);
      sockets.push(ws);
      ws.on("message", (d) => got[name].push(JSON.parse(d.toString()) as LiveServerMessage));
      await new Promise((r) => ws.once("open", r));
      ws.send(JSON.stringify({ type: "subscribe", topologyId: "t1" }));
      await expect.poll(() => got[name].some((m) => m.type === "snapshot")).toBe(true);
      return ws;
    };
    const fast = await connect("fast");
    const slow = await connect("slow");
    (slow as unknown as { _socket: Socket })._socket.pause();

    // one update every tick until the slow socket is being merged, then 20 more (bounded loop)
    let tick = 1;
    for (let extra = 0; tick < 400 && extra < 20; ) {
      tick++;
      store.record("d1", snapshot(tick * 1000, tick));
      if (hub.mergedCount > 0) extra++;
      await new Promise((r) => setTimeout(r, 2));
    }
    expect(hub.mergedCount).toBeGreaterThanOrEqual(19);
    const last = tick * 1000;
    await expect.poll(() => got.fast.filter((m) => m.type === "stats").length, { timeout: 20_000 }).toBe(tick - 1);
    expect(fast.readyState).toBe(WebSocket.OPEN);

    (slow as unknown as { _socket: Socket })._socket.resume();
    await expect.poll(() => got.slow.some((m) => m.type === "stats" && m.at === last), { timeout: 20_000 }).toBe(true);
    const slowStats = got.slow.filter((m): m is Extract<LiveServerMessage, { type: "stats" }> => m.type === "stats");
    expect(slowStats.length).toBeLessThan(tick - 1);
    const final = slowStats[slowStats.length - 1]!;
    expect(final.merged).toBeGreaterThan(1);
    expect(final.services[0]!.destinations).toHaveLength(DESTS);
    expect(final.services[0]!.destinations.every((d) => d.activeConns === tick)).toBe(true);
    // on each socket the sub's messages are numbered 0 (snapshot), 1, 2, ... without gaps, merged or not
    for (const list of [got.fast, got.slow]) {
      const seqs = list.filter((m) => m.type === "snapshot" || m.type === "stats").map((m) => (m as { seq: number }).seq);
      expect(seqs).toEqual(seqs.map((_, i) => i));
    }
    // the spliced-in seq keeps every frame valid protocol JSON
    expect(liveServerMessageSchema.safeParse(final).success).toBe(true);
    expect(liveServerMessageSchema.safeParse(got.fast.find((m) => m.type === "stats")).success).toBe(true);
  }, 60_000);

  it("answers bad frames with an error naming the field", async () => {
    hub = new LiveHub({ bus: new MemoryEventBus(silent), log: silent });
    server = http.createServer();
    server.on("upgrade", hub.handleUpgrade);
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const ws = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}/api/live`);
    sockets.push(ws);
    await new Promise((r) => ws.once("open", r));
    const reply = new Promise<string>((r) => ws.once("message", (d) => r(d.toString())));
    ws.send(JSON.stringify({ type: "subscribe", topologyId: "t1", since: -5 }));
    expect(JSON.parse(await reply)).toEqual({ type: "error", message: expect.stringMatching(/^invalid message: since: /) });
  });

  it("forwards deploy.progress, topology.applied, drain.changed and ha.changed to the sockets watching that topology only, without sub or seq", async () => {
    const bus = new MemoryEventBus(silent);
    const store = new StatsStore({ ringCapacity: 4 });
    hub = new LiveHub({ bus, log: silent, feed: feedOf(store) });
    server = http.createServer();
    server.on("upgrade", hub.handleUpgrade);
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/api/live`;
    const got = { t1: [] as LiveServerMessage[], t2: [] as LiveServerMessage[] };
    for (const [name, topic] of [["t1", { topologyId: "t1", directorId: "d1" }], ["t2", { topologyId: "t2" }]] as const) {
      const ws = new WebSocket(url);
      sockets.push(ws);
      ws.on("message", (d) => {
        const m = liveServerMessageSchema.safeParse(JSON.parse(d.toString()));
        if (!m.success) throw new Error(`invalid frame ${d.toString()}`);
        got[name].push(m.data);
      });
      await new Promise((r) => ws.once("open", r));
      ws.send(JSON.stringify({ type: "subscribe", ...topic }));
      await expect.poll(() => got[name].some((m) => m.type === "snapshot")).toBe(true);
    }
    await bus.publish("deploy.progress", { topologyId: "t1", rolloutId: "r1", revision: 4, status: "running", directorId: "d1", at: 10 });
    await bus.publish("topology.applied", { topologyId: "t1", directorId: "d1", revision: 4, outcome: "failed", message: "ipvsadm -a: exists", errors: [{ op: "-a", error: "exists" }], at: 11 });
    await bus.publish("drain.changed", { topologyId: "t1", drainId: "x1", status: "drained", at: 12 });
    await bus.publish("ha.changed", { topologyId: "t1", directorId: "d2", kind: "transition", at: 12 });
    await bus.publish("ha.changed", { topologyId: "t3", directorId: "d9", kind: "transition", at: 12 });
    await bus.publish("deploy.progress", { topologyId: "t3", rolloutId: "r9", revision: 1, status: "succeeded", directorId: null, at: 13 });
    await expect.poll(() => got.t1.filter((m) => m.type === "ha.changed").length).toBe(1);
    expect(got.t1.filter((m) => !["subscribed", "snapshot"].includes(m.type))).toEqual([
      { type: "deploy.progress", topologyId: "t1", rolloutId: "r1", revision: 4, status: "running", directorId: "d1", at: 10 },
      { type: "topology.applied", topologyId: "t1", directorId: "d1", revision: 4, outcome: "failed", message: "ipvsadm -a: exists", at: 11 },
      { type: "drain.changed", topologyId: "t1", drainId: "x1", status: "drained", at: 12 },
      { type: "ha.changed", topologyId: "t1", directorId: "d2", kind: "transition", at: 12 },
    ]);
    // the per-topic seq is untouched: the next stats message is still seq 1
    store.record("d1", snapshot(2000, 2));
    await expect.poll(() => got.t1.find((m) => m.type === "stats")).toMatchObject({ seq: 1 });
    await bus.publish("topology.saved", { topologyId: "t2", revision: 2, author: null, at: 14 });
    await expect.poll(() => got.t2.some((m) => m.type === "topology.saved")).toBe(true);
    expect(got.t2.map((m) => m.type)).toEqual(["subscribed", "snapshot", "topology.saved"]);
  });
});
