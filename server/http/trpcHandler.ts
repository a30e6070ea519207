/** /api/trpc/*: the tRPC router over HTTP, with one request context per call. */
import type http from "node:http";
import { createHTTPHandler } from "@trpc/server/adapters/standalone";
import { appRouter } from "../api/root.ts";
import type { AuthOptions, Context } from "../api/trpc.ts";
import { clientIp } from "../auth/requestGuards.ts";
import type { SessionResolver } from "../auth/session.ts";
import type { Database } from "../db/openDatabase.ts";
import type { EventBus } from "../events/EventBus.ts";
import type { LiveApi } from "../live/liveApi.ts";
import type { Logger } from "../log.ts";

/** a topology document with 50 000 memberships is ~15 MB of JSON */
const MAX_BODY_BYTES = 48 * 1024 * 1024;

export interface TrpcDeps {
  db: Database;
  bus: EventBus;
  log: Logger;
  now: () => number;
  live: LiveApi;
  resolveSession: SessionResolver;
  trustProxy: boolean;
  install: NonNullable<Context["install"]>;
  auth?: AuthOptions;
}

export function createTrpcHandler(d: TrpcDeps): (req: http.IncomingMessage, res: http.ServerResponse) => void {
  return createHTTPHandler({
    router: appRouter,
    basePath: "/api/trpc/",
    maxBodySize: MAX_BODY_BYTES,
    createContext: async ({ req, res }): Promise<Context> => ({
      db: d.db,
      bus: d.bus,
      log: d.log,
      session: await d.resolveSession(req, d.db),
      ip: clientIp(req, d.trustProxy),
      now: d.now,
      http: { req, res },
      live: d.live,
      ...(d.auth ? { auth: d.auth } : {}),
      install: d.install,
    }),
    onError: ({ error, path: p }) => {
      if (error.code === "INTERNAL_SERVER_ERROR") d.log.error({ err: error.cause ?? error, path: p }, "tRPC internal error");
    },
  });
}
