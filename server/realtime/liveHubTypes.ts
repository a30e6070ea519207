/** The shapes of the browser live hub: the feed it serialises, its options, per-socket and per-topic state. */
import type { WebSocket } from "ws";
import type { EventBus } from "../events/EventBus.ts";
import type { Point } from "../../lvs/stats/pointRing.ts";
import type { Logger } from "../log.ts";
import type { LiveDirectorState, LiveServerMessage, LiveService, LiveTopic } from "../../lvs/protocol/live.ts";

/** What this hub serialises: the live runtime (server/live/liveRuntime.ts) implements it. */
export interface LiveFeed {
  /** changes per process start; a client seeing another epoch drops its state */
  readonly epoch: string;
  snapshot(topic: LiveTopic): Promise<LiveDirectorState[]>;
  /** ring points after `since` for the series of the given director states (resume) */
  recent(directors: readonly LiveDirectorState[], since: number, until: number): Array<{ series: string; points: Point[] }>;
  /** stats updates of every director, routed to its topology */
  onUpdate(listener: (u: { topologyId: string; directorId: string; at: number; changed: LiveService[] }) => void): () => void;
  directorMeta(directorId: string): Promise<{ topologyId: string } | null>;
}

export interface Topic {
  key: string;
  topic: LiveTopic;
  seq: number;
  sockets: Set<WebSocket>;
}

export interface Pending {
  seq: number;
  at: number;
  merged: number;
  services: Map<string, LiveService>;
}

export interface Client {
  topics: Map<string, Topic>;
  /** topic key → directorId → stats waiting for the socket to drain (or for the snapshot) */
  pending: Map<string, Map<string, Pending>>;
  /** topics whose snapshot is being built: director/health messages wait here (numbered when sent) */
  priming: Map<string, Array<(seq: number) => LiveServerMessage>>;
  /** the last `seq` sent per topic on this socket (the snapshot is 0; every later message +1) */
  wireSeq: Map<string, number>;
}

export interface LiveHubOptions {
  bus: EventBus;
  log: Logger;
  feed?: LiveFeed;
  heartbeatMs?: number;
  slowBytes?: number;
  /** how often waiting merged stats are retried on slow sockets */
  drainCheckMs?: number;
}
