/**
 * Request-level guards in front of Next, tRPC and the browser WebSocket:
 *  - sameOrigin: a browser always sends Origin on WebSocket upgrades and cross-site POSTs; when it is
 *    present it must name this host (stops cross-site WebSocket hijacking and CSRF through tRPC).
 *    Non-browser clients send none and are judged by their session cookie alone.
 *  - pageRedirect: an anonymous page view goes to /setup while no user exists, else to /login.
 *  - authorizeUpgrade: /api/live needs a session whose role may `live.subscribe`, from this origin.
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { SessionInfo, SessionResolver } from "./session.ts";
import type { Database } from "../db/openDatabase.ts";
import { can, type Action } from "../../lvs/auth/permissions.ts";

export function sameOrigin(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

/**
 * The client's address: the socket peer, or -- when the console sits behind a reverse proxy it trusts
 * (LVS_TRUST_PROXY=1) -- the hop that proxy appended last to X-Forwarded-For (earlier hops are
 * whatever the client claimed and are not believed).
 */
export function clientIp(req: IncomingMessage, trustProxy: boolean): string | null {
  if (trustProxy) {
    const header = req.headers["x-forwarded-for"];
    const hops = (Array.isArray(header) ? header.join(",") : header ?? "").split(",").map((h) => h.trim()).filter(Boolean);
    const last = hops[hops.length - 1];
    if (last && last.length <= 64) return last;
  }
  return req.socket?.remoteAddress ?? null;
}

const PUBLIC_PAGES = new Set(["/login", "/setup"]);

/** Page views only: GET/HEAD of a path that is not an asset, API or Next internal. */
export function isPageRequest(req: IncomingMessage, pathname: string): boolean {
  if (req.method !== "GET" && req.method !== "HEAD") return false;
  if (pathname.startsWith("/_next/") || pathname.startsWith("/api/") || pathname === "/healthz") return false;
  return !/\.[a-z0-9]+$/i.test(pathname); // icon.svg, favicon.ico, robots.txt, ...
}

/** Where an anonymous (or already signed-in) page view must go instead, or null to serve it. */
export async function pageRedirect(url: string, session: SessionInfo | null, setupRequired: () => Promise<boolean>): Promise<string | null> {
  const pathname = url.split("?")[0]!;
  if (pathname === "/setup") return (await setupRequired()) ? null : session ? "/" : "/login";
  if (pathname === "/login") return (await setupRequired()) ? "/setup" : session ? "/" : null;
  if (session || PUBLIC_PAGES.has(pathname)) return null;
  if (await setupRequired()) return "/setup";
  return url === "/" ? "/login" : `/login?next=${encodeURIComponent(url)}`;
}

const setupDone = new WeakSet<object>();

/** "no user exists yet"; once false it stays false (users are never deleted), so it is asked once. */
export async function setupRequiredFor(db: Database): Promise<boolean> {
  if (setupDone.has(db)) return false;
  const required = (await db.prisma.user.count()) === 0;
  if (!required) setupDone.add(db);
  return required;
}

function refuse(socket: Duplex, status: 401 | 403, reason: string): void {
  const text = HTTP_TEXT[status];
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(reason)}\r\n\r\n${reason}`);
}
const HTTP_TEXT = { 401: "Unauthorized", 403: "Forbidden" } as const;

/**
 * Checks a browser WebSocket upgrade; on refusal answers 401/403 on the socket and returns null.
 * The caller hands the upgrade to its WebSocketServer only when a session comes back.
 */
export async function authorizeUpgrade(
  req: IncomingMessage,
  socket: Duplex,
  deps: { db: Database; resolveSession: SessionResolver; action: Action },
): Promise<SessionInfo | null> {
  if (!sameOrigin(req)) {
    refuse(socket, 403, "cross-origin WebSocket refused");
    return null;
  }
  let session: SessionInfo | null;
  try {
    session = await deps.resolveSession(req, deps.db);
  } catch {
    session = null;
  }
  if (!session) {
    refuse(socket, 401, "sign in first");
    return null;
  }
  if (!can(session.role, deps.action)) {
    refuse(socket, 403, `needs a role that may ${deps.action}`);
    return null;
  }
  return session;
}
