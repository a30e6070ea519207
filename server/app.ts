/**
 * The control plane process: ONE HTTP server on ONE port. startServer() composes the parts:
 *   database, event bus, cluster, desired state, live runtime   (state)
 *   http/nextMount.ts     the UI through Next (or why not)
 *   http/trpcHandler.ts   /api/trpc/* with a context per call
 *   http/httpRouter.ts    the routes of the port (/healthz, /metrics, /agent/*, tRPC, Next)
 *   plugins.ts            the WebSocket hubs and timers (ws upgrades through WsRouter; /_next/hmr in dev)
 * It is used by index.ts and by integration tests (port 0, next: false).
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { createSessionResolver } from "./auth/sessions.ts";
import type { AuthOptions } from "./api/trpc.ts";
import type { SessionResolver } from "./auth/session.ts";
import { openDatabase, type Database } from "./db/openDatabase.ts";
import { loadEnv, type Env } from "./env.ts";
import { createEventBus } from "./events/createEventBus.ts";
import type { EventBus } from "./events/EventBus.ts";
import { createLogger, type Logger } from "./log.ts";
import { defaultPlugins, startPlugins, type PluginHandle, type ServerPlugin } from "./plugins.ts";
import { WsRouter } from "./realtime/router.ts";
import { LiveRuntime, type LiveRuntimeOptions } from "./live/liveRuntime.ts";
import { startCluster, type ClusterRuntime } from "./cluster/startCluster.ts";
import { createMetricsRegistry } from "./live/metrics.ts";
import { startMetricsServer } from "./live/metricsEndpoint.ts";
import { createDesiredState } from "./services/desiredState.ts";
import { agentRelease } from "./agentDownloads.ts";
import { createHttpRouter } from "./http/httpRouter.ts";
import { mountNext, type NextMount } from "./http/nextMount.ts";
import { createTrpcHandler } from "./http/trpcHandler.ts";

export const PROJECT_DIR = path.resolve(import.meta.dirname, "..");

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

export { batchedSignIn } from "./http/httpRouter.ts";

/**
 * The state this instance keeps: ONE desired-state service (the agent hub pushes from it, the live
 * runtime reads health targets), the live runtime, and /metrics (node_exporter IPVS names, read from
 * the same latest snapshots the UI shows).
 */
function startLiveState(o: { db: Database; bus: EventBus; cluster: ClusterRuntime; env: Env; log: Logger; now: () => number; tuning?: StartServerOptions["live"] }) {
  const { db, bus, cluster, env } = o;
  const desired = createDesiredState(db.prisma);
  const live = new LiveRuntime({
    db, relay: cluster.relay, bus, isLeader: () => cluster.cluster.isLeader(), log: o.log.child({ part: "live" }), now: o.now, desired,
    retentionMs: env.LVS_STATS_RETENTION_HOURS * 3600_000, healthRetentionMs: env.LVS_HEALTH_RETENTION_DAYS * 86_400_000, ...o.tuning,
  });
  live.start();
  const metrics = createMetricsRegistry(() => live.metricsSource(), { processMetrics: true });
  return { desired, live, metrics };
}

function listen(server: http.Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
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
  let next: NextMount | null = null;
  try {
    const migrated = await db.migrate({ log: (m) => log.info(m) });
    log.info({ kind: db.kind, applied: migrated.applied.length }, "database ready");
    bus = createEventBus(db, log.child({ part: "bus" }), options.pgChannel ? { pgChannel: options.pgChannel } : {});
    await bus.ready();
    const cluster = await startCluster({ db, bus, log: log.child({ part: "cluster" }), now });
    clusterRuntime = cluster;
    const { desired, live, metrics } = startLiveState({ db, bus, cluster, env, log, now, ...(options.live ? { tuning: options.live } : {}) });
    liveRuntime = live;

    const ws = new WsRouter();
    const host = options.host ?? env.HOST;
    next = await mountNext({ enabled: useNext, dev, dir: PROJECT_DIR, hostname: host, port: options.port ?? env.PORT, ws, log });
    const theBus = bus;
    const theNext = next;
    const agentDir = options.agentDir ?? path.join(PROJECT_DIR, "dist", "agent");
    const install = { publicUrl: env.LVS_PUBLIC_URL ?? null, release: () => agentRelease(agentDir) };
    const trpc = createTrpcHandler({ db, bus: theBus, log, now, live, resolveSession, trustProxy: env.LVS_TRUST_PROXY, install, ...(options.auth ? { auth: options.auth } : {}) });
    const server = http.createServer(createHttpRouter({
      db, log, resolveSession, trpc, next, agentDir,
      metrics: env.LVS_METRICS_LISTEN ? null : { registry: metrics, token: env.LVS_METRICS_TOKEN ?? null },
    }));
    server.on("upgrade", ws.handleUpgrade);

    handles.push(...await startPlugins(options.plugins ?? defaultPlugins, { ws, db, bus, log, env, now, live, cluster, desired, resolveSession, install }));

    await listen(server, options.port ?? env.PORT, host);
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
        await theNext.close();
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
    if (next) await next.close();
    if (bus) await bus.close().catch(() => {});
    await db.close();
    throw err;
  }
}
