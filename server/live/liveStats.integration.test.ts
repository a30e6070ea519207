/**
 * Live statistics through the real server (startServer, no Next) on PGlite and on PostgreSQL:
 * an agent connection on /api/agent sends stats and health frames with chosen times; a browser
 * socket on /api/live and tRPC over HTTP read them back.
 * Proves: snapshot then changed-only deltas; director offline and health transitions on the same
 * socket; resume with `since` carries the missed samples; /metrics equals the statistics; minute
 * rollups are written, read back downsampled, survive a restart and are pruned by retention;
 * availability from the stored transitions.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import WebSocket from "ws";
import { startServer, type RunningServer } from "../app.ts";
import { loadEnv } from "../env.ts";
import { TopologyService } from "../services/topologyService.ts";
import { DirectorService } from "../services/directorService.ts";
import { sessionCookieFor } from "../auth/testing.ts";
import { createTestPostgres, NO_POSTGRES_REASON, TEST_DATABASE_URL, type TestPostgres } from "../db/testDatabase.ts";
import { PROTOCOL_VERSION } from "../../lvs/protocol/agent.ts";
import type { StatsSnapshot, Topology } from "../../lvs/model.ts";
import { MINUTE_MS } from "../../lvs/stats/rollup.ts";
import type { LiveServerMessage } from "../../lvs/protocol/live.ts";

const SK = "tcp|127.0.10.1|80";
const key = { protocol: "tcp" as const, family: "inet" as const, address: "127.0.10.1", port: 80 };
const c = (n: number) => ({ conns: n, inPkts: 3 * n, outPkts: 2 * n, inBytes: 60 * n, outBytes: 900 * n });
const r = (n: number) => ({ cps: n, inPps: 3 * n, outPps: 2 * n, inBps: 60 * n, outBps: 900 * n });

/** counters grow by 2 conns/s on rs1 and 1 conn/s on rs2 from t0 */
function snapshot(at: number, i: number, active = 4): StatsSnapshot {
  const d = (address: string, n: number, act: number) => ({ address, port: 8080, weight: 1, activeConns: act, inactConns: 1, persistConns: 0, counters: c(n), rates: r(Math.round(n / (i + 1))) });
  return { at, services: [{ key, counters: c(3 * i), rates: r(3), destinations: [d("127.0.30.1", 2 * i, active), d("127.0.30.2", i, 2)] }] };
}

function doc(): Topology {
  return {
    name: "live", directors: [{ id: "d1", name: "lvs-live", managementAddress: null, interfaces: [], engine: "userspace" }],
    services: [], realServers: [], memberships: [], layout: {},
  };
}

class Inbox {
  readonly msgs: LiveServerMessage[] = [];
  constructor(readonly ws: WebSocket) {
    ws.on("message", (d) => this.msgs.push(JSON.parse(d.toString()) as LiveServerMessage));
  }
  async next<T extends LiveServerMessage["type"]>(type: T, pred: (m: Extract<LiveServerMessage, { type: T }>) => boolean = () => true, ms = 5000): Promise<Extract<LiveServerMessage, { type: T }>> {
    const end = Date.now() + ms;
    for (;;) {
      const i = this.msgs.findIndex((m) => m.type === type && pred(m as Extract<LiveServerMessage, { type: T }>));
      if (i >= 0) return this.msgs.splice(i, 1)[0] as Extract<LiveServerMessage, { type: T }>;
      if (Date.now() > end) throw new Error(`no ${type} message within ${ms} ms; got ${this.msgs.map((m) => m.type).join(",")}`);
      await new Promise((res) => setTimeout(res, 10));
    }
  }
}

async function open(url: string, headers: Record<string, string>): Promise<WebSocket> {
  const ws = new WebSocket(url, { headers });
  await new Promise<void>((res, rej) => (ws.once("open", () => res()), ws.once("error", rej)));
  return ws;
}

function metric(text: string, name: string, labels: Record<string, string>): number | null {
  for (const line of text.split("\n")) {
    if (!line.startsWith(name + "{")) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) return Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return null;
}

const kinds = [
  { name: "PGlite", skip: false },
  { name: "PostgreSQL", skip: !TEST_DATABASE_URL },
];

describe.each(kinds)("live statistics on $name", ({ name, skip }) => {
  if (skip) {
    it.skip(`skipped: ${NO_POSTGRES_REASON}`, () => {});
    return;
  }
  let s: RunningServer;
  let dir: string;
  let pgdb: TestPostgres | null = null;
  let databaseUrl: string;
  let topologyId: string;
  let directorId: string;
  let token: string;
  let cookie: string;
  let agent: WebSocket;
  // aligned to 10 minutes so the 5-minute points of a 24 h query hold whole test minutes
  const t0 = Math.floor(Date.now() / (10 * MINUTE_MS)) * 10 * MINUTE_MS - 20 * MINUTE_MS;

  const start = () => startServer({ env: loadEnv({ DATABASE_URL: databaseUrl, LOG_LEVEL: "silent", LVS_NEXT: "0", LVS_DEMO: "0" }), port: 0, host: "127.0.0.1" });
  const wsUrl = (p: string) => s.url.replace("http", "ws") + p;
  const trpc = async (proc: string, input: unknown) => {
    const res = await fetch(`${s.url}/api/trpc/${proc}?input=${encodeURIComponent(JSON.stringify(input))}`, { headers: { cookie } });
    return { status: res.status, body: (await res.json()) as { result?: { data: unknown }; error?: { message: string } } };
  };
  const sendAgent = (msg: object) => agent.send(JSON.stringify({ v: PROTOCOL_VERSION, ...msg }));

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), "live-stats-"));
    if (name === "PostgreSQL") {
      pgdb = await createTestPostgres();
      databaseUrl = pgdb.url;
    } else databaseUrl = `pglite:${dir}/db`;
    s = await start();
    const topo = new TopologyService({ prisma: s.db.prisma, bus: s.bus, log: s.log });
    const t = await topo.create("live", null);
    await topo.save({ id: t.id, expectedRevision: t.revision, document: doc(), message: "", author: null });
    topologyId = t.id;
    const enrolled = await new DirectorService({ prisma: s.db.prisma, bus: s.bus, log: s.log }).create({ topologyId, key: "d1" });
    directorId = enrolled.director.id;
    token = enrolled.token;
    cookie = await sessionCookieFor(s.db, "viewer");
  }, 60_000);

  afterAll(async () => {
    agent?.terminate();
    await s?.close().catch(() => {});
    await pgdb?.drop();
    await fs.rm(dir, { recursive: true, force: true });
  }, 30_000);

  it("a subscriber gets the snapshot first, then only what changed; /metrics equals the statistics", async () => {
    agent = await open(wsUrl("/api/agent"), { authorization: `Bearer ${token}` });
    sendAgent({ type: "hello", agentVersion: "test", engine: "fake", hostname: "h", appliedRevision: null, table: { services: [] } });
    for (let i = 0; i < 5; i++) sendAgent({ type: "stats", snapshot: snapshot(t0 + i * 1000, i) });
    await expect.poll(() => s.live.store.latest(directorId)?.at, { timeout: 5000 }).toBe(t0 + 4000);

    const browser = new Inbox(await open(wsUrl("/api/live"), { cookie }));
    browser.ws.send(JSON.stringify({ type: "subscribe", topologyId }));
    const sub = await browser.next("subscribed");
    expect(sub.sub).toBe(topologyId);
    const snap = await browser.next("snapshot");
    expect(snap.directors).toHaveLength(1);
    expect(snap.directors[0]).toMatchObject({ directorId, name: "lvs-live", online: true, at: t0 + 4000 });
    expect(snap.directors[0]!.services[0]!.destinations.map((d) => d.counters.conns)).toEqual([8, 4]);

    // rs2 unchanged except counters → both change; then only rs1's ActiveConn changes
    sendAgent({ type: "stats", snapshot: snapshot(t0 + 5000, 5) });
    const d1 = await browser.next("stats");
    expect(snap.seq).toBe(0);
    expect(d1.seq).toBe(1);
    expect(d1.services[0]!.destinations).toHaveLength(2);
    const s5 = snapshot(t0 + 6000, 5, 9);
    sendAgent({ type: "stats", snapshot: s5 });
    const d2 = await browser.next("stats", (m) => m.at === t0 + 6000);
    expect(d2.services[0]!.destinations.map((d) => [d.address, d.activeConns])).toEqual([["127.0.30.1", 9]]);
    expect(d2.seq).toBe(2);

    // the tables' tRPC read gives the same state as the socket
    const viaTrpc = await trpc("live.snapshot", { topologyId });
    expect(viaTrpc.status).toBe(200);
    expect((viaTrpc.body.result!.data as Array<{ at: number; services: unknown[] }>)[0]).toMatchObject({ at: t0 + 6000, services: [{ key: SK, counters: s5.services[0]!.counters }] });

    const res = await fetch(`${s.url}/metrics`);
    expect(res.status).toBe(200);
    const text = await res.text();
    const be = (addr: string) => ({ director: "lvs-live", local_address: "127.0.10.1", local_port: "80", remote_address: addr, remote_port: "8080", proto: "TCP" });
    for (const d of s5.services[0]!.destinations) {
      expect(metric(text, "node_ipvs_backend_connections_active", be(d.address))).toBe(d.activeConns);
      expect(metric(text, "node_ipvs_backend_connections_inactive", be(d.address))).toBe(d.inactConns);
      expect(metric(text, "node_ipvs_backend_weight", be(d.address))).toBe(d.weight);
    }
    const svc = { director: "lvs-live", local_address: "127.0.10.1", local_port: "80", proto: "TCP" };
    expect(metric(text, "node_ipvs_service_connections_total", svc)).toBe(s5.services[0]!.counters.conns);
    expect(metric(text, "node_ipvs_service_incoming_bytes_total", svc)).toBe(s5.services[0]!.counters.inBytes);
    expect(metric(text, "node_ipvs_service_outgoing_packets_total", svc)).toBe(s5.services[0]!.counters.outPkts);
    expect(metric(text, "lvs_director_up", { director: "lvs-live" })).toBe(1);
    browser.ws.close();
  });

  it("health transitions reach subscribers and give availability; resume brings the missed samples", async () => {
    const browser = new Inbox(await open(wsUrl("/api/live"), { cookie }));
    browser.ws.send(JSON.stringify({ type: "subscribe", topologyId, serviceKey: SK }));
    const first = await browser.next("snapshot");
    const lastSeen = first.directors[0]!.at!;
    const tr = (at: number, from: string, to: string) => ({ service: key, destination: { address: "127.0.30.2", port: 8080 }, realServerId: null, serviceId: null, from, to, at, message: "" });
    sendAgent({ type: "health", transitions: [tr(t0, "unknown", "up"), tr(t0 + 60_000, "up", "down"), tr(t0 + 90_000, "down", "up")] });
    const h = await browser.next("health", (m) => m.to === "down");
    expect(h).toMatchObject({ directorId, serviceKey: SK, address: "127.0.30.2", port: 8080, from: "up", to: "down" });
    const q = await trpc("live.availability", { topologyId, from: t0, to: t0 + 300_000 });
    expect(q.status).toBe(200);
    const a = (q.body.result!.data as { services: Array<{ realServers: Array<{ availability: { availability: number; failures: number; mttrMs: number; mtbfMs: number } }> }> }).services[0]!.realServers[0]!.availability;
    expect(a.failures).toBe(1);
    expect(a.mttrMs).toBe(30_000);
    expect(a.mtbfMs).toBe(270_000);
    expect(a.availability).toBeCloseTo(0.9, 10);
    // one checked member: the service is down exactly when it is
    const svcA = (q.body.result!.data as { services: Array<{ serviceKey: string; availability: { availability: number; failures: number } }> }).services[0]!;
    expect(svcA.serviceKey).toBe(SK);
    expect(svcA.availability.failures).toBe(1);
    expect(svcA.availability.availability).toBeCloseTo(0.9, 10);

    // the browser goes away; 3 samples later it resumes with `since`
    browser.ws.terminate();
    for (let i = 7; i < 10; i++) sendAgent({ type: "stats", snapshot: snapshot(t0 + i * 1000, i) });
    await expect.poll(() => s.live.store.latest(directorId)?.at, { timeout: 5000 }).toBe(t0 + 9000);
    const again = new Inbox(await open(wsUrl("/api/live"), { cookie }));
    again.ws.send(JSON.stringify({ type: "subscribe", topologyId, serviceKey: SK, since: lastSeen }));
    const resumed = await again.next("snapshot");
    expect(resumed.directors[0]!.at).toBe(t0 + 9000);
    const total = resumed.recent!.find((x) => x.series === `${directorId}/${SK}`)!;
    expect(total.points.map((p) => p.at)).toEqual([t0 + 7000, t0 + 8000, t0 + 9000]);
    expect(resumed.directors[0]!.health).toEqual([{ serviceKey: SK, address: "127.0.30.2", port: 8080, state: "up", since: t0 + 90_000 }]);

    // a short range comes from the 1 s samples (rs1 took 2 conns/s: its rate is 2*i/(i+1) rounded)
    const hs = await trpc("live.history", { directorId, serviceKey: SK, destination: "127.0.30.1|8080", from: t0, to: t0 + 10_000 });
    const samples = hs.body.result!.data as { source: string; stepMs: number; points: Array<{ at: number; cps: number; activeConns: number }> };
    expect(samples.source).toBe("samples");
    expect(samples.stepMs).toBe(1000);
    expect(samples.points.map((p) => p.at)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((i) => t0 + i * 1000));
    expect(samples.points.map((p) => p.cps)).toEqual([0, 1, 1, 2, 2, 2, 2, 2, 2, 2]);
    expect(samples.points[6]!.activeConns).toBe(9);
    // ... averaged into 2 s points when fewer are asked for
    const avg = (await trpc("live.history", { directorId, serviceKey: SK, destination: "127.0.30.1|8080", from: t0, to: t0 + 20_000, maxPoints: 10 })).body.result!.data as typeof samples;
    expect(avg.stepMs).toBe(2000);
    expect(avg.points.map((p) => [p.at - t0, p.cps])).toEqual([[0, 0.5], [2000, 1.5], [4000, 2], [6000, 2], [8000, 2]]);

    // agent gone: the subscriber sees the director go offline
    agent.close();
    const off = await again.next("director");
    expect(off).toMatchObject({ directorId, online: false });
    expect(metric(await (await fetch(`${s.url}/metrics`)).text(), "lvs_director_up", { director: "lvs-live" })).toBe(0);
    again.ws.close();
  });

  it("minute rollups are written, read back downsampled, survive a restart and are pruned by retention", async () => {
    agent = await open(wsUrl("/api/agent"), { authorization: `Bearer ${token}` });
    sendAgent({ type: "hello", agentVersion: "test", engine: "fake", hostname: "h", appliedRevision: null, table: { services: [] } });
    // three minutes at 1 Hz from t0 + 5 min: counters restart from 0 (a new agent), 3 conns/s
    const base = t0 + 5 * MINUTE_MS;
    // in chunks: the hub keeps at most 100 frames queued per agent (a real agent sends one a second)
    for (let i = 0; i < 180; i += 20) {
      for (let j = i; j < i + 20; j++) sendAgent({ type: "stats", snapshot: snapshot(base + j * 1000, j) });
      await expect.poll(() => s.live.store.latest(directorId)?.at, { timeout: 10_000 }).toBe(base + (i + 19) * 1000);
    }
    await s.live.writer.flush();
    const long = { directorId, serviceKey: SK, from: t0 - 24 * 3600_000, to: t0 + 10 * MINUTE_MS };
    const h = await trpc("live.history", long);
    expect(h.status).toBe(200);
    const hist = h.body.result!.data as { source: string; stepMs: number; points: Array<{ at: number; cps: number }> };
    expect(hist.source).toBe("rollups");
    expect(hist.stepMs).toBeGreaterThanOrEqual(5 * MINUTE_MS); // 24 h in <= 300 points
    const conns = hist.points.reduce((sum, p) => sum + (p.cps * hist.stepMs) / 1000, 0);
    // minute 0 from the first test (5 conns/s... 6 samples) is in the same range; the new series adds 3/s
    expect(Math.round(conns)).toBeGreaterThanOrEqual(3 * 179 - 3);

    const before = await s.live.repo.read(directorId, SK, "", base, base + 3 * MINUTE_MS, MINUTE_MS);
    expect(before.map((x) => x.bucket)).toEqual([base, base + MINUTE_MS]);
    expect(before.map((x) => x.delta.conns)).toEqual([59 * 3, 60 * 3]);

    // restart: the bucket in progress is written at shutdown, and history is read from the database
    agent.terminate();
    await s.close();
    s = await start();
    cookie = await sessionCookieFor(s.db, "viewer");
    const after = await s.live.repo.read(directorId, SK, "", base, base + 3 * MINUTE_MS, MINUTE_MS);
    expect(after.map((x) => [x.bucket, x.delta.conns])).toEqual([[base, 177], [base + MINUTE_MS, 180], [base + 2 * MINUTE_MS, 180]]);
    const h2 = await trpc("live.history", { ...long, destination: "127.0.30.1|8080" });
    const pts = (h2.body.result!.data as { stepMs: number; points: Array<{ at: number; cps: number }> });
    expect(pts.stepMs).toBe(5 * MINUTE_MS);
    const p2 = pts.points.find((p) => p.at === base)!;
    expect(p2.cps * 300).toBeCloseTo(2 * (59 + 60 + 60), 6);

    // retention: a row older than LVS_STATS_RETENTION_HOURS (48) goes, recent rows stay
    await s.live.repo.write([{ directorId, serviceKey: SK, destKey: "", rollup: { bucket: Date.now() - 49 * 3600_000, bucketMs: MINUTE_MS, delta: c(1), activeMax: 0, activeLast: 0, inactLast: 0, samples: 1 } }]);
    const n = await s.live.repo.count();
    await s.live.writer.prune();
    expect(await s.live.repo.count()).toBe(n - 1);
    expect((await s.live.repo.read(directorId, SK, "", base, base + 3 * MINUTE_MS, MINUTE_MS))).toHaveLength(3);
  }, 60_000);

  it("availability: a first recorded up->down starts up, and members with no transition count as up", async () => {
    const k2 = "tcp|127.0.11.1|80";
    const base = t0 + 3_600_000;
    await s.db.prisma.director.update({
      where: { id: directorId },
      data: { reportedTable: { services: [{ protocol: "tcp", family: "inet", address: "127.0.11.1", port: 80, scheduler: "wlc", flags: [], persistence: null, persistenceEngine: null, onePacket: false, destinations: ["127.0.31.1", "127.0.31.2"].map((address) => ({ address, port: 80, method: "nat", weight: 1, upperThreshold: 0, lowerThreshold: 0, tunnel: null })) }] } },
    });
    // 127.0.31.1 fails 100 s into the range and is back 50 s later; 127.0.31.2 never changes
    await s.db.prisma.healthTransition.createMany({ data: [
      { directorId, serviceKey: k2, rip: "127.0.31.1", port: 80, from: "up", to: "down", at: new Date(base + 100_000) },
      { directorId, serviceKey: k2, rip: "127.0.31.1", port: 80, from: "down", to: "up", at: new Date(base + 150_000) },
    ] });
    const q = await trpc("live.availability", { topologyId, from: base, to: base + 1_000_000, serviceKey: k2 });
    expect(q.status).toBe(200);
    const svc = (q.body.result!.data as { services: Array<{ serviceKey: string; availability: { availability: number; failures: number }; realServers: Array<{ address: string; availability: { availability: number; failures: number; mtbfMs: number | null; mttrMs: number | null } }> }> }).services;
    expect(svc.map((x) => x.serviceKey)).toEqual([k2]);
    const [rs1, rs2] = svc[0]!.realServers;
    expect(rs1).toMatchObject({ address: "127.0.31.1", availability: { failures: 1, mtbfMs: 950_000, mttrMs: 50_000 } });
    expect(rs1!.availability.availability).toBeCloseTo(0.95, 10);
    expect(rs2).toMatchObject({ address: "127.0.31.2", availability: { failures: 0, availability: 1 } });
    // one of two members up the whole time: the service (quorum 1) never went down
    expect(svc[0]!.availability).toMatchObject({ failures: 0, availability: 1 });
  });

  it("bad input names the field and the rule; a director without an agent says so", async () => {
    const bad = await trpc("live.history", { directorId, serviceKey: SK, from: 10, to: 5 });
    expect(bad.status).toBe(400);
    expect(bad.body.error!.message).toMatch(/to: to must be after from/);
    const badDest = await trpc("live.history", { directorId, serviceKey: SK, from: 0, to: 5, destination: "10.0.0.1:80" });
    expect(badDest.body.error!.message).toMatch(/destination: must be address\|port/);
    // no session: the live socket and the live procedures are refused
    const anon = new WebSocket(wsUrl("/api/live"));
    const status = await new Promise<number>((res) => {
      anon.once("unexpected-response", (_q, r) => res(r.statusCode ?? 0));
      anon.once("open", () => res(101));
    });
    expect(status).toBe(401);
    const anonHistory = await fetch(`${s.url}/api/trpc/live.history?input=${encodeURIComponent(JSON.stringify({ directorId, serviceKey: SK, from: 0, to: 5 }))}`);
    expect(anonHistory.status).toBe(401);
    const conn = await trpc("live.connections", { directorId });
    expect(conn.status).toBe(404);
    expect(conn.body.error!.message).toMatch(/directorId: director .* not connected/);
  });
});
