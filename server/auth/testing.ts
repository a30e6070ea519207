/**
 * Sign-in helpers for tests that talk to a server over raw HTTP or WebSocket (fetch, ws, benches).
 * In-process tRPC tests use server/api/testFixtures.ts (testSession / testContext) instead.
 *
 *   const cookie = await sessionCookieFor(s.db, "operator");
 *   await fetch(`${s.url}/api/trpc/topology.list`, { headers: { cookie } });
 *   new WebSocket(`${wsUrl}/api/live`, { headers: { cookie } });
 */
import type { Role } from "../../lvs/auth/permissions.ts";
import type { SessionInfo } from "./session.ts";
import type { Database } from "../db/openDatabase.ts";
import { SESSION_COOKIE } from "./sessionToken.ts";
import { createSession } from "./sessions.ts";

/** a stored hash no password verifies against: test users cannot sign in with a password */
const NO_PASSWORD = "!test-user";

/** The user `<role>@test.invalid` (created on first use) as a SessionInfo; no session row. */
export async function testUser(db: Database, role: Role = "admin", email = `${role}@test.invalid`): Promise<SessionInfo> {
  const u = await db.prisma.user.upsert({ where: { email }, update: { role, disabled: false }, create: { email, role, passwordHash: NO_PASSWORD } });
  return { userId: u.id, email: u.email, role: u.role };
}

/** Creates (or reuses) the test user of `role` and a fresh session; returns a Cookie header value. */
export async function sessionCookieFor(db: Database, role: Role = "admin", opts: { email?: string; now?: number } = {}): Promise<string> {
  const user = await testUser(db, role, opts.email);
  const s = await createSession(db.prisma, user.userId, { now: opts.now ?? Date.now() });
  return `${SESSION_COOKIE}=${s.token}`;
}

/**
 * For a server in another process (its database is not ours to open): performs first-run setup over
 * HTTP and returns the admin's Cookie header value. Only works while the server has no user.
 */
export async function firstAdminCookie(baseUrl: string, email = "admin@test.invalid", password = "test-admin-password"): Promise<string> {
  const res = await fetch(`${baseUrl}/api/trpc/auth.setup`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email, password }) });
  if (!res.ok) throw new Error(`auth.setup: ${res.status} ${await res.text()}`);
  return cookieFrom(res);
}

/** Signs in over HTTP and returns the Cookie header value. */
export async function loginCookie(baseUrl: string, email: string, password: string): Promise<string> {
  const res = await fetch(`${baseUrl}/api/trpc/auth.login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email, password }) });
  if (!res.ok) throw new Error(`auth.login: ${res.status} ${await res.text()}`);
  return cookieFrom(res);
}

function cookieFrom(res: Response): string {
  const set = res.headers.getSetCookie().find((c) => c.startsWith(`${SESSION_COOKIE}=`));
  if (!set) throw new Error("no session cookie in the response");
  return set.split(";")[0]!;
}
