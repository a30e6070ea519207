/**
 * Accounts on PGlite and real PostgreSQL: first-run setup once, login audited and throttled,
 * session idle/absolute expiry with an injected clock, user administration (audited, sessions end,
 * never lock out the last admin), and the audit log's filters and paging.
 */
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appRouter } from "../api/root.ts";
import { createCallerFactory, type Context } from "../api/trpc.ts";
import { openDatabase, type Database } from "../db/openDatabase.ts";
import { createTestPostgres, NO_POSTGRES_REASON, TEST_DATABASE_URL, type TestPostgres } from "../db/testDatabase.ts";
import { MemoryEventBus } from "../events/MemoryEventBus.ts";
import { createLogger } from "../log.ts";
import { AuthService } from "./authService.ts";
import { lookupSession, pruneSessions, type SessionPolicy } from "./sessions.ts";

const log = createLogger("silent");
const createCaller = createCallerFactory(appRouter);
const PW = "first-admin-password";

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return "OK";
  } catch (err) {
    if (err instanceof TRPCError) return err.code;
    if (err && typeof err === "object" && "code" in err) return String((err as { code: unknown }).code);
    throw err;
  }
}

const kinds = [
  { kind: "pglite" as const, skip: false },
  { kind: "postgres" as const, skip: !TEST_DATABASE_URL },
];

describe.each(kinds)(`accounts on $kind${TEST_DATABASE_URL ? "" : ` (postgres skipped: ${NO_POSTGRES_REASON})`}`, ({ kind, skip }) => {
  let db: Database;
  let pgdb: TestPostgres | null = null;
  let bus: MemoryEventBus;
  let now = Date.UTC(2026, 10, 30, 9, 0, 0);
  const clock = () => now;
  const policy: SessionPolicy = { idleMs: 30 * 60_000, absoluteMs: 8 * 3600_000 };
  const ctx = (session: Context["session"], ip = "127.0.0.7"): Context => ({ db, bus, log, session, ip, now: clock });

  beforeAll(async () => {
    if (skip) return;
    if (kind === "postgres") pgdb = await createTestPostgres();
    db = await openDatabase({ DATABASE_URL: pgdb ? pgdb.url : "pglite:memory" });
    await db.migrate();
    bus = new MemoryEventBus(log);
  }, 60_000);
  afterAll(async () => {
    await bus?.close();
    await db?.close();
    await pgdb?.drop();
  });

  it.skipIf(skip)("first-run setup creates exactly one admin, once, even when two race", async () => {
    const anon = createCaller(ctx(null));
    expect(await anon.auth.status()).toEqual({ setupRequired: true, session: null });
    expect(await code(anon.auth.setup({ email: "root@example.com", password: "short" }))).toBe("BAD_REQUEST");
    const results = await Promise.allSettled([
      anon.auth.setup({ email: "Root@Example.com", name: "Root", password: PW }),
      anon.auth.setup({ email: "other@example.com", name: "Other", password: PW }),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const loser = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
    expect((loser.reason as TRPCError).code).toBe("CONFLICT");
    const users = await db.prisma.user.findMany();
    expect(users).toHaveLength(1);
    expect(users[0]!.role).toBe("admin");
    expect(users[0]!.passwordHash.startsWith("$argon2id$")).toBe(true);
    expect(await anon.auth.status()).toEqual({ setupRequired: false, session: null });
    const audit = await db.prisma.auditEvent.findMany({ where: { action: "auth.setup" }, orderBy: { id: "asc" } });
    expect(audit.map((a) => a.outcome).sort()).toEqual(["denied", "success"]);
  });

  it.skipIf(skip)("login: success and failure are audited with who and from where; the session resolves", async () => {
    const admin = (await db.prisma.user.findFirstOrThrow()).email;
    const auth = new AuthService({ db, now: clock, policy });
    await expect(auth.login({ email: admin, password: "wrong-password-1" }, { ip: "127.0.0.8" })).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    await expect(auth.login({ email: "nobody@example.com", password: PW }, { ip: "127.0.0.8" })).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    const ok = await auth.login({ email: admin, password: PW }, { ip: "127.0.0.8", userAgent: "vitest" });
    expect(ok.session).toMatchObject({ email: admin, role: "admin" });
    expect(ok.cookie.expiresAt.getTime()).toBe(now + policy.absoluteMs);
    expect(await lookupSession(db.prisma, ok.cookie.token, now, policy)).toEqual(ok.session);
    const rows = await db.prisma.auditEvent.findMany({ where: { action: "auth.login" }, orderBy: { id: "asc" } });
    expect(rows.map((r) => [r.actor, r.outcome, r.sourceIp, (r.diff as { reason?: string } | null)?.reason ?? null])).toEqual([
      [admin, "failure", "127.0.0.8", "wrong password"],
      ["nobody@example.com", "failure", "127.0.0.8", "unknown account"],
      [admin, "success", "127.0.0.8", null],
    ]);
    expect(rows[2]!.userId).toBe(ok.session.userId);
  });

  it.skipIf(skip)("login is throttled per account and per address, then frees after the window", async () => {
    const admin = (await db.prisma.user.findFirstOrThrow()).email;
    const auth = new AuthService({ db, now: clock, limits: { perAccount: 3, perAddress: 5, windowMs: 60_000 }, policy });
    for (let i = 0; i < 3; i++) await expect(auth.login({ email: admin, password: "wrong-password-x" }, { ip: `127.0.1.${i}` })).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    // the account is locked even with the right password and a fresh address
    await expect(auth.login({ email: admin, password: PW }, { ip: "127.0.1.99" })).rejects.toMatchObject({ code: "TOO_MANY_REQUESTS" });
    // one address spraying several accounts hits the address limit
    for (let i = 0; i < 5; i++) await expect(auth.login({ email: `spray${i}@example.com`, password: "wrong-password-x" }, { ip: "127.0.2.1" })).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    await expect(auth.login({ email: "spray9@example.com", password: "wrong-password-x" }, { ip: "127.0.2.1" })).rejects.toMatchObject({ code: "TOO_MANY_REQUESTS" });
    now += 60_001;
    expect((await auth.login({ email: admin, password: PW }, { ip: "127.0.2.1" })).session.email).toBe(admin);
    expect(await db.prisma.auditEvent.count({ where: { action: "auth.login", outcome: "denied" } })).toBe(2);
  });

  it.skipIf(skip)("a session ends after the idle time, and at the absolute lifetime even when used", async () => {
    const admin = (await db.prisma.user.findFirstOrThrow()).email;
    const auth = new AuthService({ db, now: clock, policy });
    const idle = await auth.login({ email: admin, password: PW }, { ip: null });
    now += policy.idleMs - 1000;
    expect(await lookupSession(db.prisma, idle.cookie.token, now, policy)).not.toBeNull(); // refreshes lastSeenAt
    now += policy.idleMs - 1000;
    expect(await lookupSession(db.prisma, idle.cookie.token, now, policy)).not.toBeNull();
    now += policy.idleMs + 1;
    expect(await lookupSession(db.prisma, idle.cookie.token, now, policy)).toBeNull();

    const busy = await auth.login({ email: admin, password: PW }, { ip: null });
    const end = now + policy.absoluteMs;
    while (now + 20 * 60_000 < end) {
      now += 20 * 60_000;
      expect(await lookupSession(db.prisma, busy.cookie.token, now, policy)).not.toBeNull();
    }
    now = end;
    expect(await lookupSession(db.prisma, busy.cookie.token, now, policy)).toBeNull();
    expect(await lookupSession(db.prisma, "lvss_unknown", now, policy)).toBeNull();
  });

  it.skipIf(skip)("user administration: create, role change, reset, disable -- audited; sessions end; the last admin stays", async () => {
    const adminRow = await db.prisma.user.findFirstOrThrow({ where: { role: "admin" } });
    const admin = createCaller(ctx({ userId: adminRow.id, email: adminRow.email, role: "admin" }));
    const op = await admin.user.create({ email: "Op@Example.com", name: "Op", role: "operator", password: "operator-password" });
    expect(op).toMatchObject({ email: "op@example.com", role: "operator", disabled: false });
    expect(await code(admin.user.create({ email: "op@example.com", role: "viewer", password: "operator-password" }))).toBe("CONFLICT");
    expect(await code(admin.user.create({ email: "weak@example.com", role: "viewer", password: "short" }))).toBe("BAD_REQUEST");

    const auth = new AuthService({ db, now: clock, policy });
    const s1 = await auth.login({ email: "op@example.com", password: "operator-password" }, { ip: null });
    await admin.user.setRole({ id: op.id, role: "viewer" });
    expect(await lookupSession(db.prisma, s1.cookie.token, now, policy)).toBeNull(); // role change ends sessions
    const s2 = await auth.login({ email: "op@example.com", password: "operator-password" }, { ip: null });
    expect(s2.session.role).toBe("viewer");
    await admin.user.resetPassword({ id: op.id, password: "a-new-password-1" });
    expect(await lookupSession(db.prisma, s2.cookie.token, now, policy)).toBeNull();
    await expect(auth.login({ email: "op@example.com", password: "operator-password" }, { ip: null })).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    await admin.user.setDisabled({ id: op.id, disabled: true });
    await expect(auth.login({ email: "op@example.com", password: "a-new-password-1" }, { ip: null })).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    await admin.user.setDisabled({ id: op.id, disabled: false });
    expect((await auth.login({ email: "op@example.com", password: "a-new-password-1" }, { ip: null })).session.role).toBe("viewer");

    // the only admin can neither demote nor disable themselves
    expect(await code(admin.user.setRole({ id: adminRow.id, role: "operator" }))).toBe("CONFLICT");
    expect(await code(admin.user.setDisabled({ id: adminRow.id, disabled: true }))).toBe("BAD_REQUEST");
    expect(await code(admin.user.setRole({ id: "no-such-user", role: "viewer" }))).toBe("NOT_FOUND");

    const trail = await admin.audit.list({ target: "user:op@example.com", limit: 50 });
    expect(trail.items.map((r) => [r.action, r.outcome, r.actor]).reverse()).toEqual([
      ["user.create", "success", adminRow.email],
      ["user.create", "failure", adminRow.email],
      ["auth.login", "success", "op@example.com"],
      ["user.setRole", "success", adminRow.email],
      ["auth.login", "success", "op@example.com"],
      ["user.resetPassword", "success", adminRow.email],
      ["auth.login", "failure", "op@example.com"],
      ["user.disable", "success", adminRow.email],
      ["auth.login", "failure", "op@example.com"],
      ["user.enable", "success", adminRow.email],
      ["auth.login", "success", "op@example.com"],
    ]);
    expect(trail.items.find((r) => r.action === "user.setRole")!.diff).toEqual({ role: { from: "operator", to: "viewer" } });
    expect(JSON.stringify(trail)).not.toContain("a-new-password-1");
  });

  it.skipIf(skip)("audit log: filters by user, action prefix, outcome and time; pages by cursor; viewers read it, nobody edits it", async () => {
    const viewerRow = await db.prisma.user.findUniqueOrThrow({ where: { email: "op@example.com" } });
    const viewer = createCaller(ctx({ userId: viewerRow.id, email: viewerRow.email, role: "viewer" }));
    const all = await viewer.audit.list({ limit: 200 });
    const byUser = await viewer.audit.list({ userId: viewerRow.id, limit: 200 });
    expect(byUser.items.length).toBeGreaterThan(0);
    expect(byUser.items.every((r) => r.userId === viewerRow.id)).toBe(true);
    const logins = await viewer.audit.list({ action: "auth", outcome: "failure", limit: 200 });
    expect(logins.items.length).toBeGreaterThan(0);
    expect(logins.items.every((r) => r.action.startsWith("auth.") && r.outcome === "failure")).toBe(true);
    expect((await viewer.audit.list({ action: "auth.log", limit: 5 })).items).toEqual([]); // prefix is per dotted word

    const pages: string[] = [];
    let cursor: string | undefined;
    for (let i = 0; i < 100; i++) {
      const page = await viewer.audit.list({ limit: 7, ...(cursor ? { cursor } : {}) });
      pages.push(...page.items.map((r) => r.id));
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    expect(pages).toEqual(all.items.map((r) => r.id));
    expect(new Set(pages).size).toBe(pages.length);

    const mid = all.items[Math.floor(all.items.length / 2)]!;
    const at = Date.parse(mid.at);
    const older = await viewer.audit.list({ to: at, limit: 200 });
    expect(older.items.every((r) => Date.parse(r.at) < at)).toBe(true);
    const newer = await viewer.audit.list({ from: at, limit: 200 });
    expect(older.items.length + newer.items.length).toBe(all.items.length);

    const procs = Object.keys(appRouter._def.procedures).filter((p) => p.startsWith("audit."));
    expect(procs).toEqual(["audit.list"]);
  });

  it.skipIf(skip)("a user changes their own password: the current one is required, other sessions end, audited", async () => {
    const row = await db.prisma.user.findUniqueOrThrow({ where: { email: "op@example.com" } });
    const me = { userId: row.id, email: row.email, role: row.role };
    const auth = new AuthService({ db, now: clock, policy });
    const other = await auth.login({ email: me.email, password: "a-new-password-1" }, { ip: null });
    const self = createCaller(ctx(me));
    expect(await code(self.auth.changePassword({ currentPassword: "not-my-password", newPassword: "third-password-3" }))).toBe("BAD_REQUEST");
    expect(await code(self.auth.changePassword({ currentPassword: "a-new-password-1", newPassword: "short" }))).toBe("BAD_REQUEST");
    await self.auth.changePassword({ currentPassword: "a-new-password-1", newPassword: "third-password-3" });
    expect(await lookupSession(db.prisma, other.cookie.token, now, policy)).toBeNull();
    await expect(auth.login({ email: me.email, password: "a-new-password-1" }, { ip: null })).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    expect((await auth.login({ email: me.email, password: "third-password-3" }, { ip: null })).session.email).toBe(me.email);
    const rows = await db.prisma.auditEvent.findMany({ where: { action: "auth.changePassword" }, orderBy: { id: "asc" } });
    expect(rows.map((r) => [r.actor, r.outcome])).toEqual([[me.email, "failure"], [me.email, "success"]]);
  });

  it.skipIf(skip)("pruneSessions removes ended sessions only", async () => {
    const row = await db.prisma.user.findUniqueOrThrow({ where: { email: "op@example.com" } });
    await db.prisma.session.deleteMany({});
    const auth = new AuthService({ db, now: clock, policy });
    const old = await auth.login({ email: row.email, password: "third-password-3" }, { ip: null });
    now += policy.idleMs + 1;
    const fresh = await db.prisma.session.create({ data: { tokenHash: "fresh", userId: row.id, expiresAt: new Date(now + 1000), lastSeenAt: new Date(now) } });
    await db.prisma.session.create({ data: { tokenHash: "expired", userId: row.id, expiresAt: new Date(now), lastSeenAt: new Date(now) } });
    expect(await pruneSessions(db.prisma, now, policy)).toBe(2);
    expect((await db.prisma.session.findMany()).map((s) => s.id)).toEqual([fresh.id]);
    expect(await lookupSession(db.prisma, old.cookie.token, now, policy)).toBeNull();
  });
});
