/**
 * Sign-in over real HTTP and WebSocket (startServer on PGlite, no Next): cookie attributes, the
 * gate at the HTTP layer (401/403), logout, cross-origin refusals, and the /api/live upgrade check.
 * Plus the page guard's decisions (pure).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { startServer, type RunningServer } from "../app.ts";
import { loadEnv } from "../env.ts";
import { pageRedirect } from "./requestGuards.ts";
import { firstAdminCookie, loginCookie, sessionCookieFor } from "./testing.ts";

const env = loadEnv({ DATABASE_URL: "pglite:memory", LOG_LEVEL: "silent", LVS_NEXT: "0", PORT: "0", HOST: "127.0.0.1" });

async function post(base: string, proc: string, input: unknown, headers: Record<string, string> = {}) {
  return fetch(`${base}/api/trpc/${proc}`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(input) });
}
const get = (base: string, proc: string, headers: Record<string, string> = {}) => fetch(`${base}/api/trpc/${proc}`, { headers });

/** resolves with the HTTP status of a refused upgrade, or 101 when the socket opened */
function upgrade(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url.replace("http", "ws") + "/api/live", { headers });
    ws.once("open", () => (ws.close(), resolve(101)));
    ws.once("unexpected-response", (_req, res) => (resolve(res.statusCode ?? 0), ws.terminate()));
    ws.once("error", (err) => reject(err));
  });
}

describe("sign-in over HTTP", () => {
  let s: RunningServer;
  let admin: string;
  beforeAll(async () => {
    s = await startServer({ env });
  }, 60_000);
  afterAll(async () => s?.close());

  it("before setup: status says so, and the API refuses anonymous callers with 401", async () => {
    const status = await (await get(s.url, "auth.status")).json();
    expect(status.result.data).toEqual({ setupRequired: true, session: null });
    expect((await get(s.url, "topology.list")).status).toBe(401);
    expect((await post(s.url, "topology.create", { name: "x" })).status).toBe(401);
  });

  it("setup sets an HttpOnly SameSite cookie with a lifetime (Secure only over HTTPS) and signs in", async () => {
    const res = await post(s.url, "auth.setup", { email: "admin@example.com", name: "Admin", password: "admin-password-1" });
    expect(res.status).toBe(200);
    const set = res.headers.getSetCookie()[0]!;
    expect(set).toMatch(/^lvs_session=lvss_[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Lax; Max-Age=43200$/);
    admin = set.split(";")[0]!;
    const me = await (await get(s.url, "auth.status", { cookie: admin })).json();
    expect(me.result.data.session).toMatchObject({ email: "admin@example.com", role: "admin" });
    expect((await post(s.url, "auth.setup", { email: "x@example.com", password: "admin-password-1" })).status).toBe(409);
    // behind a TLS-terminating proxy the cookie is Secure
    const tls = await post(s.url, "auth.login", { email: "admin@example.com", password: "admin-password-1" }, { "x-forwarded-proto": "https" });
    expect(tls.headers.getSetCookie()[0]).toMatch(/; Secure$/);
  });

  it("wrong password is 401; the audit row names the address; logout ends the session and clears the cookie", async () => {
    expect((await post(s.url, "auth.login", { email: "admin@example.com", password: "not-the-password" })).status).toBe(401);
    const cookie = await loginCookie(s.url, "admin@example.com", "admin-password-1");
    expect((await get(s.url, "topology.list", { cookie })).status).toBe(200);
    const out = await post(s.url, "auth.logout", null, { cookie });
    expect(out.status).toBe(200);
    expect(out.headers.getSetCookie()[0]).toMatch(/^lvs_session=; .*Max-Age=0/);
    expect((await get(s.url, "topology.list", { cookie })).status).toBe(401);
    const rows = await s.db.prisma.auditEvent.findMany({ where: { action: { in: ["auth.login", "auth.logout"] } }, orderBy: { id: "asc" } });
    expect(rows.map((r) => [r.action, r.outcome, r.sourceIp])).toEqual([
      ["auth.login", "success", "127.0.0.1"],
      ["auth.login", "failure", "127.0.0.1"],
      ["auth.login", "success", "127.0.0.1"],
      ["auth.logout", "success", "127.0.0.1"],
    ]);
  });

  it("a viewer reads but may not change (403); a cross-origin call is refused before tRPC", async () => {
    const viewer = await sessionCookieFor(s.db, "viewer");
    expect((await get(s.url, "topology.list", { cookie: viewer })).status).toBe(200);
    const denied = await post(s.url, "topology.create", { name: "nope" }, { cookie: viewer });
    expect(denied.status).toBe(403);
    expect((await denied.json()).error.message).toBe("topology.create needs the operator role (you are viewer)");
    expect((await post(s.url, "user.create", { email: "a@b.c", role: "admin", password: "0123456789" }, { cookie: viewer })).status).toBe(403);
    expect((await post(s.url, "topology.create", { name: "csrf" }, { cookie: admin, origin: "http://evil.example" })).status).toBe(403);
    expect((await post(s.url, "topology.create", { name: "same-origin" }, { cookie: admin, origin: s.url })).status).toBe(200);
  });

  it("/api/live: no session 401, foreign Origin 403, same origin with a session opens", async () => {
    expect(await upgrade(s.url, {})).toBe(401);
    const viewer = await sessionCookieFor(s.db, "viewer");
    expect(await upgrade(s.url, { cookie: viewer, origin: "http://evil.example" })).toBe(403);
    expect(await upgrade(s.url, { cookie: "lvs_session=lvss_forged" })).toBe(401);
    expect(await upgrade(s.url, { cookie: viewer, origin: s.url })).toBe(101);
  });

  it("firstAdminCookie only works on a server without users", async () => {
    await expect(firstAdminCookie(s.url)).rejects.toThrow(/409/);
  });
});

describe("page guard", () => {
  const session = { userId: "u", email: "a@b.c", role: "viewer" as const };
  const yes = async () => true;
  const no = async () => false;
  it("sends a newcomer to /setup and keeps /setup closed once an admin exists", async () => {
    expect(await pageRedirect("/", null, yes)).toBe("/setup");
    expect(await pageRedirect("/topologies", null, yes)).toBe("/setup");
    expect(await pageRedirect("/login", null, yes)).toBe("/setup");
    expect(await pageRedirect("/setup", null, yes)).toBeNull();
    expect(await pageRedirect("/setup", null, no)).toBe("/login");
    expect(await pageRedirect("/setup", session, no)).toBe("/");
  });
  it("sends anonymous views to /login with where they were going; signed-in views pass", async () => {
    expect(await pageRedirect("/", null, no)).toBe("/login");
    expect(await pageRedirect("/topology/abc?x=1", null, no)).toBe("/login?next=%2Ftopology%2Fabc%3Fx%3D1");
    expect(await pageRedirect("/login", null, no)).toBeNull();
    expect(await pageRedirect("/login", session, no)).toBe("/");
    expect(await pageRedirect("/topology/abc", session, no)).toBeNull();
  });
});
