/**
 * Server plugins: the extension point for hubs and background work that live in the one process.
 * A plugin gets the shared pieces at start and returns what to do at shutdown (close ws sockets
 * with 1001, stop timers). To add a hub: write `export const fooPlugin: ServerPlugin` beside it and
 * add it to `defaultPlugins`.
 */
import type { Database } from "./db/openDatabase.ts";
import type { Env } from "./env.ts";
import type { EventBus } from "./events/EventBus.ts";
import type { Logger } from "./log.ts";
import type { LiveRuntime } from "./live/liveRuntime.ts";
import { agentPlugin } from "./realtime/agentPlugin.ts";
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
  start({ ws, bus, log, live }) {
    const hub = new LiveHub({ bus, log: log.child({ hub: "live" }), ...(live ? { feed: live } : {}) });
    ws.registerWsPath(LIVE_PATH, hub.handleUpgrade);
    return { close: () => hub.close() };
  },
};

export const defaultPlugins: ServerPlugin[] = [livePlugin, agentPlugin];
