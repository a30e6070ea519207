/**
 * The browser live client: one LiveSocket, the subscriptions the page holds, and a zustand store
 * the components read (connection status + one TopicState per subscription, version-counted).
 * Resubscribes after every reconnect with `since` = the last message seen, and after a seq gap.
 */
import { createStore, type StoreApi } from "zustand/vanilla";
import {
  liveServerMessageSchema, topicKey, type LiveClientMessage, type LiveServerMessage, type LiveTopic, type LiveTopologyEvent,
} from "@/lvs/protocol/live.ts";
import { LiveSocket, type LiveStatus, type SocketFactory } from "./liveSocket.ts";
import { TopicState } from "./liveState.ts";

export interface LiveStoreState {
  status: LiveStatus;
  /** reconnect attempts since the last open */
  attempt: number;
  /** how many times the socket opened (1 = first connection; more = reconnects) */
  opens: number;
  topics: Record<string, TopicState>;
  /** bumped on every applied message */
  tick: number;
  lastError: string | null;
  /** newest saved revision announced per topology (topology.saved), so views can reload the document */
  saved: Record<string, number>;
}

export interface LiveClientOptions {
  url: string;
  socket?: SocketFactory;
  random?: () => number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
  minDelayMs?: number;
  maxDelayMs?: number;
}

export function parseLiveMessage(text: string): LiveServerMessage | null {
  try {
    const r = liveServerMessageSchema.safeParse(JSON.parse(text));
    return r.success ? r.data : null;
  } catch {
    return null;
  }
}

export class LiveClient {
  readonly store: StoreApi<LiveStoreState>;
  private readonly topics = new Map<string, LiveTopic>();
  private readonly socket: LiveSocket<LiveClientMessage, LiveServerMessage>;
  private readonly eventListeners = new Set<(e: LiveTopologyEvent) => void>();

  constructor(o: LiveClientOptions) {
    this.store = createStore<LiveStoreState>(() => ({ status: "connecting", attempt: 0, opens: 0, topics: {}, tick: 0, lastError: null, saved: {} }));
    this.socket = new LiveSocket<LiveClientMessage, LiveServerMessage>({
      url: o.url,
      parse: parseLiveMessage,
      onOpen: () => {
        this.store.setState((s) => ({ opens: s.opens + 1, lastError: null }));
        return [...this.topics.entries()].map(([sub, t]) => this.subscribeMessage(sub, t));
      },
      onMessage: (m) => this.onMessage(m),
      onStatus: (status, attempt) => this.store.setState({ status, attempt }),
      socket: o.socket,
      random: o.random,
      setTimer: o.setTimer,
      clearTimer: o.clearTimer,
      minDelayMs: o.minDelayMs,
      maxDelayMs: o.maxDelayMs,
    });
  }

  start(): void {
    this.socket.start();
  }

  stop(): void {
    this.socket.stop();
  }

  reconnectNow(): void {
    this.socket.reconnectNow();
  }

  /** Subscribe (idempotent); returns the subscription key whose TopicState the store holds. */
  subscribe(topic: LiveTopic): string {
    const sub = topicKey(topic);
    if (this.topics.has(sub)) return sub;
    this.topics.set(sub, topic);
    const state = new TopicState(sub);
    this.store.setState((s) => ({ topics: { ...s.topics, [sub]: state } }));
    this.socket.send(this.subscribeMessage(sub, topic));
    return sub;
  }

  unsubscribe(topic: LiveTopic): void {
    const sub = topicKey(topic);
    if (!this.topics.delete(sub)) return;
    this.socket.send({ type: "unsubscribe", ...topic });
    this.store.setState((s) => {
      const topics = { ...s.topics };
      delete topics[sub];
      return { topics };
    });
  }

  /**
   * Topology-wide notices (saved, deploy.progress, topology.applied, drain.changed, ha.changed) of the
   * topologies this client has a subscription of; the deploy view and the HA panel re-read their queries on them.
   */
  onEvent(listener: (e: LiveTopologyEvent) => void): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  private subscribeMessage(sub: string, topic: LiveTopic): LiveClientMessage {
    const since = this.store.getState().topics[sub]?.lastAt ?? undefined;
    return since === undefined ? { type: "subscribe", ...topic } : { type: "subscribe", ...topic, since };
  }

  private onMessage(m: LiveServerMessage): void {
    if (m.type === "error") {
      this.store.setState({ lastError: m.message });
      return;
    }
    if (m.type === "topology.saved") {
      this.store.setState((s) => ({ saved: { ...s.saved, [m.topologyId]: Math.max(m.revision, s.saved[m.topologyId] ?? 0) } }));
    }
    if (m.type === "topology.saved" || m.type === "deploy.progress" || m.type === "topology.applied" || m.type === "drain.changed" || m.type === "ha.changed") {
      for (const l of this.eventListeners) l(m);
      return;
    }
    if (!("sub" in m)) return;
    const state = this.store.getState().topics[m.sub];
    const topic = this.topics.get(m.sub);
    if (!state || !topic) return;
    const r = state.apply(m);
    if (r === "gap") this.socket.send(this.subscribeMessage(m.sub, topic));
    else if (r === "ok") this.store.setState((s) => ({ tick: s.tick + 1 }));
  }
}

/** ws(s)://host/api/live of the page's origin. */
export function liveUrl(loc: { protocol: string; host: string }): string {
  return `${loc.protocol === "https:" ? "wss" : "ws"}://${loc.host}/api/live`;
}
