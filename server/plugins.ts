/**
 * Server plugins: the extension point for hubs and background work that live in the one process.
 * A plugin gets the shared pieces at start and returns what to do at shutdown (close ws sockets
 * with 1001, stop timers). To add a hub: write `export const fooPlugin: ServerPlugin` beside it and
 * add it to `defaultPlugins`.
 */
import type { SessionResolver } from "./auth/session.ts";
import { authorizeUpgrade } from "./auth/requestGuards.ts";
import { SessionWatch } from "./auth/sessionWatch.ts";
import { sessionPrunePlugin } from "./auth/sessionPrunePlugin.ts";
import type { Database } from "./db/openDatabase.ts";
import type { Env } from "./env.ts";
import type { EventBus } from "./events/EventBus.ts";
import type { Logger } from "./log.ts";
import type { LiveRuntime } from "./live/liveRuntime.ts";
import type { ClusterRuntime } from "./cluster/startCluster.ts";
import type { DesiredStateService } from "./services/desiredState.ts";
import { agentPlugin } from "./agentPlugin.ts";
import { drainPlugin } from "./services/deploy/drainPlugin.ts";
import { LiveHub, LIVE_PATH } from "./realtime/liveHub.ts";
import type { WsRouter } from "./realtime/router.ts";

export interface ServerPluginContext {
  ws: WsRouter;
  db: Database;
  bus: EventBus;
  log: Logger;
  env: Env;
  now: () => number;
  /** live statistics of this instance (absent in tests that start plugins by hand) */
  live?: LiveRuntime;
  /** this instance among several (absent in tests that start plugins by hand: one instance, always leading) */
  cluster?: ClusterRuntime;
  /** the one desired-state service (compilation + cache) */
  desired: DesiredStateService;
  /** the session of a request (browser WebSocket upgrades check it; agent links use their own tokens) */
  resolveSession: SessionResolver;
  /** the agent build served at /agent/* and the public URL (refusals of incompatible agents say what to install) */
  install?: { publicUrl: string | null; release(): { version: string } | null };
}

export interface ServerPlugin {
  name: string;
  start(ctx: ServerPluginContext): Promise<PluginHandle> | PluginHandle;
}

export interface PluginHandle {
  close?(): Promise<void>;
}

export const livePlugin: ServerPlugin = {
  name: "live",
  start({ ws, bus, log, live, db, resolveSession }) {
    const hub = new LiveHub({ bus, log: log.child({ hub: "live" }), ...(live ? { feed: live } : {}) });
    // same-origin browsers with a session whose role may watch live traffic; others get 401/403;
    // an open socket is dropped within a minute of its session ending
    const sessions = new SessionWatch({ db, resolveSession, action: "live.subscribe" });
    ws.registerWsPath(LIVE_PATH, (req, socket, head) => {
      void authorizeUpgrade(req, socket, { db, resolveSession, action: "live.subscribe" }).then((session) => {
        if (!session) return;
        sessions.watch(req, socket);
        hub.handleUpgrade(req, socket, head);
      });
    });
    return { close: () => (sessions.close(), hub.close()) };
  },
};

export const defaultPlugins: ServerPlugin[] = [livePlugin, agentPlugin, drainPlugin, sessionPrunePlugin];

/**
 * Plugin start-up: starts each plugin in order with its own child logger; if one fails, the ones
 * already started are closed (in reverse) before the error is rethrown.
 */
export async function startPlugins(plugins: ServerPlugin[], ctx: ServerPluginContext): Promise<PluginHandle[]> {
  const handles: PluginHandle[] = [];
  try {
    for (const plugin of plugins) handles.push(await plugin.start({ ...ctx, log: ctx.log.child({ plugin: plugin.name }) }));
  } catch (err) {
    for (const h of handles.reverse()) await h.close?.().catch(() => {});
    throw err;
  }
  return handles;
}
