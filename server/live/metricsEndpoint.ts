/**
 * GET/HEAD /metrics (Prometheus text, node_exporter IPVS names). The page names directors, VIPs,
 * real servers and weights, so it can be protected: LVS_METRICS_TOKEN requires
 * `Authorization: Bearer <token>` (compared in constant time), and LVS_METRICS_LISTEN serves it on its
 * own address (e.g. 127.0.0.1:9105 or a management network) instead of the console's port.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { createHash, timingSafeEqual } from "node:crypto";
import type { Logger } from "../log.ts";

export interface MetricsSource {
  metrics(): Promise<string>;
  contentType: string;
}

const digest = (s: string) => createHash("sha256").update(s, "utf8").digest();

function authorized(req: http.IncomingMessage, token: string | null): boolean {
  if (!token) return true;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? "");
  return !!m && timingSafeEqual(digest(m[1]!), digest(token));
}

/** Answers one /metrics request. */
export function serveMetrics(req: http.IncomingMessage, res: http.ServerResponse, source: MetricsSource, token: string | null, log: Logger): void {
  if (!authorized(req, token)) {
    res.writeHead(401, { "www-authenticate": 'Bearer realm="metrics"', "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" });
    res.end("metrics need Authorization: Bearer <LVS_METRICS_TOKEN>\n");
    return;
  }
  source.metrics().then(
    (text) => {
      res.writeHead(200, { "content-type": source.contentType, "cache-control": "no-store" });
      res.end(req.method === "HEAD" ? undefined : text);
    },
    (err: unknown) => {
      log.error({ err }, "metrics scrape failed");
      if (!res.headersSent) {
        res.writeHead(500, { "content-type": "text/plain; charset=utf-8" });
        res.end("metrics scrape failed\n");
      }
    },
  );
}

export const isMetricsRequest = (req: http.IncomingMessage, pathname: string) => pathname === "/metrics" && (req.method === "GET" || req.method === "HEAD");

/** host:port, [v6]:port */
export function parseListen(v: string): { host: string; port: number } | null {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:\s[\]]+)):(\d{1,5})$/.exec(v);
  if (!m) return null;
  const port = Number(m[3]);
  return port <= 65535 ? { host: (m[1] ?? m[2])!, port } : null;
}

/** A separate HTTP server that only answers /metrics. */
export async function startMetricsServer(listen: string, source: MetricsSource, token: string | null, log: Logger): Promise<{ url: string; close(): Promise<void> }> {
  const at = parseListen(listen);
  if (!at) throw new Error(`LVS_METRICS_LISTEN=${listen}: expected host:port`);
  const server = http.createServer((req, res) => {
    const pathname = (req.url ?? "/").split("?")[0]!;
    if (isMetricsRequest(req, pathname)) return serveMetrics(req, res, source, token, log);
    res.writeHead(404, { "content-type": "text/plain; charset=utf-8" });
    res.end("only /metrics here\n");
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(at.port, at.host, () => (server.off("error", reject), resolve()));
  });
  const port = (server.address() as AddressInfo).port;
  const host = at.host.includes(":") ? `[${at.host}]` : at.host === "0.0.0.0" ? "127.0.0.1" : at.host;
  return {
    url: `http://${host}:${port}`,
    close: () => new Promise<void>((r) => {
      server.close(() => r());
      server.closeAllConnections();
    }),
  };
}
