/**
 * The control plane process: ONE HTTP server on ONE port serving
 *   /healthz            {status, database: "up"|"down", kind}  200 / 503
 *   /api/trpc/*         tRPC (server/api/root.ts)
 *   ws upgrades         WsRouter (plugins register /api/live, /api/agent, ...); /_next/hmr to Next in dev
 *   everything else     Next (production build, or dev with HMR), unless started with next: false
 * startServer() is used by index.ts and by integration tests (port 0, next: false).
 */
import { existsSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { createHTTPHandler } from "@trpc/server/adapters/standalone";
import { appRouter } from "./api/root.ts";
import { clientIp, isPageRequest, pageRedirect, sameOrigin, setupRequiredFor } from "./auth/requestGuards.ts";
import { createSessionResolver } from "./auth/sessions.ts";
import type { AuthOptions, Context } from "./api/trpc.ts";
import type { SessionResolver } from "./auth/session.ts";
import { openDatabase, type Database } from "./db/openDatabase.ts";
import { loadEnv, type Env } from "./env.ts";
import { createEventBus } from "./events/createEventBus.ts";
import type { EventBus } from "./events/EventBus.ts";
import { createLogger, type Logger } from "./log.ts";
import { defaultPlugins, type PluginHandle, type ServerPlugin } from "./plugins.ts";
import { WsRouter } from "./realtime/router.ts";
import { LiveRuntime, type LiveRuntimeOptions } from "./live/liveRuntime.ts";
import { startCluster, type ClusterRuntime } from "./cluster/startCluster.ts";
import { createMetricsRegistry } from "./live/metrics.ts";
import { isMetricsRequest, serveMetrics, startMetricsServer } from "./live/metricsEndpoint.ts";
import { createDesiredState } from "./services/desiredState.ts";
import { agentRelease, serveAgentDownload } from "./agentDownloads.ts";

export const PROJECT_DIR = path.resolve(import.meta.dirname, "..");
/** a topology document with 50 000 memberships is ~15 MB of JSON */
const MAX_BODY_BYTES = 48 * 1024 * 1024;

export interface StartServerOptions {
  /** defaults to loadEnv(process.env) */
  env?: Env;
  /** override env.PORT (0 = ephemeral) / env.HOST */
  port?: number;
  host?: string;
  /** serve the UI through Next (default env.LVS_NEXT) */
  next?: boolean;
  /** Next dev mode with HMR (default NODE_ENV=development) */
  dev?: boolean;
  /** defaults to createLogger(env.LOG_LEVEL) */
  log?: Logger;
  /** defaults to defaultPlugins (server/plugins.ts) */
  plugins?: ServerPlugin[];
  /** finds the session of a request for tRPC, page views and /api/live (default: the session cookie) */
  resolveSession?: SessionResolver;
  /** PostgreSQL NOTIFY channel (tests isolate themselves with their own) */
  pgChannel?: string;
  /** live statistics tuning (benchmarks and tests): rollup bucket, writer flush period, ring size */
  live?: Partial<Pick<LiveRuntimeOptions, "bucketMs" | "flushMs" | "ringCapacity" | "pruneEveryMs">>;
  now?: () => number;
  /** sign-in: password verifier (tests count the checks) and limits */
  auth?: AuthOptions;
  /** where the built agent is served from (/agent/*); default dist/agent (npm run build:agent) */
  agentDir?: string;
}

export interface RunningServer {
  url: string;
  port: number;
  server: http.Server;
  db: Database;
  bus: EventBus;
  ws: WsRouter;
  log: Logger;
  /** where /metrics is served when LVS_METRICS_LISTEN moved it off the console's port, else null */
  metricsUrl: string | null;
  /** live statistics: store, rollup writer, LiveApi */
  live: LiveRuntime;
  /** this instance among the instances sharing the database (leases, leadership, stats relay) */
  cluster: ClusterRuntime;
  /** graceful: stop accepting, plugins close their sockets (1001), Next, bus, database */
  close(): Promise<void>;
}

type NextApp = {
  prepare(): Promise<void>;
  getRequestHandler(): (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void>;
  upgradeHandler: (req: http.IncomingMessage, socket: import("node:stream").Duplex, head: Buffer) => Promise<void>;
  close(): Promise<void>;
  didWebSocketSetup: boolean;
};

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

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

export async function startServer(options: StartServerOptions = {}): Promise<RunningServer> {
  const env = options.env ?? loadEnv();
  const log = options.log ?? createLogger(env.LOG_LEVEL);
  const now = options.now ?? Date.now;
  const dev = options.dev ?? env.NODE_ENV === "development";
  const useNext = options.next ?? env.LVS_NEXT;
  const resolveSession = options.resolveSession ?? createSessionResolver({ now });

  const db = await openDatabase(env);
  const handles: PluginHandle[] = [];
  let bus: EventBus | null = null;
  let liveRuntime: LiveRuntime | null = null;
  let clusterRuntime: ClusterRuntime | null = null;
  let nextApp: NextApp | null = null;
  try {
    const migrated = await db.migrate({ log: (m) => log.info(m) });
    log.info({ kind: db.kind, applied: migrated.applied.length }, "database ready");
    bus = createEventBus(db, log.child({ part: "bus" }), options.pgChannel ? { pgChannel: options.pgChannel } : {});
    await bus.ready();
    const cluster = await startCluster({ db, bus, log: log.child({ part: "cluster" }), now });
    clusterRuntime = cluster;
    // ONE desired-state service: the agent hub pushes from it, the live runtime reads health targets
    const desired = createDesiredState(db.prisma);
    const live = new LiveRuntime({ db, relay: cluster.relay, bus, isLeader: () => cluster.cluster.isLeader(), log: log.child({ part: "live" }), now, desired, retentionMs: env.LVS_STATS_RETENTION_HOURS * 3600_000, healthRetentionMs: env.LVS_HEALTH_RETENTION_DAYS * 86_400_000, ...options.live });
    liveRuntime = live;
    live.start();
    // /metrics: node_exporter IPVS names, read from the same latest snapshots the UI shows
    const metrics = createMetricsRegistry(() => live.metricsSource(), { processMetrics: true });

    const ws = new WsRouter();
    let nextHandler: ((req: http.IncomingMessage, res: http.ServerResponse) => Promise<void>) | null = null;
    let nextMissing: string | null = null;
    if (useNext) {
      if (!dev && !existsSync(path.join(PROJECT_DIR, ".next", "BUILD_ID"))) {
        nextMissing = "the UI is not built: run `npm run build` (serving the API and /healthz only)";
        log.error(nextMissing);
      } else {
        const { default: createNext } = await import("next");
        nextApp = (createNext as unknown as (o: object) => NextApp)({ dev, dir: PROJECT_DIR, hostname: options.host ?? env.HOST, port: options.port ?? env.PORT, quiet: !dev });
        await nextApp.prepare();
        nextApp.didWebSocketSetup = true; // we route upgrades ourselves (see environment.md)
        nextHandler = nextApp.getRequestHandler();
        if (dev) {
          const app = nextApp;
          // Next 16's HMR socket is /_next/hmr; other /_next/* upgrades would hang inside Next, so they 404
          ws.registerWsPrefix("/_next/hmr", (req, socket, head) => void app.upgradeHandler(req, socket, head));
        }
      }
    }

    const theBus = bus;
    const agentDir = options.agentDir ?? path.join(PROJECT_DIR, "dist", "agent");
    const install = { publicUrl: env.LVS_PUBLIC_URL ?? null, release: () => agentRelease(agentDir) };
    const trpc = createHTTPHandler({
      router: appRouter,
      basePath: "/api/trpc/",
      maxBodySize: MAX_BODY_BYTES,
      createContext: async ({ req, res }): Promise<Context> => ({
        db,
        bus: theBus,
        log,
        session: await resolveSession(req, db),
        ip: clientIp(req, env.LVS_TRUST_PROXY),
        now,
        http: { req, res },
        live,
        ...(options.auth ? { auth: options.auth } : {}),
        install,
      }),
      onError: ({ error, path: p }) => {
        if (error.code === "INTERNAL_SERVER_ERROR") log.error({ err: error.cause ?? error, path: p }, "tRPC internal error");
      },
    });

    const server = http.createServer((req, res) => {
      const url = req.url ?? "/";
      const pathname = url.split("?")[0]!;
      if (pathname === "/healthz") {
        void db.ping().then((up) => sendJson(res, up ? 200 : 503, { status: up ? "ok" : "degraded", database: up ? "up" : "down", kind: db.kind }));
        return;
      }
      if (isMetricsRequest(req, pathname) && !env.LVS_METRICS_LISTEN) return serveMetrics(req, res, metrics, env.LVS_METRICS_TOKEN ?? null, log);
      if (serveAgentDownload(agentDir, req, res, pathname)) return;
      if (pathname === "/api/trpc" || pathname.startsWith("/api/trpc/")) {
        if (!sameOrigin(req)) return sendJson(res, 403, { error: "cross-origin API call refused" });
        if (pathname === "/api/trpc") req.url = "/api/trpc/" + url.slice("/api/trpc".length);
        const unbatchable = batchedSignIn(req.url ?? "");
        if (unbatchable) {
          return sendJson(res, 400, { error: { message: `${unbatchable} cannot be batched: send it as a single request`, code: -32600, data: { code: "BAD_REQUEST", httpStatus: 400, path: unbatchable } } });
        }
        return trpc(req, res);
      }
      if (nextHandler) {
        const handler = nextHandler;
        const serve = () =>
          handler(req, res).catch((err) => {
            log.error({ err }, "next request failed");
            if (!res.headersSent) sendJson(res, 500, { error: "internal error" });
          });
        if (!isPageRequest(req, pathname)) return void serve();
        // page views: anonymous visitors go to /setup (no user yet) or /login; the API stays the authority
        void resolveSession(req, db)
          .then((session) => pageRedirect(url, session, () => setupRequiredFor(db)))
          .then(
            (to) => {
              if (!to) return serve();
              res.writeHead(303, { location: to, "cache-control": "no-store" });
              res.end();
            },
            (err) => {
              log.error({ err }, "page guard failed");
              if (!res.headersSent) sendJson(res, 500, { error: "internal error" });
            },
          );
        return;
      }
      if (pathname.startsWith("/api/")) return sendJson(res, 404, { error: `no API at ${pathname}` });
      if (nextMissing) return sendJson(res, 503, { error: nextMissing });
      sendJson(res, 404, { error: "the UI is not served by this instance (next: false)" });
    });
    server.on("upgrade", ws.handleUpgrade);

    const pluginCtx = { ws, db, bus, log, env, now, live, cluster, desired, resolveSession, install };
    for (const plugin of options.plugins ?? defaultPlugins) {
      handles.push(await plugin.start({ ...pluginCtx, log: log.child({ plugin: plugin.name }) }));
    }

    const host = options.host ?? env.HOST;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(options.port ?? env.PORT, host, () => {
        server.off("error", reject);
        resolve();
      });
    });
    const metricsServer = env.LVS_METRICS_LISTEN ? await startMetricsServer(env.LVS_METRICS_LISTEN, metrics, env.LVS_METRICS_TOKEN ?? null, log) : null;
    if (metricsServer) handles.push({ close: () => metricsServer.close() });
    const port = (server.address() as AddressInfo).port;
    const urlHost = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host.includes(":") ? `[${host}]` : host;

    let closing: Promise<void> | null = null;
    const close = () =>
      (closing ??= (async () => {
        const stopped = new Promise<void>((r) => server.close(() => r()));
        server.closeIdleConnections();
        for (const h of handles.reverse()) await h.close?.().catch((err) => log.error({ err }, "plugin close failed"));
        ws.close();
        await live.close().catch((err) => log.error({ err }, "live stats close failed"));
        await cluster.close().catch((err) => log.error({ err }, "cluster close failed"));
        if (nextApp) await nextApp.close().catch(() => {});
        const force = setTimeout(() => server.closeAllConnections(), 2000);
        force.unref();
        await stopped;
        clearTimeout(force);
        await theBus.close();
        await db.close();
      })());

    return { url: `http://${urlHost}:${port}`, port, server, db, bus, ws, log, live, cluster, close, metricsUrl: metricsServer?.url ?? null };
  } catch (err) {
    for (const h of handles) await h.close?.().catch(() => {});
    if (liveRuntime) await liveRuntime.close().catch(() => {});
    if (clusterRuntime) await clusterRuntime.close().catch(() => {});
    if (nextApp) await nextApp.close().catch(() => {});
    if (bus) await bus.close().catch(() => {});
    await db.close();
    throw err;
  }
}
