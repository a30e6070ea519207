/**
 * Stale health after an agent restart, end to end on the real control plane (PGlite, and PostgreSQL
 * when TEST_DATABASE_URL is set): an agent reports a real server down, goes away, and comes back
 * with it up but no transition to send (the one it made while offline was lost with its restart).
 * Its `health.state` after welcome puts the console right — currentHealth, the live snapshot and a
 * live `health` message, `lvs_backend_health_up` in /metrics — while only the one real difference is
 * recorded as a transition (availability history stays exact).
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
import type { LiveServerMessage } from "../../lvs/protocol/live.ts";
import { currentHealth } from "./healthQuery.ts";

const key = { protocol: "tcp" as const, family: "inet" as const, address: "127.0.10.1", port: 80 };
const SK = "tcp|127.0.10.1|80";
const zero = { conns: 0, inPkts: 0, outPkts: 0, inBytes: 0, outBytes: 0 };
const rates = { cps: 0, inPps: 0, outPps: 0, inBps: 0, outBps: 0 };
const RS = ["127.0.30.1", "127.0.30.2"];

function snapshot(at: number): StatsSnapshot {
  return { at, services: [{ key, counters: zero, rates, destinations: RS.map((address) => ({ address, port: 8080, weight: 1, activeConns: 0, inactConns: 0, persistConns: 0, counters: zero, rates })) }] };
}
const target = (address: string) => ({ service: key, destination: { address, port: 8080 }, realServerId: null, serviceId: null });

function doc(): Topology {
  return {
    name: "resync", directors: [{ id: "d1", name: "lvs-resync", managementAddress: null, interfaces: [], engine: "userspace" }],
    services: [], realServers: [], memberships: [], layout: {},
  };
}

function metric(text: string, name: string, labels: Record<string, string>): number | null {
  for (const line of text.split("\n")) {
    if (!line.startsWith(name + "{")) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) return Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return null;
}

async function open(url: string, headers: Record<string, string>): Promise<{ ws: WebSocket; msgs: Array<{ type: string } & Record<string, unknown>> }> {
  const ws = new WebSocket(url, { headers });
  const msgs: Array<{ type: string } & Record<string, unknown>> = [];
  ws.on("message", (d) => msgs.push(JSON.parse(d.toString())));
  await new Promise<void>((res, rej) => (ws.once("open", () => res()), ws.once("error", rej)));
  return { ws, msgs };
}

const kinds = [
  { name: "PGlite", skip: false },
  { name: "PostgreSQL", skip: !TEST_DATABASE_URL },
];

describe.each(kinds)("health after an agent restart on $name", ({ name, skip }) => {
  if (skip) {
    it.skip(`skipped: ${NO_POSTGRES_REASON}`, () => {});
    return;
  }
  let s: RunningServer;
  let dir: string;
  let pgdb: TestPostgres | null = null;
  let topologyId: string;
  let directorId: string;
  let token: string;
  let cookie: string;
  const sockets: WebSocket[] = [];

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), "health-resync-"));
    if (name === "PostgreSQL") pgdb = await createTestPostgres();
    s = await startServer({ env: loadEnv({ DATABASE_URL: pgdb ? pgdb.url : `pglite:${dir}/db`, LOG_LEVEL: "silent", LVS_NEXT: "0", LVS_DEMO: "0" }), port: 0, host: "127.0.0.1" });
    const topo = new TopologyService({ prisma: s.db.prisma, bus: s.bus, log: s.log });
    const t = await topo.create("resync", null);
    await topo.save({ id: t.id, expectedRevision: t.revision, document: doc(), message: "", author: null });
    topologyId = t.id;
    const enrolled = await new DirectorService({ prisma: s.db.prisma, bus: s.bus, log: s.log }).create({ topologyId, key: "d1" });
    directorId = enrolled.director.id;
    token = enrolled.token;
    cookie = await sessionCookieFor(s.db, "viewer");
  }, 60_000);

  afterAll(async () => {
    for (const ws of sockets) ws.terminate();
    await s?.close().catch(() => {});
    await pgdb?.drop();
    await fs.rm(dir, { recursive: true, force: true });
  }, 30_000);

  it("the current state sent after welcome corrects a stale down, recording only what differs", async () => {
    const wsUrl = (p: string) => s.url.replace("http", "ws") + p;
    const connectAgent = async () => {
      const a = await open(wsUrl("/api/agent"), { authorization: `Bearer ${token}` });
      sockets.push(a.ws);
      const send = (msg: object) => a.ws.send(JSON.stringify({ v: PROTOCOL_VERSION, ...msg }));
      send({ type: "hello", agentVersion: "test", engine: "fake", hostname: "h", appliedRevision: null, table: { services: [] } });
      await expect.poll(() => a.msgs.find((m) => m.type === "welcome"), { timeout: 5000 }).toBeTruthy();
      send({ type: "stats", snapshot: snapshot(Date.now()) });
      return { ...a, send };
    };
    const healthUp = async (address: string) => {
      const text = await (await fetch(`${s.url}/metrics`)).text();
      return metric(text, "lvs_backend_health_up", { director: "lvs-resync", remote_address: address, remote_port: "8080" });
    };

    // first life: 127.0.30.1 fails
    const first = await connectAgent();
    expect(first.msgs.find((m) => m.type === "welcome")).toMatchObject({ features: expect.arrayContaining(["health.state"]) });
    const t1 = Date.now() - 60_000;
    first.send({ type: "health", transitions: [{ ...target(RS[0]!), from: "up", to: "down", at: t1, message: "ECONNREFUSED" }] });
    await expect.poll(() => healthUp(RS[0]!), { timeout: 5000 }).toBe(0);
    first.ws.close();
    await expect.poll(async () => (await s.db.prisma.director.findUniqueOrThrow({ where: { id: directorId } })).online, { timeout: 5000 }).toBe(false);

    // a browser watching the topology
    const browser = await open(wsUrl("/api/live"), { cookie });
    sockets.push(browser.ws);
    browser.ws.send(JSON.stringify({ type: "subscribe", topologyId }));
    await expect.poll(() => browser.msgs.some((m) => m.type === "snapshot"), { timeout: 5000 }).toBe(true);

    // second life: both up, nothing to transition; the state report after welcome says so
    const second = await connectAgent();
    const t2 = Date.now();
    second.send({ type: "health.state", at: t2, states: RS.map((address) => ({ ...target(address), state: "up", message: "connected" })) });
    await expect.poll(() => healthUp(RS[0]!), { timeout: 5000 }).toBe(1);
    expect(await healthUp(RS[1]!)).toBeNull(); // reported up with nothing stored: no transition recorded (and no desired check lists it)
    const now = await currentHealth(s.db.prisma, [directorId]);
    expect(now).toEqual([{ directorId, serviceKey: SK, address: RS[0], port: 8080, state: "up", since: t2 }]);
    const rows = await s.db.prisma.healthTransition.findMany({ where: { directorId }, orderBy: { at: "asc" }, select: { rip: true, from: true, to: true } });
    expect(rows).toEqual([{ rip: RS[0], from: "up", to: "down" }, { rip: RS[0], from: "down", to: "up" }]);
    const live = browser.msgs.find((m) => m.type === "health") as Extract<LiveServerMessage, { type: "health" }> | undefined;
    expect(live).toMatchObject({ address: RS[0], from: "down", to: "up", at: t2 });
    const snap = await fetch(`${s.url}/api/trpc/live.snapshot?input=${encodeURIComponent(JSON.stringify({ topologyId }))}`, { headers: { cookie } });
    const dirs = ((await snap.json()) as { result: { data: Array<{ health: Array<{ address: string; state: string }> }> } }).result.data;
    expect(dirs[0]!.health.find((h) => h.address === RS[0])).toMatchObject({ state: "up" });

    // the same report again (another reconnect) records nothing
    second.send({ type: "health.state", at: t2 + 1000, states: RS.map((address) => ({ ...target(address), state: "up", message: "connected" })) });
    second.send({ type: "heartbeat", at: t2 + 1000, appliedRevision: null });
    await new Promise((r) => setTimeout(r, 300));
    expect(await s.db.prisma.healthTransition.count({ where: { directorId } })).toBe(2);
  }, 60_000);
});
