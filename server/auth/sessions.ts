/**
 * Browser sessions: an opaque token in an HTTP-only cookie, only its SHA-256 in the Session table.
 * A session ends at `expiresAt` (absolute lifetime from sign-in) or after `idleMs` without a request
 * (Session.lastSeenAt, refreshed at most once a minute so reads do not write on every request).
 * Role and disabled flag are read from the User row on every request, so a role change or a
 * disable takes effect at once. Clock injected.
 */
import type { IncomingMessage } from "node:http";
import type { PrismaClient } from "../../generated/prisma/client.ts";
import type { SessionInfo, SessionResolver } from "./session.ts";
import { newToken, readCookie, SESSION_COOKIE, sessionCookie, tokenHash } from "./sessionToken.ts";

export interface SessionPolicy {
  /** a session unused this long ends */
  idleMs: number;
  /** a session ends this long after sign-in, used or not */
  absoluteMs: number;
}

export const DEFAULT_SESSION_POLICY: SessionPolicy = { idleMs: 2 * 3600_000, absoluteMs: 12 * 3600_000 };
/** lastSeenAt is written when it is older than this */
const TOUCH_MS = 60_000;

export interface NewSession {
  token: string;
  expiresAt: Date;
  /** cookie lifetime: the absolute session lifetime */
  maxAgeSeconds: number;
}

export async function createSession(
  prisma: PrismaClient,
  userId: string,
  opts: { now: number; ip?: string | null; userAgent?: string | null; policy?: SessionPolicy },
): Promise<NewSession> {
  const policy = opts.policy ?? DEFAULT_SESSION_POLICY;
  const token = newToken("lvss_");
  const expiresAt = new Date(opts.now + policy.absoluteMs);
  // the user's ended sessions go when a new one starts, so the table stays bounded per user
  await prisma.session.deleteMany({ where: { userId, OR: [{ expiresAt: { lte: new Date(opts.now) } }, { lastSeenAt: { lte: new Date(opts.now - policy.idleMs) } }] } });
  await prisma.session.create({
    data: {
      tokenHash: tokenHash(token),
      userId,
      expiresAt,
      createdAt: new Date(opts.now),
      lastSeenAt: new Date(opts.now),
      ip: opts.ip?.slice(0, 64) ?? null,
      userAgent: opts.userAgent?.slice(0, 512) ?? null,
    },
  });
  return { token, expiresAt, maxAgeSeconds: Math.floor(policy.absoluteMs / 1000) };
}

/** The session a token names, or null when it is unknown, expired, idle too long or its user is disabled. */
export async function lookupSession(prisma: PrismaClient, token: string, now: number, policy: SessionPolicy = DEFAULT_SESSION_POLICY): Promise<SessionInfo | null> {
  if (!token || token.length > 200) return null;
  const row = await prisma.session.findUnique({ where: { tokenHash: tokenHash(token) }, include: { user: true } });
  if (!row) return null;
  const ended = now >= row.expiresAt.getTime() || now - row.lastSeenAt.getTime() > policy.idleMs || row.user.disabled;
  if (ended) {
    await prisma.session.deleteMany({ where: { id: row.id } });
    return null;
  }
  if (now - row.lastSeenAt.getTime() > TOUCH_MS) {
    await prisma.session.updateMany({ where: { id: row.id }, data: { lastSeenAt: new Date(now) } });
  }
  return { userId: row.user.id, email: row.user.email, role: row.user.role };
}

export async function destroySession(prisma: PrismaClient, token: string): Promise<void> {
  if (token) await prisma.session.deleteMany({ where: { tokenHash: tokenHash(token) } });
}

/** Deletes every ended session (past its lifetime or idle too long); returns how many. */
export async function pruneSessions(prisma: PrismaClient, now: number, policy: SessionPolicy = DEFAULT_SESSION_POLICY): Promise<number> {
  const r = await prisma.session.deleteMany({ where: { OR: [{ expiresAt: { lte: new Date(now) } }, { lastSeenAt: { lt: new Date(now - policy.idleMs) } }] } });
  return r.count;
}

/** The session token of a request (its cookie), or null. */
export function sessionTokenOf(req: IncomingMessage): string | null {
  const header = req.headers.cookie;
  return readCookie(Array.isArray(header) ? header.join("; ") : header, SESSION_COOKIE);
}

/** True when the browser reached us over HTTPS (directly, or through a proxy that says so). */
export function isHttps(req: IncomingMessage): boolean {
  if ((req.socket as { encrypted?: boolean }).encrypted) return true;
  const proto = req.headers["x-forwarded-proto"];
  return (Array.isArray(proto) ? proto[0] : proto)?.split(",")[0]?.trim().toLowerCase() === "https";
}

/** Set-Cookie value for a new session on this request (Secure when the request came over HTTPS). */
export function sessionSetCookie(req: IncomingMessage | undefined, s: NewSession): string {
  return sessionCookie(s.token, s.maxAgeSeconds, req ? isHttps(req) : false);
}

/** The resolver the server puts in front of tRPC and the browser WebSocket. */
export function createSessionResolver(opts: { now: () => number; policy?: SessionPolicy }): SessionResolver {
  return async (req, db) => {
    const token = sessionTokenOf(req);
    return token ? lookupSession(db.prisma, token, opts.now(), opts.policy) : null;
  };
}
