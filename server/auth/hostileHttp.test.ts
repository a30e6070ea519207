/**
 * Hostile requests over real HTTP (startServer on PGlite, no Next): a malformed session cookie and NUL
 * bytes are a client's mistake (no session / 400 with a typed error), never a 500, and no raw database
 * error text reaches the audit log.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type RunningServer } from "../app.ts";
import { loadEnv } from "../env.ts";
import { firstAdminCookie } from "./testing.ts";

const env = loadEnv({ DATABASE_URL: "pglite:memory", LOG_LEVEL: "silent", LVS_NEXT: "0", PORT: "0", HOST: "127.0.0.1" });
const post = (base: string, proc: string, input: unknown, headers: Record<string, string> = {}) =>
  fetch(`${base}/api/trpc/${proc}`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(input) });
const get = (base: string, path: string, headers: Record<string, string> = {}) => fetch(`${base}${path}`, { headers, redirect: "manual" });

describe("hostile HTTP input", () => {
  let s: RunningServer;
  let admin: string;
  beforeAll(async () => {
    s = await startServer({ env });
    admin = await firstAdminCookie(s.url);
  }, 180_000);
  afterAll(async () => s?.close());

  it("a malformed session cookie is no session: 401 on the API, sign-in still works, no 500", async () => {
    for (const cookie of ["lvs_session=%", "lvs_session=%E0%A4%A", "lvs_session=%zz; other=1"]) {
      expect((await get(s.url, "/api/trpc/auth.status", { cookie })).status).toBe(200);
      expect((await get(s.url, "/api/trpc/topology.list", { cookie })).status).toBe(401);
      expect((await get(s.url, "/login", { cookie })).status).toBeLessThan(500);
      expect((await get(s.url, "/", { cookie })).status).toBeLessThan(500);
      const login = await post(s.url, "auth.login", { email: "admin@test.invalid", password: "test-admin-password" }, { cookie });
      expect(login.status).toBe(200);
      expect(login.headers.getSetCookie()[0]).toMatch(/^lvs_session=lvss_/);
    }
  });

  it("NUL bytes in any string are refused with 400 (typed), including unauthenticated sign-in", async () => {
    const login = await post(s.url, "auth.login", { email: "admin\u0000@test.invalid", password: "x\u0000y" });
    expect(login.status).toBe(400);
    expect((await login.json()).error.data.code).toBe("BAD_REQUEST");
    const create = await post(s.url, "topology.create", { name: "evil\u0000name" }, { cookie: admin });
    expect(create.status).toBe(400);
    const t = await (await post(s.url, "topology.create", { name: "clean" }, { cookie: admin })).json();
    const id = t.result.data.id as string;
    const doc = { name: "clean", directors: [{ id: "d\u00001", name: "x", managementAddress: null, interfaces: [], engine: "auto" }], services: [], realServers: [], memberships: [], layout: {} };
    expect((await post(s.url, "topology.save", { id, expectedRevision: 1, document: doc, message: "m\u0000" }, { cookie: admin })).status).toBe(400);
    expect((await post(s.url, "topology.save", { id: "x\u0000", expectedRevision: 1, document: { ...doc, directors: [] }, message: "" }, { cookie: admin })).status).toBe(400);
    const audit = await s.db.prisma.auditEvent.findMany({});
    const text = JSON.stringify(audit, (_k, v: unknown) => (typeof v === "bigint" ? String(v) : v));
    expect(text).not.toMatch(/22021|invalid byte sequence|\\\\u0000|PrismaClient|prisma\.|Invalid `/);
  });
});
