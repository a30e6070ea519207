/**
 * WebSocket upgrade routing for the one HTTP server. Hubs register exact paths
 * (`registerWsPath("/api/agent", handler)`); in dev, `/_next/hmr` goes to Next's HMR upgrade handler;
 * every other upgrade gets an HTTP 404 written to the socket and closed at once (never a hang).
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";

export type WsUpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

const REASONS: Record<number, string> = { 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 503: "Service Unavailable" };

/** Refuse an upgrade with a plain HTTP response and close the socket. */
export function rejectUpgrade(socket: Duplex, status: number, body: string): void {
  if (socket.destroyed) return;
  socket.end(
    `HTTP/1.1 ${status} ${REASONS[status] ?? "Error"}\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

export class WsRouter {
  private readonly paths = new Map<string, WsUpgradeHandler>();
  private readonly prefixes: Array<[string, WsUpgradeHandler]> = [];
  private readonly sockets = new Set<Duplex>();
  private closing = false;

  /** Route upgrades whose pathname is exactly `path`; returns a function that unregisters it. */
  registerWsPath(path: string, handler: WsUpgradeHandler): () => void {
    if (!path.startsWith("/")) throw new Error(`ws path must start with "/": ${path}`);
    if (this.paths.has(path)) throw new Error(`ws path ${path} is already registered`);
    this.paths.set(path, handler);
    return () => void this.paths.delete(path);
  }

  /** Route every upgrade whose pathname starts with `prefix` (used for Next's /_next/hmr in dev). */
  registerWsPrefix(prefix: string, handler: WsUpgradeHandler): void {
    this.prefixes.push([prefix, handler]);
  }

  handleUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    socket.on("error", () => {}); // a reset during the handshake must not crash the process
    if (this.closing) return rejectUpgrade(socket, 503, "server is shutting down\n");
    let pathname: string;
    try {
      pathname = new URL(req.url ?? "/", "http://localhost").pathname;
    } catch {
      return rejectUpgrade(socket, 400, "bad request url\n");
    }
    const handler = this.paths.get(pathname) ?? this.prefixes.find(([p]) => pathname.startsWith(p))?.[1];
    if (!handler) return rejectUpgrade(socket, 404, `no WebSocket endpoint at ${pathname}\n`);
    this.sockets.add(socket);
    socket.once("close", () => this.sockets.delete(socket));
    try {
      handler(req, socket, head);
    } catch {
      rejectUpgrade(socket, 500, "upgrade failed\n");
    }
  };

  /** Stop routing; sockets that hubs did not close within their own shutdown are destroyed. */
  close(): void {
    this.closing = true;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }
}
