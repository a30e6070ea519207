/**
 * The HTTP routes of the console's one port, in order:
 *   /healthz            {status, database: "up"|"down", kind}  200 / 503
 *   /metrics            Prometheus text (unless LVS_METRICS_LISTEN moved it to its own port)
 *   /agent/*            the agent build and its installer
 *   /api/trpc/*         tRPC (same origin only; password checks never batched)
 *   everything else     Next (page views of anonymous visitors go to /setup or /login), or 404/503
 */
import type http from "node:http";
import { serveAgentDownload } from "../agentDownloads.ts";
import { isPageRequest, pageRedirect, sameOrigin, setupRequiredFor } from "../auth/requestGuards.ts";
import type { SessionResolver } from "../auth/session.ts";
import type { Database } from "../db/openDatabase.ts";
import type { createMetricsRegistry } from "../live/metrics.ts";
import { isMetricsRequest, serveMetrics } from "../live/metricsEndpoint.ts";
import type { Logger } from "../log.ts";
import type { NextMount } from "./nextMount.ts";
import { sendJson } from "./sendJson.ts";

/** Procedures that check a password: never in a batch (a batch must not outrun the sign-in throttle). */
const UNBATCHABLE = new Set(["auth.login", "auth.setup", "auth.changePassword"]);

/**
 * The first password-checking procedure in a tRPC batch of several calls (`/api/trpc/a,b?batch=1`),
 * else null. A batch of one call (what the browser's batching link sends for a lone sign-in) is one
 * password check like a plain request.
 */
export function batchedSignIn(url: string): string | null {
  const q = url.indexOf("?");
  const params = new URLSearchParams(q < 0 ? "" : url.slice(q + 1));
  if (!params.has("batch")) return null;
  const paths = decodeURIComponentSafe((q < 0 ? url : url.slice(0, q)).replace(/^\/api\/trpc\/?/, "")).split(",");
  if (paths.length < 2) return null;
  return paths.find((p) => UNBATCHABLE.has(p.trim())) ?? null;
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

export interface HttpRoutes {
  db: Database;
  log: Logger;
  resolveSession: SessionResolver;
  trpc: (req: http.IncomingMessage, res: http.ServerResponse) => void;
  next: NextMount;
  agentDir: string;
  /** null when /metrics is served on its own address */
  metrics: { registry: ReturnType<typeof createMetricsRegistry>; token: string | null } | null;
}

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

export function createHttpRouter(r: HttpRoutes): Handler {
  const page = pageHandler(r);
  return (req, res) => {
    const url = req.url ?? "/";
    const pathname = url.split("?")[0]!;
    if (pathname === "/healthz") {
      void r.db.ping().then((up) => sendJson(res, up ? 200 : 503, { status: up ? "ok" : "degraded", database: up ? "up" : "down", kind: r.db.kind }));
      return;
    }
    if (r.metrics && isMetricsRequest(req, pathname)) return serveMetrics(req, res, r.metrics.registry, r.metrics.token, r.log);
    if (serveAgentDownload(r.agentDir, req, res, pathname)) return;
    if (pathname === "/api/trpc" || pathname.startsWith("/api/trpc/")) return trpcRoute(r, req, res, url, pathname);
    if (r.next.handler) return page(req, res, url, pathname);
    if (pathname.startsWith("/api/")) return sendJson(res, 404, { error: `no API at ${pathname}` });
    if (r.next.missing) return sendJson(res, 503, { error: r.next.missing });
    sendJson(res, 404, { error: "the UI is not served by this instance (next: false)" });
  };
}

function trpcRoute(r: HttpRoutes, req: http.IncomingMessage, res: http.ServerResponse, url: string, pathname: string): void {
  if (!sameOrigin(req)) return sendJson(res, 403, { error: "cross-origin API call refused" });
  if (pathname === "/api/trpc") req.url = "/api/trpc/" + url.slice("/api/trpc".length);
  const unbatchable = batchedSignIn(req.url ?? "");
  if (unbatchable) {
    return sendJson(res, 400, { error: { message: `${unbatchable} cannot be batched: send it as a single request`, code: -32600, data: { code: "BAD_REQUEST", httpStatus: 400, path: unbatchable } } });
  }
  r.trpc(req, res);
}

/** Next, with the page guard: anonymous visitors go to /setup (no user yet) or /login; the API stays the authority. */
function pageHandler(r: HttpRoutes) {
  return (req: http.IncomingMessage, res: http.ServerResponse, url: string, pathname: string): void => {
    const handler = r.next.handler!;
    const serve = () =>
      handler(req, res).catch((err) => {
        r.log.error({ err }, "next request failed");
        if (!res.headersSent) sendJson(res, 500, { error: "internal error" });
      });
    if (!isPageRequest(req, pathname)) return void serve();
    void r.resolveSession(req, r.db)
      .then((session) => pageRedirect(url, session, () => setupRequiredFor(r.db)))
      .then(
        (to) => {
          if (!to) return serve();
          res.writeHead(303, { location: to, "cache-control": "no-store" });
          res.end();
        },
        (err) => {
          r.log.error({ err }, "page guard failed");
          if (!res.headersSent) sendJson(res, 500, { error: "internal error" });
        },
      );
  };
}
