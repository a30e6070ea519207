/** The shapes of the agent hub: its options and ports, one connection's state, limits. */
import type { WebSocket } from "ws";
import type { AgentMessage, DesiredState } from "../../lvs/protocol/agent.ts";
import type { HaStatus, HaTransition } from "../../lvs/protocol/ha.ts";
import type { HostCheck } from "../../lvs/realServer/hostChecks.ts";
import type { EventBus } from "../events/EventBus.ts";
import type { AgentDirectory, AgentIdentity } from "./agentDirectory.ts";
import type { AgentRef } from "./agentEvents.ts";
import type { StatsDeltaMerger } from "../../lvs/stats/statsDelta.ts";
import type { StatsFieldsMerger } from "../../lvs/stats/statsFields.ts";

/** What agents report about VRRP / connection sync (feature "ha"), handed to whoever records it. */
export type HaReport =
  | { kind: "status"; directorId: string; topologyId: string; status: HaStatus; at: number }
  | { kind: "transitions"; directorId: string; topologyId: string; transitions: HaTransition[]; at: number };

/** A director agent's prerequisite checks (feature "prereq"), handed to whoever records them. */
export interface PrereqReport {
  directorId: string;
  topologyId: string;
  revision: number | null;
  checks: HostCheck[];
  errors: string[];
  at: number;
}

export interface HubLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

/**
 * Several instances: at most one holds a director's agent (a lease in the database; the newest
 * connection wins). Without it (tests, one instance) every connection simply holds its director.
 */
export interface AgentCluster {
  instanceId: string;
  /** this connection now holds the director; returns the previous holder (another instance's connection closes) */
  acquire(directorId: string, connectionId: string): Promise<{ instanceId: string; connectionId: string } | null>;
  /** gives the director up if this connection still holds it; true when it did */
  release(directorId: string, connectionId: string): Promise<boolean>;
  /** takes the lease back if nobody holds it; false when another connection does */
  reacquire(directorId: string, connectionId: string): Promise<boolean>;
  /** after each renewal: the connections of this instance that still hold their director (leases
   *  taken after `renewedFrom`, a performance.now() time, are not in the list yet) */
  onLeases(listener: (held: Array<{ directorId: string; connectionId: string }>, renewedFrom: number) => void): () => void;
}

export interface AgentHubOptions {
  cluster?: AgentCluster;
  directory: AgentDirectory;
  bus: EventBus;
  desiredFor: (directorId: string) => Promise<DesiredState | null>;
  log: HubLog;
  now?: () => number;
  heartbeatMs?: number;
  statsIntervalMs?: number;
  maxPayload?: number;
  /** the director's own prerequisite checks (feature "prereq"); absent = not recorded */
  onPrereq?: (r: PrereqReport) => void | Promise<void>;
  /** VRRP status and transitions from agents (feature "ha"); absent = not recorded */
  onHa?: (r: HaReport) => void | Promise<void>;
  /** for refusing an incompatible agent: the agent version this console serves and its public URL */
  install?: { serves(): string | null; publicUrl: string | null };
}

export interface Conn {
  /** this connection's id (the agent lease names it) */
  id: string;
  /** when the lease was taken (performance.now(), after hello); null before */
  leasedAt: number | null;
  ws: WebSocket;
  director: AgentIdentity;
  helloSeen: boolean;
  sentRevision: number | null;
  /** JSON of the DesiredHa last sent (HA changes without a new revision) */
  sentHa: string | null;
  lastFrameAt: number;
  pending: Map<string, (msg: Extract<AgentMessage, { type: "connections.response" }>) => void>;
  /** zero.request answers by request id */
  pendingZero?: Map<string, (msg: Extract<AgentMessage, { type: "zero.response" }>) => void>;
  /** messages of one connection are handled in order */
  chain: Promise<void>;
  /** frames waiting in `chain` (stats are dropped beyond MAX_BACKLOG: the next snapshot supersedes them; a
   *  dropped stats.delta frame leaves a gap the merger notices, and it asks for a full update) */
  backlog: number;
  droppedStats: number;
  /** feature "stats.delta": this connection's statistics as merged from its delta frames */
  statsMerge?: StatsDeltaMerger;
  /** feature "stats.fields": the same from per-field frames */
  statsFieldsMerge?: StatsFieldsMerger;
}

/** a stuck store (database down) must not make a chatty agent grow the hub's memory without bound */
export const MAX_BACKLOG = 100;
/** how long an authenticated connection may take to send hello */
export const HELLO_WAIT_MS = 30_000;

export function ref(d: AgentIdentity): AgentRef {
  return { id: d.id, topologyId: d.topologyId, key: d.key, name: d.name };
}
