/**
 * `/api/live`: the browser's live channel. For now it forwards `topology.saved` bus events to the
 * sockets subscribed to that topology; the live-stats work extends it with stats/health messages.
 * No business logic here: typed messages in, bus events out.
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer, type RawData, type WebSocket } from "ws";
import type { EventBus } from "../events/EventBus.ts";
import type { Logger } from "../log.ts";
import {
  liveClientMessageSchema, MAX_LIVE_FRAME_BYTES, MAX_LIVE_SUBSCRIPTIONS, type LiveServerMessage,
} from "./liveProtocol.ts";

export const LIVE_PATH = "/api/live";

export class LiveHub {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: MAX_LIVE_FRAME_BYTES });
  private readonly subscriptions = new Map<WebSocket, Set<string>>();
  private readonly unsubscribeBus: Array<() => void> = [];
  private readonly alive = new WeakSet<WebSocket>();
  private readonly heartbeat: NodeJS.Timeout;

  /** heartbeatMs: ws ping period; a socket that missed the previous pong is terminated */
  constructor(private readonly deps: { bus: EventBus; log: Logger; heartbeatMs?: number }) {
    this.heartbeat = setInterval(() => {
      for (const ws of this.subscriptions.keys()) {
        if (!this.alive.has(ws)) {
          ws.terminate();
          continue;
        }
        this.alive.delete(ws);
        ws.ping();
      }
    }, deps.heartbeatMs ?? 30_000);
    this.heartbeat.unref();
    this.unsubscribeBus.push(
      deps.bus.subscribe("topology.saved", (e) => this.broadcast(e.topologyId, { type: "topology.saved", ...e })),
    );
  }

  handleUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    this.wss.handleUpgrade(req, socket, head, (ws) => this.onConnection(ws));
  };

  get connectionCount(): number {
    return this.subscriptions.size;
  }

  private onConnection(ws: WebSocket): void {
    const topics = new Set<string>();
    this.subscriptions.set(ws, topics);
    this.alive.add(ws);
    ws.on("pong", () => this.alive.add(ws));
    ws.on("close", () => this.subscriptions.delete(ws));
    ws.on("error", () => {});
    ws.on("message", (data: RawData, isBinary: boolean) => {
      if (isBinary) return ws.close(1003, "text frames only");
      let parsed;
      try {
        parsed = liveClientMessageSchema.safeParse(JSON.parse(data.toString()));
      } catch {
        return this.send(ws, { type: "error", message: "frame is not JSON" });
      }
      if (!parsed.success) {
        const i = parsed.error.issues[0];
        return this.send(ws, { type: "error", message: `invalid message: ${i?.path.join(".") || "(root)"}: ${i?.message}` });
      }
      const msg = parsed.data;
      switch (msg.type) {
        case "subscribe":
          if (!topics.has(msg.topologyId) && topics.size >= MAX_LIVE_SUBSCRIPTIONS) {
            return this.send(ws, { type: "error", message: `at most ${MAX_LIVE_SUBSCRIPTIONS} subscriptions per socket` });
          }
          topics.add(msg.topologyId);
          return this.send(ws, { type: "subscribed", sub: msg.topologyId, topologyId: msg.topologyId });
        case "unsubscribe":
          topics.delete(msg.topologyId);
          return this.send(ws, { type: "unsubscribed", sub: msg.topologyId, topologyId: msg.topologyId });
        case "ping":
          return this.send(ws, { type: "pong" });
      }
    });
  }

  private broadcast(topologyId: string, msg: LiveServerMessage): void {
    for (const [ws, topics] of this.subscriptions) if (topics.has(topologyId)) this.send(ws, msg);
  }

  private send(ws: WebSocket, msg: LiveServerMessage): void {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(msg));
  }

  /** close every socket with 1001 (going away); waits for the closing handshakes, at most `graceMs` */
  async close(graceMs = 1000): Promise<void> {
    clearInterval(this.heartbeat);
    for (const off of this.unsubscribeBus) off();
    const open = [...this.subscriptions.keys()];
    await Promise.all(
      open.map(
        (ws) =>
          new Promise<void>((resolve) => {
            const t = setTimeout(() => (ws.terminate(), resolve()), graceMs);
            ws.once("close", () => (clearTimeout(t), resolve()));
            ws.close(1001, "server shutting down");
          }),
      ),
    );
    this.wss.close();
  }
}
