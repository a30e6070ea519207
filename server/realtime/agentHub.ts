/**
 * `/api/agent`: the control plane's end of the agent link.
 * - The bearer token is checked on the HTTP upgrade, before the WebSocket exists: missing, unknown
 *   or revoked tokens get a 401 with a plain reason ("unauthorized: token revoked") and no socket.
 * - Every frame is zod-parsed (lvs/protocol/agent); an unknown type, a wrong shape, a binary frame or
 *   an oversize frame (maxPayload) closes that one connection with a logged reason.
 * - On hello the agent gets `welcome` and its full desired state (resync); on `deploy.target` (an
 *   operator applied a revision; saving alone pushes nothing) and topology.saved/applied events
 *   connected agents get the new desired state if it changed (`force`: resend it anyway).
 * - What happens on a link is emitted as typed agent events (agentEvents.ts: connected, hello, stats,
 *   health, applied, gone); the live runtime subscribes and owns the statistics state.
 * - State is per connection only; the database and the bus carry everything shared, so any number
 *   of instances can serve agents. Revocation reaches the instance holding the socket through
 *   `director.status` events: the holder re-checks the token and closes.
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer, type WebSocket } from "ws";
import type { AgentMessage, ServerMessage } from "../../lvs/protocol/agent.ts";
import { CLOSE, INCOMPATIBLE, MAX_FRAME_BYTES, PROTOCOL_VERSION, acceptsAgentProtocol, incompatibleAgentMessage, parseAgentMessage, peekHello } from "../../lvs/protocol/agent.ts";
import type { DesiredState } from "../../lvs/protocol/agent.ts";
import type { IpvsServiceKey } from "../../lvs/model.ts";
import type { AgentIdentity } from "./agentDirectory.ts";
import { AgentEvents, type AgentEvent, type AgentEventSource } from "./agentEvents.ts";
import { refuse } from "./agentFrames.ts";
import { createFrameHandler } from "./agentFrameHandler.ts";
import { HELLO_WAIT_MS, MAX_BACKLOG, ref, type AgentHubOptions, type Conn } from "./agentConn.ts";
import { watchLeases } from "./leaseWatch.ts";
import type { EventBus } from "../events/EventBus.ts";

export type { DesiredState };

export { HELLO_WAIT_MS, MAX_BACKLOG, type AgentCluster, type AgentHubOptions, type HaReport, type HubLog, type PrereqReport } from "./agentConn.ts";

export class AgentHub implements AgentEventSource {
  private readonly wss: WebSocketServer;
  private readonly conns = new Map<string, Conn>();
  private readonly unsubscribe: Array<() => void> = [];
  private readonly heartbeatTimer: ReturnType<typeof setInterval>;
  private readonly now: () => number;
  private readonly heartbeatMs: number;
  private seq = 0;
  private readonly events: AgentEvents;
  private readonly onMessage: (c: Conn, msg: AgentMessage) => Promise<void>;

  constructor(private readonly opts: AgentHubOptions) {
    this.now = opts.now ?? Date.now;
    this.heartbeatMs = opts.heartbeatMs ?? 5000;
    this.events = new AgentEvents((e, err) => opts.log.warn({ directorId: e.director.id, event: e.type, err: err.message }, "agent event listener failed"));
    this.onMessage = createFrameHandler({
      opts, events: this.events, now: this.now, heartbeatMs: this.heartbeatMs,
      send: (c, msg) => this.send(c, msg), publish: (ch, payload) => this.publish(ch, payload), push: (c) => this.push(c),
    });
    this.wss = new WebSocketServer({ noServer: true, maxPayload: opts.maxPayload ?? MAX_FRAME_BYTES });
    const repush = () => void this.pushAll().catch((e: Error) => opts.log.warn({ err: e.message }, "agent push failed"));
    this.unsubscribe.push(opts.bus.subscribe("topology.saved", repush));
    this.unsubscribe.push(opts.bus.subscribe("topology.applied", repush));
    this.unsubscribe.push(opts.bus.onResync(repush));
    this.unsubscribe.push(opts.bus.subscribe("deploy.target", (e) => {
      for (const id of e.directorIds) {
        const c = this.conns.get(id);
        if (!c || !c.helloSeen) continue;
        if (e.force) c.sentRevision = null;
        void this.push(c).catch((err: Error) => opts.log.warn({ directorId: id, err: err.message }, "agent push failed"));
      }
    }));
    // a planned switchover or hand-back changes the director's desired HA without a new revision
    this.unsubscribe.push(opts.bus.subscribe("ha.changed", (e) => {
      const c = e.kind === "maintenance" ? this.conns.get(e.directorId) : undefined;
      if (c?.helloSeen) void this.push(c).catch((err: Error) => opts.log.warn({ directorId: e.directorId, err: err.message }, "agent push failed"));
    }));
    this.unsubscribe.push(opts.bus.subscribe("director.status", (e) => {
      if (!e.online && this.conns.has(e.directorId)) void this.recheck(e.directorId);
    }));
    // another instance took one of our agents over (it reconnected there): close ours at once
    this.unsubscribe.push(opts.bus.subscribe("agent.taken", (e) => {
      const c = this.conns.get(e.directorId);
      if (c && c.id === e.connectionId) c.ws.close(CLOSE.replaced, "replaced by a newer connection on another control-plane instance");
    }));
    if (opts.cluster) this.unsubscribe.push(watchLeases(opts.cluster, () => this.conns.values(), { log: opts.log, directory: opts.directory, online: (d) => this.publish("director.status", { directorId: d.id, topologyId: d.topologyId, online: true, at: this.now() }) }));
    this.heartbeatTimer = setInterval(() => this.beat(), this.heartbeatMs);
    this.heartbeatTimer.unref();
  }

  /** The upgrade handler to register for `/api/agent`. */
  handleUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    void this.authenticate(req).then((r) => {
      if (!r.ok) {
        this.opts.log.warn({ remote: req.socket.remoteAddress, reason: r.reason }, "agent refused");
        return refuse(socket, 401, r.reason);
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, r.director));
    }, (e: Error) => {
      this.opts.log.warn({ err: e.message }, "agent authentication failed");
      refuse(socket, 503, "service unavailable");
    });
  };

  /** Typed events of every agent link on this instance (agentEvents.ts). */
  onAgentEvent(listener: (e: AgentEvent) => void): () => void {
    return this.events.onAgentEvent(listener);
  }

  /** Directors with a live agent on this instance. */
  connectedDirectors(): string[] {
    return [...this.conns.keys()];
  }

  /** Asks a connected agent for one page of its connection table (this instance only). */
  requestConnections(directorId: string, page: { offset: number; limit: number; client?: string; virtual?: string; destination?: string }, timeoutMs = 5000) {
    const c = this.conns.get(directorId);
    if (!c) return Promise.reject(new Error("director not connected to this instance"));
    const requestId = `c${++this.seq}`;
    return new Promise<Extract<AgentMessage, { type: "connections.response" }>>((resolve, reject) => {
      const timer = setTimeout(() => { c.pending.delete(requestId); reject(new Error("agent did not answer in time")); }, timeoutMs);
      c.pending.set(requestId, (m) => { clearTimeout(timer); resolve(m); });
      this.send(c, { v: PROTOCOL_VERSION, type: "connections.request", requestId, page });
    });
  }
  /** Asks a connected agent to zero its counters (`ipvsadm -Z [service]`); rejects with the agent's error. */
  requestZero(directorId: string, service: IpvsServiceKey | null, timeoutMs = 10_000): Promise<void> {
    const c = this.conns.get(directorId);
    if (!c) return Promise.reject(new Error("director not connected to this instance"));
    const requestId = `z${++this.seq}`;
    const pending = (c.pendingZero ??= new Map<string, (msg: Extract<AgentMessage, { type: "zero.response" }>) => void>());
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => { pending.delete(requestId); reject(new Error("agent did not answer in time (agents older than this console cannot zero counters)")); }, timeoutMs);
      pending.set(requestId, (m) => { clearTimeout(timer); if (m.error) reject(new Error(m.error)); else resolve(); });
      this.send(c, { v: PROTOCOL_VERSION, type: "zero.request", requestId, service });
    });
  }


  /** Closes one director's connection (e.g. after revoke/rotate on this instance). */
  disconnect(directorId: string, code: number, reason: string): void {
    const c = this.conns.get(directorId);
    if (c) c.ws.close(code, reason);
  }

  async close(): Promise<void> {
    clearInterval(this.heartbeatTimer);
    for (const u of this.unsubscribe) u();
    for (const c of this.conns.values()) c.ws.close(CLOSE.shutdown, "control plane shutting down");
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private async authenticate(req: IncomingMessage): Promise<{ ok: true; director: AgentIdentity } | { ok: false; reason: string }> {
    const h = req.headers.authorization;
    const m = h ? /^Bearer\s+(\S{16,512})$/i.exec(h) : null;
    if (!m) return { ok: false, reason: "unauthorized: missing bearer token" };
    const found = await this.opts.directory.authenticate(m[1]!);
    if (!found) return { ok: false, reason: "unauthorized: unknown token" };
    if (found.revoked) return { ok: false, reason: "unauthorized: token revoked" };
    return { ok: true, director: found };
  }

  private accept(ws: WebSocket, director: AgentIdentity): void {
    const old = this.conns.get(director.id);
    if (old) old.ws.close(CLOSE.replaced, "replaced by a newer connection of the same director");
    const c: Conn = { id: randomUUID(), leasedAt: null, ws, director, helloSeen: false, sentRevision: null, sentHa: null, lastFrameAt: this.now(), pending: new Map(), chain: Promise.resolve(), backlog: 0, droppedStats: 0 };
    this.conns.set(director.id, c);
    const log = this.opts.log;
    log.info({ directorId: director.id, director: director.name }, "agent connected");
    this.events.emit({ type: "connected", director: ref(director), at: this.now() });

    ws.on("message", (data, isBinary) => {
      c.lastFrameAt = this.now();
      if (isBinary) return this.bad(c, "binary frame");
      const text = data.toString();
      const parsed = parseAgentMessage(text);
      if (!parsed.ok) {
        const hello = c.helloSeen ? null : peekHello(text);
        if (hello && !acceptsAgentProtocol(hello.v)) return this.refuseIncompatible(c, hello);
        return this.bad(c, parsed.reason);
      }
      const msg = parsed.message;
      // decided at arrival (not in the chain): frames that arrive together stay in order
      if (msg.type === "hello") c.helloSeen = true;
      else if (!c.helloSeen) return this.bad(c, `"${msg.type}" before hello`);
      if ((msg.type === "stats" || msg.type === "stats.delta" || msg.type === "stats.fields") && c.backlog >= MAX_BACKLOG) {
        if (c.droppedStats++ % 100 === 0) log.warn({ directorId: director.id, backlog: c.backlog, dropped: c.droppedStats }, "agent messages are not being stored fast enough; dropping stats");
        return;
      }
      c.backlog++;
      c.chain = c.chain.then(() => this.onMessage(c, msg))
        .catch((e: Error) => log.warn({ directorId: director.id, type: msg.type, err: e.message }, "agent message handling failed"))
        .finally(() => { c.backlog--; });
    });
    ws.on("error", (e) => log.warn({ directorId: director.id, err: e.message }, "agent connection error"));
    ws.on("close", (code, reason) => {
      log.info({ directorId: director.id, code, reason: reason.toString() }, "agent disconnected");
      if (this.conns.get(director.id) !== c) return;
      this.conns.delete(director.id);
      // queued behind this connection's messages: a hello still being handled takes the lease first
      c.chain = c.chain.then(() => this.gone(c));
    });
  }

  /** the connection closed: offline, unless another connection (here or on another instance) holds the director now */
  private async gone(c: Conn): Promise<void> {
    const d = c.director;
    this.events.emit({ type: "gone", director: ref(d), at: this.now() });
    const cluster = this.opts.cluster;
    if (cluster) {
      // lost to another connection (here or on another instance): it stays online, only the
      // live values of this instance went with the "gone" event
      if (c.leasedAt === null) return;
      const held = await cluster.release(d.id, c.id).catch(() => true);
      if (!held) return;
    }
    await this.opts.directory.markOffline(d.id).catch(() => {});
    await this.publish("director.status", { directorId: d.id, topologyId: d.topologyId, online: false, at: this.now() });
  }

  /** An agent of another protocol: told (in a form every version reads) which version to install, recorded on the director, closed. */
  private refuseIncompatible(c: Conn, hello: { v: number; agentVersion: string | null }): void {
    const message = incompatibleAgentMessage({
      agentProtocol: hello.v, agentVersion: hello.agentVersion, serves: this.opts.install?.serves() ?? null, consoleUrl: this.opts.install?.publicUrl ?? null,
    });
    this.opts.log.warn({ directorId: c.director.id, agentProtocol: hello.v, agentVersion: hello.agentVersion }, `agent refused: ${message}`);
    this.send(c, { v: PROTOCOL_VERSION, type: "error", code: INCOMPATIBLE, message });
    c.ws.close(CLOSE.incompatible, `agent protocol ${hello.v} not accepted; console speaks ${PROTOCOL_VERSION}`);
    void this.opts.directory.markRefused(c.director.id, { at: this.now(), agentVersion: hello.agentVersion, agentProtocol: hello.v, reason: message })
      .catch((e: Error) => this.opts.log.warn({ directorId: c.director.id, err: e.message }, "recording the refusal failed"));
  }

  private bad(c: Conn, reason: string): void {
    this.opts.log.warn({ directorId: c.director.id, reason }, "bad agent message; closing connection");
    c.ws.close(CLOSE.badMessage, reason.slice(0, 120));
  }

  private async push(c: Conn): Promise<void> {
    const desired = await this.opts.desiredFor(c.director.id);
    const ha = desired?.ha === undefined ? null : JSON.stringify(desired.ha);
    if (!desired || (desired.revision === c.sentRevision && ha === c.sentHa) || c.ws.readyState !== c.ws.OPEN) return;
    c.sentRevision = desired.revision;
    c.sentHa = ha;
    this.send(c, {
      v: PROTOCOL_VERSION, type: "desired", revision: desired.revision, table: desired.table, health: desired.health,
      options: { statsIntervalMs: this.opts.statsIntervalMs ?? 1000 },
      ...(desired.ha !== undefined ? { ha: desired.ha } : {}),
      ...(desired.prerequisites ? { prerequisites: desired.prerequisites } : {}),
    });
  }

  private async pushAll(): Promise<void> {
    for (const c of [...this.conns.values()]) if (c.helloSeen) await this.push(c);
  }

  private async recheck(directorId: string): Promise<void> {
    const c = this.conns.get(directorId);
    if (!c) return;
    const state = await this.opts.directory.tokenState(directorId, c.director.tokenHash);
    if (state === "revoked") c.ws.close(CLOSE.revoked, "unauthorized: token revoked");
    else if (state === "replaced") c.ws.close(CLOSE.revoked, "unauthorized: token rotated");
  }

  private beat(): void {
    const at = this.now();
    for (const c of this.conns.values()) {
      // before hello the agent is reading its engine's table (a big or busy ipvsadm can take a while)
      const limit = c.helloSeen ? this.heartbeatMs * 3 : Math.max(this.heartbeatMs * 3, HELLO_WAIT_MS);
      if (at - c.lastFrameAt > limit) {
        this.opts.log.warn({ directorId: c.director.id, helloSeen: c.helloSeen }, c.helloSeen ? "agent silent for 3 heartbeats; closing" : `no hello within ${limit} ms; closing`);
        c.ws.terminate();
        continue;
      }
      if (c.helloSeen) this.send(c, { v: PROTOCOL_VERSION, type: "heartbeat", at, appliedRevision: null });
    }
  }

  private send(c: Conn, msg: ServerMessage): void {
    if (c.ws.readyState === c.ws.OPEN) c.ws.send(JSON.stringify(msg));
  }

  private async publish<C extends Parameters<EventBus["publish"]>[0]>(channel: C, payload: Parameters<EventBus["publish"]>[1] & object): Promise<void> {
    try {
      await this.opts.bus.publish(channel, payload as never);
    } catch (e) {
      this.opts.log.warn({ channel, err: (e as Error).message }, "event publish failed");
    }
  }
}

