/**
 * `/api/live`: the browser's live channel (messages in lvs/protocol/live.ts).
 * - subscribe → subscribed, snapshot (seq 0), then stats deltas (seq 1, 2, ... per socket and topic),
 *   director online/offline and health transitions for that topic, and the topology's saved,
 *   deploy.progress, topology.applied, drain.changed and ha.changed events (no sub/seq; see lvs/protocol/live.ts).
 * - Each topic's stats are serialised once; every socket gets that text with its own seq spliced in.
 * - A slow socket (bufferedAmount above `slowBytes`) gets no more stats frames; its stats are
 *   merged per service (latest values win) and sent as one message when it drains — memory per
 *   socket is bounded by the topic's size, never by time.
 * - A resume (subscribe with `since`) gets a fresh snapshot plus the ring samples after `since`.
 * - Who may connect is decided before the upgrade reaches the hub (server/plugins.ts: session, same
 *   Origin, `live.subscribe`; sockets whose session ends are dropped).
 * No business logic here: the LiveFeed (server/live/liveRuntime.ts) supplies the data.
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer, type RawData, type WebSocket } from "ws";
import {
  LIVE_MAX_BUFFER_BYTES, LIVE_SLOW_BUFFER_BYTES, liveClientMessageSchema, MAX_LIVE_FRAME_BYTES, MAX_LIVE_SUBSCRIPTIONS, topicKey,
  type LiveServerMessage, type LiveService, type LiveStatsMessage, type LiveTopic,
} from "../../lvs/protocol/live.ts";
import { mergeServices } from "./mergeServices.ts";
import type { Client, LiveHubOptions, Topic } from "./liveHubTypes.ts";

export const LIVE_PATH = "/api/live";

export type { LiveFeed, LiveHubOptions } from "./liveHubTypes.ts";

export class LiveHub {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: MAX_LIVE_FRAME_BYTES });
  private readonly clients = new Map<WebSocket, Client>();
  private readonly topics = new Map<string, Topic>();
  private readonly off: Array<() => void> = [];
  private readonly alive = new WeakSet<WebSocket>();
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly slowBytes: number;
  /** stats messages merged instead of sent (for tests and the benchmark) */
  mergedCount = 0;

  constructor(private readonly deps: LiveHubOptions) {
    this.slowBytes = deps.slowBytes ?? LIVE_SLOW_BUFFER_BYTES;
    const heartbeat = setInterval(() => {
      for (const ws of this.clients.keys()) {
        if (!this.alive.has(ws)) {
          ws.terminate();
          continue;
        }
        this.alive.delete(ws);
        ws.ping();
      }
    }, deps.heartbeatMs ?? 30_000);
    const drain = setInterval(() => this.drainAll(), deps.drainCheckMs ?? 100);
    for (const t of [heartbeat, drain]) {
      t.unref();
      this.timers.push(t);
    }
    const bus = deps.bus;
    this.off.push(bus.subscribe("topology.saved", (e) => this.toTopology(e.topologyId, { type: "topology.saved", ...e })));
    this.off.push(bus.subscribe("deploy.progress", (e) => this.toTopology(e.topologyId, { type: "deploy.progress", ...e })));
    this.off.push(bus.subscribe("drain.changed", (e) => this.toTopology(e.topologyId, { type: "drain.changed", ...e })));
    this.off.push(bus.subscribe("ha.changed", (e) => this.toTopology(e.topologyId, { type: "ha.changed", ...e })));
    this.off.push(bus.subscribe("topology.applied", (e) => this.toTopology(e.topologyId, {
      type: "topology.applied", topologyId: e.topologyId, directorId: e.directorId, revision: e.revision, outcome: e.outcome, message: e.message, at: e.at,
    })));
    this.off.push(bus.subscribe("director.status", (e) => this.fanout(e.topologyId, e.directorId, null, (sub, seq) => ({ type: "director", sub, seq, directorId: e.directorId, online: e.online, at: e.at }))));
    this.off.push(bus.subscribe("health.changed", (e) => {
      void deps.feed?.directorMeta(e.directorId).then((m) => {
        if (!m) return;
        this.fanout(m.topologyId, e.directorId, e.serviceKey, (sub, seq) => ({ type: "health", sub, seq, directorId: e.directorId, serviceKey: e.serviceKey, address: e.rip, port: e.port, from: e.from, to: e.to, at: e.at }));
      });
    }));
    if (deps.feed) this.off.push(deps.feed.onUpdate((u) => this.onStats(u.topologyId, u.directorId, u.at, u.changed)));
  }

  handleUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    this.wss.handleUpgrade(req, socket, head, (ws) => this.onConnection(ws));
  };

  get connectionCount(): number {
    return this.clients.size;
  }

  private onConnection(ws: WebSocket): void {
    const client: Client = { topics: new Map(), pending: new Map(), priming: new Map(), wireSeq: new Map() };
    this.clients.set(ws, client);
    this.alive.add(ws);
    ws.on("pong", () => this.alive.add(ws));
    ws.on("close", () => {
      for (const t of client.topics.values()) this.leave(t, ws);
      this.clients.delete(ws);
    });
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
      if (msg.type === "ping") return this.send(ws, { type: "pong" });
      const topic: LiveTopic = { topologyId: msg.topologyId, ...(msg.directorId ? { directorId: msg.directorId } : {}), ...(msg.serviceKey ? { serviceKey: msg.serviceKey } : {}) };
      const key = topicKey(topic);
      if (msg.type === "unsubscribe") {
        const t = client.topics.get(key);
        if (t) this.leave(t, ws);
        client.topics.delete(key);
        client.pending.delete(key);
        client.priming.delete(key);
        client.wireSeq.delete(key);
        return this.send(ws, { type: "unsubscribed", sub: key, ...topic });
      }
      if (!client.topics.has(key) && client.topics.size >= MAX_LIVE_SUBSCRIPTIONS) {
        return this.send(ws, { type: "error", message: `at most ${MAX_LIVE_SUBSCRIPTIONS} subscriptions per socket` });
      }
      void this.subscribe(ws, client, topic, key, msg.since);
    });
  }

  private async subscribe(ws: WebSocket, client: Client, topic: LiveTopic, key: string, since: number | undefined): Promise<void> {
    let t = this.topics.get(key);
    if (!t) {
      t = { key, topic, seq: 0, sockets: new Set() };
      this.topics.set(key, t);
    }
    t.sockets.add(ws);
    client.topics.set(key, t);
    client.pending.delete(key);
    this.send(ws, { type: "subscribed", sub: key, ...topic });
    const feed = this.deps.feed;
    if (!feed) return;
    client.priming.set(key, []);
    try {
      const directors = await feed.snapshot(topic);
      // the store is read synchronously after the last await: everything up to t.seq is inside
      const seq = t.seq;
      const at = Date.now();
      const recent = since !== undefined ? feed.recent(directors, since, at) : undefined;
      if (client.topics.get(key) !== t) return;
      client.wireSeq.set(key, 0);
      this.send(ws, { type: "snapshot", sub: key, seq: 0, at, epoch: feed.epoch, directors, ...(recent ? { recent } : {}) });
      const held = client.priming.get(key) ?? [];
      client.priming.delete(key);
      const pend = client.pending.get(key);
      if (pend) for (const [d, p] of pend) if (p.seq <= seq) pend.delete(d);
      for (const make of held) this.send(ws, make(this.nextSeq(client, key)));
      this.drain(ws, client);
    } catch (e) {
      client.priming.delete(key);
      this.deps.log.warn({ err: (e as Error).message, topic: key }, "live snapshot failed");
      this.send(ws, { type: "error", message: `snapshot of ${key} failed; subscribe again` });
    }
  }

  private leave(t: Topic, ws: WebSocket): void {
    t.sockets.delete(ws);
    if (!t.sockets.size) this.topics.delete(t.key);
  }

  private onStats(topologyId: string, directorId: string, at: number, changed: LiveService[]): void {
    for (const t of this.topics.values()) {
      if (t.topic.topologyId !== topologyId || (t.topic.directorId && t.topic.directorId !== directorId)) continue;
      const services = t.topic.serviceKey ? changed.filter((s) => s.key === t.topic.serviceKey) : changed;
      if (!services.length) continue;
      const seq = ++t.seq;
      // serialised once per topic; each socket's own seq is spliced in front
      let tail: string | null = null;
      const head = `{"type":"stats","sub":${JSON.stringify(t.key)},"seq":`;
      for (const ws of t.sockets) {
        const c = this.clients.get(ws);
        if (!c) continue;
        const pend = c.pending.get(t.key)?.get(directorId);
        if (pend || c.priming.has(t.key) || ws.bufferedAmount > this.slowBytes) {
          this.hold(c, t.key, directorId, seq, at, services);
          if (!c.priming.has(t.key)) this.drain(ws, c);
          continue;
        }
        tail ??= "," + JSON.stringify({ directorId, at, services, merged: 1 } satisfies Omit<LiveStatsMessage, "type" | "sub" | "seq">).slice(1);
        this.sendText(ws, head + this.nextSeq(c, t.key) + tail);
      }
    }
  }

  private hold(c: Client, key: string, directorId: string, seq: number, at: number, services: LiveService[]): void {
    let byDirector = c.pending.get(key);
    if (!byDirector) c.pending.set(key, (byDirector = new Map()));
    const p = byDirector.get(directorId);
    if (!p) {
      byDirector.set(directorId, { seq, at, merged: 1, services: new Map(services.map((s) => [s.key, s])) });
      return;
    }
    p.seq = seq;
    p.at = at;
    p.merged++;
    this.mergedCount++;
    mergeServices(p.services, services);
  }

  /** sends merged stats of a socket if it has drained below the threshold */
  private drain(ws: WebSocket, c: Client): void {
    for (const [key, byDirector] of c.pending) {
      if (c.priming.has(key)) continue;
      for (const [directorId, p] of byDirector) {
        if (ws.bufferedAmount > this.slowBytes) return;
        byDirector.delete(directorId);
        this.send(ws, { type: "stats", sub: key, seq: this.nextSeq(c, key), directorId, at: p.at, services: [...p.services.values()], merged: p.merged });
      }
      if (!byDirector.size) c.pending.delete(key);
    }
  }

  private drainAll(): void {
    for (const [ws, c] of this.clients) if (c.pending.size) this.drain(ws, c);
  }

  /** director/health messages: every topic of the topology that covers this director (and service) */
  private fanout(topologyId: string, directorId: string, serviceKey: string | null, make: (sub: string, seq: number) => LiveServerMessage): void {
    for (const t of this.topics.values()) {
      if (t.topic.topologyId !== topologyId || (t.topic.directorId && t.topic.directorId !== directorId)) continue;
      if (serviceKey && t.topic.serviceKey && t.topic.serviceKey !== serviceKey) continue;
      t.seq++;
      for (const ws of t.sockets) {
        const c = this.clients.get(ws);
        if (!c) continue;
        const held = c.priming.get(t.key);
        if (held) held.push((seq) => make(t.key, seq));
        else this.send(ws, make(t.key, this.nextSeq(c, t.key)));
      }
    }
  }

  private nextSeq(c: Client, key: string): number {
    const n = (c.wireSeq.get(key) ?? 0) + 1;
    c.wireSeq.set(key, n);
    return n;
  }

  private toTopology(topologyId: string, msg: LiveServerMessage): void {
    const text = JSON.stringify(msg);
    for (const [ws, c] of this.clients) if ([...c.topics.values()].some((t) => t.topic.topologyId === topologyId)) this.sendText(ws, text);
  }

  private send(ws: WebSocket, msg: LiveServerMessage): void {
    this.sendText(ws, JSON.stringify(msg));
  }

  private sendText(ws: WebSocket, text: string): void {
    if (ws.readyState !== ws.OPEN) return;
    if (ws.bufferedAmount > LIVE_MAX_BUFFER_BYTES) {
      this.deps.log.warn({ buffered: ws.bufferedAmount }, "live socket too far behind; dropped (it resumes with a snapshot)");
      return void ws.terminate();
    }
    ws.send(text);
  }

  /** close every socket with 1001 (going away); waits for the closing handshakes, at most `graceMs` */
  async close(graceMs = 1000): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    for (const off of this.off) off();
    const open = [...this.clients.keys()];
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
