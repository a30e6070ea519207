/**
 * Sign-in use cases: first-run setup (creates the first admin, only while no user exists), login
 * (argon2id, throttled per account and per address, audited success and failure), logout.
 * Returns the new session's token; the tRPC layer puts it in the cookie.
 */
import type { SessionInfo } from "./session.ts";
import type { Database } from "../db/openDatabase.ts";
import { recordAudit } from "../services/audit.ts";
import { refuse, ServiceError } from "../services/ServiceError.ts";
import { LoginLimiter, type LoginLimits } from "./loginLimiter.ts";
import { hashPassword, PasswordPolicyError, verifyPassword } from "./password.ts";
import { tokenHash } from "./sessionToken.ts";
import { createSession, destroySession, lookupSession, type NewSession, type SessionPolicy } from "./sessions.ts";

export interface ClientInfo {
  ip: string | null;
  userAgent?: string | null;
}

export interface SignedIn {
  session: SessionInfo;
  cookie: NewSession;
}

/** any pg_advisory_xact_lock key unique to first-run setup */
const SETUP_LOCK = 7_370_118;

let dummyHash: Promise<string> | null = null;
/** verified against when the account does not exist, so "no such user" takes as long as "wrong password" */
function timingDummy(): Promise<string> {
  return (dummyHash ??= hashPassword("not-a-real-password-0"));
}

export class AuthService {
  private readonly limiter: LoginLimiter;
  private readonly verify: (hash: string, password: string) => Promise<boolean>;

  constructor(private readonly deps: {
    db: Database;
    now: () => number;
    limits?: LoginLimits;
    /** password verifier (default argon2id verifyPassword); tests inject a counting one */
    verify?: (hash: string, password: string) => Promise<boolean>;
    policy?: SessionPolicy;
  }) {
    this.limiter = new LoginLimiter(deps.db.prisma, deps.now, deps.limits);
    this.verify = deps.verify ?? verifyPassword;
  }

  async setupRequired(): Promise<boolean> {
    return (await this.deps.db.prisma.user.count()) === 0;
  }

  /** Creates the first admin and signs them in; CONFLICT once any user exists. */
  async setup(input: { email: string; name: string; password: string }, client: ClientInfo): Promise<SignedIn> {
    const passwordHash = await hashOrBadRequest(input.password);
    const { prisma } = this.deps.db;
    const user = await prisma.$transaction(async (tx) => {
      await tx.$queryRawUnsafe(`SELECT pg_advisory_xact_lock(${SETUP_LOCK})::text AS locked`);
      if ((await tx.user.count()) > 0) return null;
      return tx.user.create({ data: { email: input.email, name: input.name, passwordHash, role: "admin" } });
    });
    const who = { actor: input.email, userId: user?.id ?? null, sourceIp: client.ip };
    if (!user) {
      await recordAudit(this.deps.db, { ...who, userId: null }, { action: "auth.setup", target: `user:${input.email}`, outcome: "denied", diff: { reason: "setup is already done" } });
      throw refuse("CONFLICT", "auth.setup-done");
    }
    await recordAudit(this.deps.db, who, { action: "auth.setup", target: `user:${user.email}`, outcome: "success", diff: { role: "admin" } });
    return this.start(user, client);
  }

  async login(input: { email: string; password: string }, client: ClientInfo): Promise<SignedIn> {
    const { db } = this.deps;
    const email = input.email;
    const audit = (outcome: "success" | "failure" | "denied", userId: string | null, reason?: string) =>
      recordAudit(db, { actor: email, userId, sourceIp: client.ip }, { action: "auth.login", target: `user:${email}`, outcome, ...(reason ? { diff: { reason } } : {}) });

    // reserve the attempt BEFORE the password check: a batch or a crowd of requests cannot outrun the count
    const reserved = await this.limiter.reserve(email, client.ip);
    if (!reserved.ok) {
      await audit("denied", null, "too many failed attempts");
      throw refuse("TOO_MANY_REQUESTS", "auth.throttled", { seconds: Math.ceil(reserved.retryAfterMs / 1000) });
    }
    const user = await db.prisma.user.findUnique({ where: { email } });
    const ok = await this.verify(user?.passwordHash ?? (await timingDummy()), input.password);
    if (!user || !ok || user.disabled) {
      await audit("failure", user?.id ?? null, !user ? "unknown account" : !ok ? "wrong password" : "account disabled");
      throw refuse("UNAUTHORIZED", "auth.wrong-credentials");
    }
    await this.limiter.succeeded(email, reserved);
    await audit("success", user.id);
    return this.start(user, client);
  }

  /** Ends the session of this token (if any); audited when it named a live session. */
  async logout(token: string | null, client: ClientInfo): Promise<void> {
    if (!token) return;
    const { db, now } = this.deps;
    const session = await lookupSession(db.prisma, token, now(), this.deps.policy);
    await destroySession(db.prisma, token);
    if (session) {
      await recordAudit(db, { actor: session.email, userId: session.userId, sourceIp: client.ip }, { action: "auth.logout", target: `user:${session.email}`, outcome: "success" });
    }
  }

  /**
   * A signed-in user changes their own password (the current one is required, and wrong guesses count
   * against the account's sign-in limit). Their other sessions end; this one stays.
   */
  async changePassword(session: SessionInfo, input: { currentPassword: string; newPassword: string }, client: ClientInfo & { token: string | null }): Promise<void> {
    const { db } = this.deps;
    const who = { actor: session.email, userId: session.userId, sourceIp: client.ip };
    const target = `user:${session.email}`;
    const reserved = await this.limiter.reserve(session.email, client.ip);
    if (!reserved.ok) throw refuse("TOO_MANY_REQUESTS", "auth.throttled-attempts", { seconds: Math.ceil(reserved.retryAfterMs / 1000) });
    const user = await db.prisma.user.findUnique({ where: { id: session.userId } });
    if (!user || !(await this.verify(user.passwordHash, input.currentPassword))) {
      await recordAudit(db, who, { action: "auth.changePassword", target, outcome: "failure", diff: { reason: "wrong current password" } });
      throw refuse("BAD_REQUEST", "auth.wrong-current-password", {}, [{ path: "currentPassword", message: "wrong password" }]);
    }
    await this.limiter.succeeded(session.email, reserved);
    const passwordHash = await hashOrBadRequest(input.newPassword);
    const keep = client.token ? tokenHash(client.token) : "";
    await db.prisma.$transaction([
      db.prisma.user.update({ where: { id: user.id }, data: { passwordHash } }),
      db.prisma.session.deleteMany({ where: { userId: user.id, tokenHash: { not: keep } } }),
    ]);
    await recordAudit(db, who, { action: "auth.changePassword", target, outcome: "success", diff: { otherSessionsEnded: true } });
  }

  private async start(user: { id: string; email: string; role: SessionInfo["role"] }, client: ClientInfo): Promise<SignedIn> {
    const cookie = await createSession(this.deps.db.prisma, user.id, { now: this.deps.now(), ip: client.ip, userAgent: client.userAgent ?? null, ...(this.deps.policy ? { policy: this.deps.policy } : {}) });
    return { session: { userId: user.id, email: user.email, role: user.role }, cookie };
  }
}

export async function hashOrBadRequest(password: string): Promise<string> {
  try {
    return await hashPassword(password);
  } catch (err) {
    if (err instanceof PasswordPolicyError) throw new ServiceError("BAD_REQUEST", err.message, [{ path: "password", message: err.message.replace(/^password: /, "") }]);
    throw err;
  }
}
