/**
 * The real-server role's end of `/api/agent`: the agent plugin hands it every upgrade whose bearer
 * token is a real server's (`lvsr_…`); director tokens go to the AgentHub. Same rules as there:
 * the token is checked before the WebSocket exists (401 with a plain reason), every frame is
 * zod-parsed and anything else closes that connection, the first frame must be `rs.hello`.
 * - On hello: welcome, then the settings of the revision in force (`rs.desired`); again whenever a
 *   save or an apply changes them.
 * - `rs.report` is stored (the latest per real server) and announced on `realserver.report`.
 * - `realserver.prepare` (published by the console's prepare action on any instance) reaches the
 *   instance holding the socket, which sends `rs.prepare`.
 * - `realserver.status` offline (token revoked) makes the holder re-check the token and close.
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer, type WebSocket } from "ws";
import { CLOSE, MAX_FRAME_BYTES, PROTOCOL_VERSION, parseAgentMessage, type AgentMessage, type ServerMessage } from "../../lvs/protocol/agent.ts";
import type { RealServerHostDesired } from "../../lvs/realServer/hostSettings.ts";
import type { RealServerReport } from "../../lvs/protocol/realServer.ts";
import type { EventBus } from "../events/EventBus.ts";
import { refuse } from "./agentFrames.ts";
import type { HubLog } from "./agentHub.ts";

export interface RealServerAgentIdentity {
  id: string;
  topologyId: string;
  realServerKey: string;
  name: string;
  tokenHash: string;
  revoked: boolean;
}

/** Storage of the real-server hub (Prisma: server/services/realServerAgentRecords.ts). */
export interface RealServerAgentStore {
  authenticate(token: string): Promise<RealServerAgentIdentity | null>;
  tokenState(id: string, hash: string): Promise<"ok" | "revoked" | "replaced">;
  markOnline(id: string, r: { at: number; hostname: string; agentVersion: string; apply: string }): Promise<void>;
  markOffline(id: string): Promise<void>;
  touch(id: string, at: number): Promise<void>;
  recordReport(id: string, r: { at: number; requestId: string | null; report: RealServerReport }): Promise<void>;
  recordSent(id: string, revision: number | null): Promise<void>;
}

export interface RealServerDesired {
  revision: number | null;
  desired: RealServerHostDesired;
}

export interface RealServerHubOptions {
  store: RealServerAgentStore;
  bus: EventBus;
  desiredFor(agent: RealServerAgentIdentity): Promise<RealServerDesired | null>;
  log: HubLog;
  now?: () => number;
  heartbeatMs?: number;
}

interface Conn {
  ws: WebSocket;
  agent: RealServerAgentIdentity;
  helloSeen: boolean;
  sent: string | null;
  lastFrameAt: number;
  chain: Promise<void>;
}

export class RealServerHub {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });
  private readonly conns = new Map<string, Conn>();
  private readonly unsubscribe: Array<() => void> = [];
  private readonly timer: ReturnType<typeof setInterval>;
  private readonly now: () => number;
  private readonly heartbeatMs: number;

  constructor(private readonly o: RealServerHubOptions) {
    this.now = o.now ?? Date.now;
    this.heartbeatMs = o.heartbeatMs ?? 5000;
    const repush = (topologyId: string) => {
      for (const c of this.conns.values()) if (c.helloSeen && c.agent.topologyId === topologyId) void this.push(c).catch((e: Error) => this.warn(c, e, "real-server push failed"));
    };
    this.unsubscribe.push(o.bus.subscribe("topology.saved", (e) => repush(e.topologyId)));
    this.unsubscribe.push(o.bus.subscribe("deploy.target", (e) => repush(e.topologyId)));
    this.unsubscribe.push(o.bus.onResync(() => { for (const c of this.conns.values()) repush(c.agent.topologyId); }));
    this.unsubscribe.push(o.bus.subscribe("realserver.prepare", (e) => {
      const c = this.conns.get(e.agentId);
      if (c?.helloSeen) this.send(c, { v: PROTOCOL_VERSION, type: "rs.prepare", requestId: e.requestId });
    }));
    this.unsubscribe.push(o.bus.subscribe("realserver.status", (e) => {
      if (!e.online && this.conns.has(e.agentId)) void this.recheck(e.agentId);
    }));
    this.timer = setInterval(() => this.beat(), this.heartbeatMs);
    this.timer.unref();
  }

  /** Real servers with a live agent on this instance. */
  connected(): string[] {
    return [...this.conns.keys()];
  }

  handleUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer, token: string): void => {
    void this.o.store.authenticate(token).then((agent) => {
      const reason = !agent ? "unauthorized: unknown token" : agent.revoked ? "unauthorized: token revoked" : null;
      if (reason || !agent) {
        this.o.log.warn({ remote: req.socket.remoteAddress, reason }, "real-server agent refused");
        return refuse(socket, 401, reason!);
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, agent));
    }, (e: Error) => {
      this.o.log.warn({ err: e.message }, "real-server agent authentication failed");
      refuse(socket, 503, "service unavailable");
    });
  };

  async close(): Promise<void> {
    clearInterval(this.timer);
    for (const u of this.unsubscribe) u();
    for (const c of this.conns.values()) c.ws.close(CLOSE.shutdown, "control plane shutting down");
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private accept(ws: WebSocket, agent: RealServerAgentIdentity): void {
    this.conns.get(agent.id)?.ws.close(CLOSE.replaced, "replaced by a newer connection of the same real server");
    const c: Conn = { ws, agent, helloSeen: false, sent: null, lastFrameAt: this.now(), chain: Promise.resolve() };
    this.conns.set(agent.id, c);
    this.o.log.info({ realServerAgent: agent.id, name: agent.name }, "real-server agent connected");
    ws.on("message", (data, isBinary) => {
      c.lastFrameAt = this.now();
      if (isBinary) return this.bad(c, "binary frame");
      const parsed = parseAgentMessage(data.toString());
      if (!parsed.ok) return this.bad(c, parsed.reason);
      const msg = parsed.message;
      if (msg.type === "rs.hello") c.helloSeen = true;
      else if (!c.helloSeen) return this.bad(c, `"${msg.type}" before rs.hello`);
      c.chain = c.chain.then(() => this.onMessage(c, msg)).catch((e: Error) => this.warn(c, e, "real-server message handling failed"));
    });
    ws.on("error", (e) => this.warn(c, e, "real-server agent connection error"));
    ws.on("close", () => {
      if (this.conns.get(agent.id) !== c) return;
      this.conns.delete(agent.id);
      c.chain = c.chain.then(async () => {
        await this.o.store.markOffline(agent.id).catch(() => {});
        await this.publish({ agentId: agent.id, topologyId: agent.topologyId, online: false, at: this.now() });
      });
    });
  }

  private async onMessage(c: Conn, msg: AgentMessage): Promise<void> {
    const at = this.now();
    const a = c.agent;
    switch (msg.type) {
      case "rs.hello":
        await this.o.store.markOnline(a.id, { at, hostname: msg.hostname, agentVersion: msg.agentVersion, apply: msg.apply });
        this.send(c, { v: PROTOCOL_VERSION, type: "welcome", directorId: a.id, directorName: a.name, serverTime: at, heartbeatMs: this.heartbeatMs, features: [] });
        c.sent = null;
        await this.push(c);
        await this.publish({ agentId: a.id, topologyId: a.topologyId, online: true, at });
        return;
      case "rs.report":
        await this.o.store.recordReport(a.id, { at, requestId: msg.requestId, report: msg.report });
        try {
          await this.o.bus.publish("realserver.report", { agentId: a.id, topologyId: a.topologyId, requestId: msg.requestId, at });
        } catch (e) {
          this.warn(c, e as Error, "event publish failed");
        }
        return;
      case "heartbeat":
        void this.o.store.touch(a.id, at).catch(() => {});
        return;
      case "error":
        this.o.log.warn({ realServerAgent: a.id, code: msg.code, message: msg.message }, "real-server agent reported an error");
        return;
      default:
        return this.bad(c, `"${msg.type}" is a director's message; this token is a real server's`);
    }
  }

  private async push(c: Conn): Promise<void> {
    const d = await this.o.desiredFor(c.agent);
    if (!d) return;
    const json = JSON.stringify(d);
    if (json === c.sent || c.ws.readyState !== c.ws.OPEN) return;
    c.sent = json;
    this.send(c, { v: PROTOCOL_VERSION, type: "rs.desired", revision: d.revision, desired: d.desired });
    await this.o.store.recordSent(c.agent.id, d.revision);
  }

  private async recheck(id: string): Promise<void> {
    const c = this.conns.get(id);
    if (!c) return;
    const state = await this.o.store.tokenState(id, c.agent.tokenHash);
    if (state !== "ok") c.ws.close(CLOSE.revoked, `unauthorized: token ${state === "revoked" ? "revoked" : "rotated"}`);
  }

  private beat(): void {
    const at = this.now();
    for (const c of this.conns.values()) {
      if (at - c.lastFrameAt > Math.max(this.heartbeatMs * 3, c.helloSeen ? 0 : 30_000)) {
        c.ws.terminate();
        continue;
      }
      if (c.helloSeen) this.send(c, { v: PROTOCOL_VERSION, type: "heartbeat", at, appliedRevision: null });
    }
  }

  private bad(c: Conn, reason: string): void {
    this.o.log.warn({ realServerAgent: c.agent.id, reason }, "bad real-server agent message; closing connection");
    c.ws.close(CLOSE.badMessage, reason.slice(0, 120));
  }

  private warn(c: Conn, e: Error, msg: string): void {
    this.o.log.warn({ realServerAgent: c.agent.id, err: e.message }, msg);
  }

  private send(c: Conn, msg: ServerMessage): void {
    if (c.ws.readyState === c.ws.OPEN) c.ws.send(JSON.stringify(msg));
  }

  private async publish(p: { agentId: string; topologyId: string; online: boolean; at: number }): Promise<void> {
    try {
      await this.o.bus.publish("realserver.status", p);
    } catch (e) {
      this.o.log.warn({ err: (e as Error).message }, "event publish failed");
    }
  }
}
