/**
 * The Next mount: the UI (production build, or dev mode with HMR) as a request handler, with Next's
 * HMR socket registered on the WsRouter in dev. Without a build it serves nothing and says why.
 */
import { existsSync } from "node:fs";
import type http from "node:http";
import path from "node:path";
import type { Logger } from "../log.ts";
import type { WsRouter } from "../realtime/router.ts";

type NextApp = {
  prepare(): Promise<void>;
  getRequestHandler(): (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void>;
  upgradeHandler: (req: http.IncomingMessage, socket: import("node:stream").Duplex, head: Buffer) => Promise<void>;
  close(): Promise<void>;
  didWebSocketSetup: boolean;
};

export interface NextMount {
  /** serves a request through Next; null when the UI is not served */
  handler: ((req: http.IncomingMessage, res: http.ServerResponse) => Promise<void>) | null;
  /** why the UI is not served although it should be (no build), else null */
  missing: string | null;
  close(): Promise<void>;
}

export async function mountNext(o: { enabled: boolean; dev: boolean; dir: string; hostname: string; port: number; ws: WsRouter; log: Logger }): Promise<NextMount> {
  const none = (missing: string | null): NextMount => ({ handler: null, missing, close: async () => {} });
  if (!o.enabled) return none(null);
  if (!o.dev && !existsSync(path.join(o.dir, ".next", "BUILD_ID"))) {
    const missing = "the UI is not built: run `npm run build` (serving the API and /healthz only)";
    o.log.error(missing);
    return none(missing);
  }
  const { default: createNext } = await import("next");
  const app = (createNext as unknown as (x: object) => NextApp)({ dev: o.dev, dir: o.dir, hostname: o.hostname, port: o.port, quiet: !o.dev });
  await app.prepare();
  app.didWebSocketSetup = true; // we route upgrades ourselves (see environment.md)
  // Next 16's HMR socket is /_next/hmr; other /_next/* upgrades would hang inside Next, so they 404
  if (o.dev) o.ws.registerWsPrefix("/_next/hmr", (req, socket, head) => void app.upgradeHandler(req, socket, head));
  return { handler: app.getRequestHandler(), missing: null, close: () => app.close().catch(() => {}) };
}
