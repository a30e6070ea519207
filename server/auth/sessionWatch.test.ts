import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket, { WebSocketServer } from "ws";
import { openDatabase, type Database } from "../db/openDatabase.ts";
import { createSessionResolver, destroySession } from "./sessions.ts";
import { SessionWatch } from "./sessionWatch.ts";
import { sessionCookieFor } from "./testing.ts";

describe("SessionWatch", () => {
  let db: Database;
  let server: http.Server;
  let watch: SessionWatch;
  let url: string;
  beforeAll(async () => {
    db = await openDatabase({ DATABASE_URL: "pglite:memory" });
    await db.migrate();
    watch = new SessionWatch({ db, resolveSession: createSessionResolver({ now: Date.now }), action: "live.subscribe", intervalMs: 3_600_000 });
    const wss = new WebSocketServer({ noServer: true });
    server = http.createServer();
    server.on("upgrade", (req, socket, head) => {
      watch.watch(req, socket);
      wss.handleUpgrade(req, socket, head, () => {});
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }, 60_000);
  afterAll(async () => {
    watch?.close();
    server?.closeAllConnections();
    await new Promise((r) => server?.close(r));
    await db?.close();
  });

  const open = (cookie: string) =>
    new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocket(url, { headers: { cookie } });
      ws.once("open", () => resolve(ws));
      ws.once("error", reject);
    });

  it("drops the sockets whose session ended and keeps the others", async () => {
    const ending = await sessionCookieFor(db, "viewer", { email: "leaving@test.invalid" });
    const staying = await sessionCookieFor(db, "viewer", { email: "staying@test.invalid" });
    const a = await open(ending);
    const b = await open(staying);
    expect(watch.size).toBe(2);
    expect(await watch.check()).toBe(0);
    const aClosed = new Promise<number>((r) => a.once("close", (code) => r(code)));
    await destroySession(db.prisma, ending.split("=")[1]!);
    expect(await watch.check()).toBe(1);
    expect(await aClosed).toBe(1006); // dropped, not a clean close: the client reconnects and meets the upgrade check
    expect(b.readyState).toBe(WebSocket.OPEN);
    expect(watch.size).toBe(1);
    b.close();
  });
});
