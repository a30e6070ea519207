/**
 * Sign-in throttling that holds under tRPC batching and concurrency (real HTTP, startServer): the
 * attempt is reserved in the database before the password is checked, so at most `perAccount` password
 * verifications happen per account and `perAddress` per address in a window, whatever arrives at once;
 * a batch containing a sign-in is refused as a whole. Password checks are counted by an injected verifier.
 * On PGlite and, when TEST_DATABASE_URL is set, PostgreSQL (two instances sharing it: the limit is global).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type RunningServer } from "../app.ts";
import { loadEnv } from "../env.ts";
import { createTestPostgres, TEST_DATABASE_URL, type TestPostgres } from "../db/testDatabase.ts";
import { verifyPassword } from "./password.ts";

const PW = "the-right-password-1";
const post = (base: string, path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${base}/api/trpc/${path}`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });

const kinds = [
  { kind: "pglite" as const, skip: false },
  { kind: "postgres" as const, skip: !TEST_DATABASE_URL },
];

describe.each(kinds)("sign-in throttling on $kind", ({ kind, skip }) => {
  const servers: RunningServer[] = [];
  let pg: TestPostgres | null = null;
  let checks = 0;
  const verify = (hash: string, password: string) => {
    checks++;
    return verifyPassword(hash, password);
  };

  beforeAll(async () => {
    if (skip) return;
    if (kind === "postgres") pg = await createTestPostgres();
    const env = loadEnv({ DATABASE_URL: pg ? pg.url : "pglite:memory", LOG_LEVEL: "silent", LVS_NEXT: "0", PORT: "0", HOST: "127.0.0.1", LVS_DEMO: "0", LVS_TRUST_PROXY: "1" });
    servers.push(await startServer({ env, auth: { verify } }));
    if (pg) servers.push(await startServer({ env, auth: { verify } })); // a second instance on the same database
    const setup = await post(servers[0]!.url, "auth.setup", { email: "admin@example.com", name: "A", password: PW });
    expect(setup.status).toBe(200);
    const cookie = setup.headers.getSetCookie()[0]!.split(";")[0]!;
    for (const email of ["batch@example.com", "crowd@example.com"]) {
      expect((await post(servers[0]!.url, "user.create", { email, name: "", role: "viewer", password: PW }, { cookie })).status).toBe(200);
    }
  }, 180_000);
  afterAll(async () => {
    for (const s of servers) await s.close();
    await pg?.drop();
  });

  it.skipIf(skip)("a batch containing auth.login is refused as a whole; no password is checked", async () => {
    checks = 0;
    const n = 200;
    const body = Object.fromEntries(Array.from({ length: n }, (_, i) => [String(i), { email: "batch@example.com", password: i === 150 ? PW : `wrong-${i}-password` }]));
    const res = await post(servers[0]!.url, `${Array(n).fill("auth.login").join(",")}?batch=1`, body, { "x-forwarded-for": "127.0.7.1" });
    expect(res.headers.getSetCookie()).toEqual([]);
    expect(res.status).toBe(400);
    expect(checks).toBe(0);
    const mixed = await post(servers[0]!.url, "auth.status,auth.setup?batch=1", { 1: { email: "x@example.com", password: PW } }, { "x-forwarded-for": "127.0.7.2" });
    expect(mixed.status).toBe(400);
    // batching anything else still works
    expect((await fetch(`${servers[0]!.url}/api/trpc/auth.status,auth.status?batch=1&input=${encodeURIComponent("{}")}`)).status).toBe(200);
    // a batch of one sign-in (what the browser's batching link sends) is one password check, not refused
    const single = await post(servers[0]!.url, "auth.login?batch=1", { 0: { email: "batch@example.com", password: "wrong-single-password" } }, { "x-forwarded-for": "127.0.7.3" });
    expect(single.status).toBe(401);
    expect(checks).toBe(1);
  }, 600_000);

  it.skipIf(skip)("30 concurrent sign-ins (spread over the instances): at most 5 password checks, no session for the right password after that", async () => {
    checks = 0;
    const attempts = await Promise.all(Array.from({ length: 30 }, (_, i) =>
      post(servers[i % servers.length]!.url, "auth.login", { email: "crowd@example.com", password: `wrong-${i}-password` }, { "x-forwarded-for": `127.0.9.${i}` })));
    const statuses = attempts.map((r) => r.status);
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(5);
    expect(statuses.every((s) => s === 401 || s === 429)).toBe(true);
    expect(checks).toBeLessThanOrEqual(5);
    const right = await post(servers[0]!.url, "auth.login", { email: "crowd@example.com", password: PW }, { "x-forwarded-for": "127.0.9.200" });
    expect(right.status).toBe(429);
    expect(right.headers.getSetCookie()).toEqual([]);
    expect(checks).toBeLessThanOrEqual(5);
  }, 600_000);

  it.skipIf(skip)("per address: at most 20 password checks from one address across many accounts", async () => {
    checks = 0;
    const attempts = await Promise.all(Array.from({ length: 40 }, (_, i) =>
      post(servers[i % servers.length]!.url, "auth.login", { email: `spray${i}@example.com`, password: "wrong-password-x" }, { "x-forwarded-for": "127.0.8.1" })));
    expect(attempts.filter((r) => r.status === 401).length).toBeLessThanOrEqual(20);
    expect(attempts.filter((r) => r.status === 429).length).toBeGreaterThanOrEqual(20);
    expect(checks).toBeLessThanOrEqual(20);
  }, 600_000);
});
