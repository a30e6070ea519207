import net from "node:net";
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { startServer, type RunningServer } from "./app.ts";
import { createTestPostgres, NO_POSTGRES_REASON, TEST_DATABASE_URL, type TestPostgres } from "./db/testDatabase.ts";
import { loadEnv } from "./env.ts";
import type { LiveServerMessage } from "../lvs/protocol/live.ts";
import { sampleTopology } from "./api/testFixtures.ts";
import { sessionCookieFor } from "./auth/testing.ts";

const env = (DATABASE_URL: string) => loadEnv({ DATABASE_URL, LOG_LEVEL: "silent", LVS_NEXT: "0", PORT: "0", HOST: "127.0.0.1" });

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tRPC JSON envelopes checked field by field
async function trpc(base: string, proc: string, input: unknown, cookie: string): Promise<{ status: number; body: any }> {
  const res = await fetch(`${base}/api/trpc/${proc}`, { method: "POST", headers: { "content-type": "application/json", cookie }, body: JSON.stringify(input) });
  return { status: res.status, body: await res.json() };
}

/** a ws client that queues every message; next(type) waits (bounded) for the next one of that type */
function liveClient(url: string, cookie: string) {
  const ws = new WebSocket(url.replace("http", "ws") + "/api/live", { headers: { cookie } });
  const queue: LiveServerMessage[] = [];
  const waiters: Array<() => void> = [];
  ws.on("message", (d) => {
    queue.push(JSON.parse(d.toString()));
    waiters.splice(0).forEach((w) => w());
  });
  const opened = new Promise<void>((resolve, reject) => (ws.once("open", () => resolve()), ws.once("error", reject)));
  async function next<T extends LiveServerMessage["type"]>(type: T, timeoutMs = 5000): Promise<Extract<LiveServerMessage, { type: T }>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = queue.findIndex((m) => m.type === type);
      if (i >= 0) return queue.splice(i, 1)[0] as never;
      if (Date.now() > deadline) throw new Error(`no ${type} message within ${timeoutMs} ms (got ${JSON.stringify(queue)})`);
      await new Promise<void>((r) => {
        waiters.push(r);
        setTimeout(r, 100);
      });
    }
  }
  return { ws, opened, next, send: (m: unknown) => ws.send(JSON.stringify(m)) };
}

/** raw upgrade request; resolves with the first response line and how long it took */
function rawUpgrade(port: number, path: string): Promise<{ statusLine: string; ms: number; closed: boolean }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const s = net.connect(port, "127.0.0.1");
    let data = "";
    const t = setTimeout(() => (s.destroy(), reject(new Error("upgrade hung"))), 3000);
    s.on("data", (d) => (data += d.toString()));
    s.on("close", () => {
      clearTimeout(t);
      resolve({ statusLine: data.split("\r\n")[0]!, ms: Date.now() - started, closed: true });
    });
    s.write(`GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`);
  });
}

describe("control plane server (PGlite, no Next)", () => {
  let s: RunningServer;
  let cookie: string;
  beforeAll(async () => {
    s = await startServer({ env: env("pglite:memory") });
    cookie = await sessionCookieFor(s.db, "operator");
  });
  afterAll(async () => {
    await s?.close();
  });

  it("/healthz reports the database up", async () => {
    const res = await fetch(`${s.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok", database: "up", kind: "pglite" });
  });

  it("an unknown WebSocket path gets 404 at once and the socket is closed", async () => {
    const r = await rawUpgrade(s.port, "/api/nope?x=1");
    expect(r.statusLine).toBe("HTTP/1.1 404 Not Found");
    expect(r.closed).toBe(true); // a hang fails rawUpgrade itself (3 s); no wall-clock bound on a loaded machine
  });

  it("tRPC over HTTP: bad input is 400 with flattened zod issues and no stack; unknown id is 404", async () => {
    const bad = await trpc(s.url, "topology.create", { name: 42 }, cookie);
    expect(bad.status).toBe(400);
    expect(bad.body.error.data.code).toBe("BAD_REQUEST");
    expect(bad.body.error.data.zodError.fieldErrors.name).toHaveLength(1);
    expect(bad.body.error.message).toMatch(/^name: /);
    expect(JSON.stringify(bad.body)).not.toMatch(/stack|\.ts:\d+/);
    const notJson = await fetch(`${s.url}/api/trpc/topology.create`, { method: "POST", headers: { "content-type": "application/json", cookie }, body: "{" });
    expect(notJson.status).toBe(400);
    const missing = await fetch(`${s.url}/api/trpc/topology.get?input=${encodeURIComponent(JSON.stringify({ id: "nope" }))}`, { headers: { cookie } });
    expect(missing.status).toBe(404);
    expect((await fetch(`${s.url}/api/other`)).status).toBe(404);
  });

  it("/api/live forwards topology.saved to the subscribers of that topology only", async () => {
    const created = await trpc(s.url, "topology.create", { name: "live" }, cookie);
    const other = await trpc(s.url, "topology.create", { name: "other" }, cookie);
    const id = created.body.result.data.id as string;
    const c = liveClient(s.url, cookie);
    await c.opened;
    c.send({ type: "subscribe", topologyId: id });
    await c.next("subscribed");
    c.send({ type: "subscribe" });
    expect((await c.next("error")).message).toMatch(/^invalid message: topologyId/);
    await trpc(s.url, "topology.save", { id: other.body.result.data.id, expectedRevision: 1, document: sampleTopology("other") }, cookie);
    const saved = await trpc(s.url, "topology.save", { id, expectedRevision: 1, document: sampleTopology("live"), message: "hi" }, cookie);
    expect(saved.status).toBe(200);
    const msg = await c.next("topology.saved");
    expect(msg).toMatchObject({ topologyId: id, revision: 2 });
    c.ws.close();
  });

  it("close(): live sockets get 1001, then /healthz is gone", async () => {
    const c = liveClient(s.url, cookie);
    await c.opened;
    const code = new Promise<number>((r) => c.ws.once("close", (n) => r(n)));
    await s.close();
    expect(await code).toBe(1001);
    await expect(fetch(`${s.url}/healthz`)).rejects.toThrow();
  });
});

describe("healthz when the database is down", () => {
  it("answers 503 with database down", async () => {
    const s = await startServer({ env: env("pglite:memory") });
    try {
      await s.db.close();
      const res = await fetch(`${s.url}/healthz`);
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({ status: "degraded", database: "down", kind: "pglite" });
    } finally {
      await s.close();
    }
  });
});

describe.skipIf(!TEST_DATABASE_URL)(`two instances on one PostgreSQL${TEST_DATABASE_URL ? "" : `: skipped, ${NO_POSTGRES_REASON}`}`, () => {
  let pgdb: TestPostgres;
  let a: RunningServer;
  let b: RunningServer;
  let cookie: string;
  beforeAll(async () => {
    pgdb = await createTestPostgres();
    const pgChannel = `lvs_test_${randomBytes(4).toString("hex")}`;
    a = await startServer({ env: env(pgdb.url), pgChannel });
    b = await startServer({ env: env(pgdb.url), pgChannel });
    cookie = await sessionCookieFor(a.db, "operator"); // one database: a session made through A is valid at B
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await pgdb?.drop();
  });

  it("/healthz says postgres", async () => {
    expect(await (await fetch(`${b.url}/healthz`)).json()).toEqual({ status: "ok", database: "up", kind: "postgres" });
  });

  it("a save through one instance reaches the bus and the live sockets of the other", async () => {
    const created = await trpc(a.url, "topology.create", { name: "shared" }, cookie);
    const id = created.body.result.data.id as string;
    const atB = new Promise<number>((resolve) => {
      const off = b.bus.subscribe("topology.saved", (e) => {
        if (e.topologyId === id && e.revision === 2) {
          off();
          resolve(e.revision);
        }
      });
    });
    const c = liveClient(b.url, cookie);
    await c.opened;
    c.send({ type: "subscribe", topologyId: id });
    await c.next("subscribed");
    const saved = await trpc(a.url, "topology.save", { id, expectedRevision: 1, document: sampleTopology("shared"), message: "" }, cookie);
    expect(saved.body.result.data.revision).toBe(2);
    expect(await atB).toBe(2);
    expect(await c.next("topology.saved")).toMatchObject({ topologyId: id, revision: 2 });
    // and B sees A's data: one database
    const got = await fetch(`${b.url}/api/trpc/topology.get?input=${encodeURIComponent(JSON.stringify({ id }))}`, { headers: { cookie } });
    expect((await got.json()).result.data.revision).toBe(2);
    c.ws.close();
  });
});
