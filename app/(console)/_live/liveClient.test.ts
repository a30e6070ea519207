// The live client against a real `ws` server on loopback speaking the /api/live protocol:
// subscribe → snapshot → deltas, a dropped socket reconnects and resumes with `since`, a seq gap
// asks for a fresh snapshot, a new epoch drops old points.
import { afterEach, describe, expect, it } from "vitest";
import { WebSocket, WebSocketServer, type WebSocket as ServerSocket } from "ws";
import type { LiveClientMessage, LiveServerMessage } from "@/lvs/protocol/live.ts";
import { LiveClient } from "./liveClient.ts";
import { backoffDelay, type SocketLike } from "./liveSocket.ts";
import { seriesId } from "./liveSeries.ts";
import { until } from "../../../it/helpers.ts";

const KEY = "tcp|127.0.10.1|80";
const rates = (cps: number) => ({ cps, inPps: cps * 10, outPps: cps * 9, inBps: cps * 1000, outBps: cps * 900 });
const counters = (n: number) => ({ conns: n, inPkts: n * 10, outPkts: n * 9, inBytes: n * 1000, outBytes: n * 900 });
const dest = (address: string, cps: number, active: number) => ({
  address, port: 8080, weight: 1, activeConns: active, inactConns: 0, persistConns: 0, counters: counters(cps * 10), rates: rates(cps),
});

function snapshot(at: number, epoch = "e1", recent?: { series: string; points: ReturnType<typeof point>[] }[]): LiveServerMessage {
  return {
    type: "snapshot", sub: "topo", seq: 0, at, epoch, recent,
    directors: [{
      directorId: "dir-db-1", key: "d1", name: "lb1", online: true, lastSeenAt: at, at,
      services: [{ key: KEY, counters: counters(30), rates: rates(3), destinations: [dest("127.0.20.1", 2, 5), dest("127.0.20.2", 1, 4)] }],
      health: [{ serviceKey: KEY, address: "127.0.20.1", port: 8080, state: "up", since: 0 }],
    }],
  };
}
const point = (at: number, cps: number) => ({ at, ...rates(cps), activeConns: 1, inactConns: 0 });

interface Server {
  url: string;
  received: LiveClientMessage[];
  sockets: ServerSocket[];
  send(m: LiveServerMessage): void;
  next(): Promise<LiveClientMessage>;
  close(): Promise<void>;
}

async function startServer(): Promise<Server> {
  const wss = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  await new Promise<void>((r) => wss.once("listening", () => r()));
  const received: LiveClientMessage[] = [];
  const sockets: ServerSocket[] = [];
  const waiters: ((m: LiveClientMessage) => void)[] = [];
  let read = 0;
  wss.on("connection", (ws) => {
    sockets.push(ws);
    ws.on("message", (d) => {
      received.push(JSON.parse(d.toString()));
      waiters.shift()?.(received[received.length - 1]!);
    });
  });
  const port = (wss.address() as { port: number }).port;
  return {
    url: `ws://127.0.0.1:${port}/api/live`,
    received,
    sockets,
    send: (m) => sockets[sockets.length - 1]!.send(JSON.stringify(m)),
    next: () => {
      if (read < received.length) return Promise.resolve(received[read++]!);
      return new Promise((r) => waiters.push((m) => (read++, r(m))));
    },
    close: () => new Promise((r) => {
      for (const s of wss.clients) s.terminate();
      wss.close(() => r());
    }),
  };
}

const wsFactory = (url: string) => new WebSocket(url) as unknown as SocketLike;

let server: Server | null = null;
let client: LiveClient | null = null;
afterEach(async () => {
  client?.stop();
  await server?.close();
  server = client = null;
});

describe("backoffDelay", () => {
  it("doubles from the minimum, caps, and jitters between 50 and 100 %", () => {
    expect([0, 1, 2, 3, 10].map((a) => backoffDelay(a, 500, 15_000, 1))).toEqual([500, 1000, 2000, 4000, 15_000]);
    expect(backoffDelay(2, 500, 15_000, 0)).toBe(1000);
    expect(backoffDelay(100, 500, 15_000, 0.5)).toBe(11_250);
  });
});

describe("LiveClient on a real ws server", () => {
  it("subscribes, applies the snapshot and deltas, and keeps a point per second per series", async () => {
    server = await startServer();
    client = new LiveClient({ url: server.url, socket: wsFactory });
    const sub = client.subscribe({ topologyId: "topo" });
    expect(sub).toBe("topo");
    client.start();
    expect(await server.next()).toEqual({ type: "subscribe", topologyId: "topo" });
    server.send(snapshot(1000));
    server.send({ type: "stats", sub: "topo", seq: 1, directorId: "dir-db-1", at: 2000, merged: 1,
      services: [{ key: KEY, counters: counters(40), rates: rates(5), destinations: [dest("127.0.20.2", 3, 6)] }] });
    server.send({ type: "health", sub: "topo", seq: 2, directorId: "dir-db-1", serviceKey: KEY, address: "127.0.20.1", port: 8080, from: "up", to: "down", at: 2100 });
    server.send({ type: "stats", sub: "topo", seq: 3, directorId: "dir-db-1", at: 3000, merged: 2,
      services: [{ key: KEY, counters: counters(41), rates: rates(4), destinations: [], removed: ["127.0.20.1|8080"] }] });
    const state = () => client!.store.getState().topics.topo!;
    await until(() => state().seq === 3, 5000, "seq 3", { intervalMs: 5 });
    expect(client.store.getState().status).toBe("open");
    const svc = state().directors.get("dir-db-1")!.services.get(KEY)!;
    expect(svc.rates.cps).toBe(4);
    expect([...svc.destinations.keys()]).toEqual(["127.0.20.2|8080"]);
    const pts = state().series.get(seriesId("dir-db-1", KEY))!.toArray();
    expect(pts.map((p) => [p.at, p.cps, p.activeConns])).toEqual([[1000, 3, 9], [2000, 5, 11], [3000, 4, 6]]);
    // the unchanged destination still got a point at 2000 (deltas omit it)
    expect(state().series.get(seriesId("dir-db-1", KEY, "127.0.20.1|8080"))!.toArray().map((p) => p.at)).toEqual([1000, 2000]);
    expect(state().healthMap()).toEqual({ "d1|tcp|127.0.10.1|80|127.0.20.1|8080": "down" });
    expect(state().snapshotsByKey().d1!.services[0]!.rates.cps).toBe(4);
    expect(state().lastAt).toBe(3000);
  });

  it("reconnects after the socket drops, resubscribes with since, and merges the resume's recent points", async () => {
    server = await startServer();
    client = new LiveClient({ url: server.url, socket: wsFactory, minDelayMs: 20, maxDelayMs: 50, random: () => 1 });
    client.subscribe({ topologyId: "topo" });
    client.start();
    await server.next();
    server.send(snapshot(1000));
    server.send({ type: "stats", sub: "topo", seq: 1, directorId: "dir-db-1", at: 2000, merged: 1, services: [] });
    await until(() => client!.store.getState().topics.topo!.seq === 1, 5000, "seq 1", { intervalMs: 5 });
    server.sockets[0]!.terminate();
    await until(() => client!.store.getState().status === "reconnecting", 5000, "reconnecting", { intervalMs: 5 });
    const again = await server.next();
    expect(again).toEqual({ type: "subscribe", topologyId: "topo", since: 2000 });
    expect(client.store.getState().opens).toBe(2);
    // the server's resume: a fresh snapshot at 5000 with the samples 3000 and 4000 the client missed
    server.send(snapshot(5000, "e1", [{ series: seriesId("dir-db-1", KEY), points: [point(3000, 7), point(4000, 8)] }]));
    await until(() => client!.store.getState().topics.topo!.lastAt === 5000, 5000, "resume snapshot", { intervalMs: 5 });
    const pts = client.store.getState().topics.topo!.series.get(seriesId("dir-db-1", KEY))!.toArray();
    expect(pts.map((p) => p.at)).toEqual([1000, 2000, 3000, 4000, 5000]);
  });

  it("asks for a fresh snapshot after a seq gap, and drops old points when the server's epoch changed", async () => {
    server = await startServer();
    client = new LiveClient({ url: server.url, socket: wsFactory });
    client.subscribe({ topologyId: "topo" });
    client.start();
    await server.next();
    server.send(snapshot(1000));
    server.send({ type: "stats", sub: "topo", seq: 2, directorId: "dir-db-1", at: 2000, merged: 1, services: [] });
    expect(await server.next()).toEqual({ type: "subscribe", topologyId: "topo", since: 1000 });
    expect(client.store.getState().topics.topo!.seq).toBe(0);
    server.send(snapshot(9000, "e2"));
    await until(() => client!.store.getState().topics.topo!.epoch === "e2", 5000, "new epoch", { intervalMs: 5 });
    expect(client.store.getState().topics.topo!.series.get(seriesId("dir-db-1", KEY))!.toArray().map((p) => p.at)).toEqual([9000]);
  });

  it("director offline removes its figures from the canvas snapshot; a save is announced; unsubscribe forgets the topic", async () => {
    server = await startServer();
    client = new LiveClient({ url: server.url, socket: wsFactory });
    client.subscribe({ topologyId: "topo" });
    client.start();
    await server.next();
    server.send(snapshot(1000));
    server.send({ type: "director", sub: "topo", seq: 1, directorId: "dir-db-1", online: false, at: 1500 });
    await until(() => client!.store.getState().topics.topo!.seq === 1, 5000, "director message", { intervalMs: 5 });
    expect(client.store.getState().topics.topo!.directors.get("dir-db-1")!.online).toBe(false);
    expect(client.store.getState().topics.topo!.snapshotsByKey()).toEqual({ d1: null });
    server.send({ type: "topology.saved", topologyId: "topo", revision: 7, author: null, at: 1600 });
    await until(() => client!.store.getState().saved.topo === 7, 5000, "topology.saved", { intervalMs: 5 });
    client.unsubscribe({ topologyId: "topo" });
    expect(await server.next()).toEqual({ type: "unsubscribe", topologyId: "topo" });
    expect(client.store.getState().topics.topo).toBeUndefined();
  });

  it("hands deploy.progress, topology.applied, drain.changed and ha.changed notices to its event listeners without touching the topic's seq", async () => {
    server = await startServer();
    client = new LiveClient({ url: server.url, socket: wsFactory });
    const events: string[] = [];
    const off = client.onEvent((e) => events.push(`${e.type} ${e.topologyId}`));
    client.subscribe({ topologyId: "topo" });
    client.start();
    await server.next();
    server.send(snapshot(1000));
    server.send({ type: "deploy.progress", topologyId: "topo", rolloutId: "r1", revision: 3, status: "running", directorId: null, at: 1100 });
    server.send({ type: "topology.applied", topologyId: "topo", directorId: "dir-db-1", revision: 3, outcome: "ok", message: null, at: 1200 });
    server.send({ type: "drain.changed", topologyId: "topo", drainId: "x", status: "drained", at: 1300 });
    server.send({ type: "ha.changed", topologyId: "topo", directorId: "dir-db-2", kind: "transition", at: 1400 });
    await until(() => events.length === 4, 5000, "four notices", { intervalMs: 5 });
    expect(events).toEqual(["deploy.progress topo", "topology.applied topo", "drain.changed topo", "ha.changed topo"]);
    server.send({ type: "director", sub: "topo", seq: 1, directorId: "dir-db-1", online: false, at: 1500 });
    await until(() => client!.store.getState().topics.topo!.seq === 1, 5000, "director message in sequence (no gap)", { intervalMs: 5 });
    off();
    server.send({ type: "drain.changed", topologyId: "topo", drainId: "x", status: "enabled", at: 1600 });
    server.send({ type: "topology.saved", topologyId: "topo", revision: 8, author: null, at: 1700 });
    await until(() => client!.store.getState().saved.topo === 8, 5000, "topology.saved", { intervalMs: 5 });
    expect(events).toHaveLength(4);
  });
});
