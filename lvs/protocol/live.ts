/**
 * Messages of the browser live channel `/api/live` (JSON text frames, zod-typed both ways).
 * Pure: importable by the UI.
 *
 * Conversation:
 *   client  subscribe {topologyId, directorId?, serviceKey?, since?}
 *   server  subscribed {sub, ...topic}
 *   server  snapshot {sub, epoch, seq: 0, directors: [...latest stats, online, health...], recent?}
 *   server  stats {sub, seq, directorId, at, services: [changed services only]}     (1 Hz per director)
 *   server  director {sub, seq, directorId, online, at}                              (agent up/down)
 *   server  health {sub, seq, directorId, serviceKey, address, port, from, to, at}   (transitions)
 * Topology-wide events go to every socket holding any subscription of that topology, with no `sub`
 * and no `seq` (like topology.saved; they are notices to re-read, not state to merge):
 *   server  deploy.progress {topologyId, rolloutId, revision, status, directorId, at}  (a rollout moved)
 *   server  topology.applied {topologyId, directorId, revision, outcome, message, at}   (an agent's ack)
 *   server  drain.changed {topologyId, drainId, status, at}                            (a drain moved)
 *   server  ha.changed {topologyId, directorId, kind, at}       (VRRP transition, HA status, switchover)
 * A `sub` is the topic's key (`topicKey(topic)`); `seq` counts the messages of that sub on this
 * socket: the snapshot is 0 and every later stats/director/health message is exactly +1, so a gap
 * means a lost message (subscribe again for a fresh snapshot). A slow socket does not queue: its
 * pending stats are merged per service (latest values win) and sent as ONE `stats` message with
 * `merged` > 1 once the socket drains (it takes one seq like any other message). Reconnect: subscribe again with
 * `since` = the `at` of the last message seen; the fresh snapshot then carries `recent` — the
 * ring-buffer samples after `since` — so charts have no gap.
 * Every stats/snapshot value is what the agent reported (ipvsadm --stats/--rate semantics).
 */
import { z } from "zod";
import { VRRP_STATES } from "./ha.ts";

const topologyId = z.string().min(1).max(64);
const directorId = z.string().min(1).max(64);
/** serviceKeyString of lvs/tableKey.ts: "tcp|127.0.10.1|80", "fwmark|inet|5" */
const serviceKey = z.string().min(1).max(128);
const at = z.number().int().nonnegative();
const count = z.number().nonnegative();

export const liveTopicSchema = z.object({
  topologyId,
  /** only this director (Director.id) */
  directorId: directorId.optional(),
  /** only this virtual service (serviceKeyString) */
  serviceKey: serviceKey.optional(),
});
export type LiveTopic = z.infer<typeof liveTopicSchema>;

/** The subscription key of a topic: "topologyId", "topologyId/directorId", "topologyId/*\/serviceKey". */
export function topicKey(t: LiveTopic): string {
  return [t.topologyId, t.directorId ?? "*", t.serviceKey ?? "*"].join("/").replace(/(\/\*)+$/, "");
}

export const liveClientMessageSchema = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("subscribe"),
    ...liveTopicSchema.shape,
    /** resume: the `at` of the last message received before the reconnect (ms since epoch) */
    since: at.optional(),
  }),
  z.object({ type: z.literal("unsubscribe"), ...liveTopicSchema.shape }),
  z.object({ type: z.literal("ping") }),
]);
export type LiveClientMessage = z.infer<typeof liveClientMessageSchema>;

export const countersSchema = z.object({ conns: count, inPkts: count, outPkts: count, inBytes: count, outBytes: count });
export const ratesSchema = z.object({ cps: count, inPps: count, outPps: count, inBps: count, outBps: count });
export const liveDestinationSchema = z.object({
  address: z.string().max(64),
  port: z.number().int().min(0).max(65535),
  weight: count,
  activeConns: count,
  inactConns: count,
  persistConns: count,
  counters: countersSchema,
  rates: ratesSchema,
});
export const liveServiceSchema = z.object({
  /** serviceKeyString */
  key: serviceKey,
  counters: countersSchema,
  rates: ratesSchema,
  /** in a snapshot: every destination; in a stats delta: only the destinations that changed */
  destinations: z.array(liveDestinationSchema),
  /** in a stats delta: destinations that disappeared since the previous message ("address|port") */
  removed: z.array(z.string().max(80)).optional(),
});
export type LiveService = z.infer<typeof liveServiceSchema>;

export const healthStateSchema = z.enum(["unknown", "up", "down"]);
export const liveHealthSchema = z.object({ serviceKey, address: z.string().max(64), port: z.number().int().min(0).max(65535), state: healthStateSchema, since: at });

/** one point of a chart series (1 s samples live, minute rollups in history) */
export const livePointSchema = z.object({
  at,
  cps: count, inPps: count, outPps: count, inBps: count, outBps: count,
  activeConns: count, inactConns: count,
});
export type LivePoint = z.infer<typeof livePointSchema>;

export const liveDirectorStateSchema = z.object({
  directorId,
  /** the lvs id of the director in the topology document */
  key: z.string().max(64),
  name: z.string().max(128),
  online: z.boolean(),
  lastSeenAt: at.nullable(),
  /** `at` of the agent's latest snapshot; null before the first one */
  at: at.nullable(),
  services: z.array(liveServiceSchema),
  health: z.array(liveHealthSchema),
});
export type LiveDirectorState = z.infer<typeof liveDirectorStateSchema>;

/** series id in `recent`: "directorId/serviceKey" for a service, "directorId/serviceKey/address|port" for a destination */
export const recentSeriesSchema = z.object({ series: z.string().max(300), points: z.array(livePointSchema) });

const sub = z.string().min(1).max(300);
const seq = z.number().int().nonnegative();

export const liveServerMessageSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("subscribed"), sub, ...liveTopicSchema.shape }),
  z.object({ type: z.literal("unsubscribed"), sub, ...liveTopicSchema.shape }),
  z.object({
    type: z.literal("snapshot"), sub, seq, at,
    /** changes when the server restarts: a client seeing a new epoch drops its state */
    epoch: z.string().max(64),
    directors: z.array(liveDirectorStateSchema),
    /** only for a resume (`since` given): ring-buffer samples after `since`, bounded */
    recent: z.array(recentSeriesSchema).optional(),
  }),
  z.object({
    type: z.literal("stats"), sub, seq, directorId, at,
    services: z.array(liveServiceSchema),
    /** how many agent updates this message merges (> 1 when the socket was slow) */
    merged: z.number().int().min(1),
  }),
  z.object({ type: z.literal("director"), sub, seq, directorId, online: z.boolean(), at }),
  z.object({
    type: z.literal("health"), sub, seq, directorId, serviceKey,
    address: z.string().max(64), port: z.number().int().min(0).max(65535),
    from: healthStateSchema, to: healthStateSchema, at,
  }),
  z.object({
    type: z.literal("topology.saved"),
    topologyId,
    revision: z.number().int(),
    author: z.string().nullable(),
    at: z.number().int(),
  }),
  z.object({
    type: z.literal("deploy.progress"),
    topologyId,
    rolloutId: z.string().max(64),
    revision: z.number().int(),
    status: z.string().max(32),
    directorId: z.string().max(64).nullable(),
    at: z.number().int(),
  }),
  z.object({
    type: z.literal("topology.applied"),
    topologyId,
    directorId: z.string().max(64),
    revision: z.number().int(),
    outcome: z.string().max(32),
    message: z.string().nullable(),
    at: z.number().int(),
  }),
  z.object({ type: z.literal("drain.changed"), topologyId, drainId: z.string().max(64), status: z.string().max(32), at: z.number().int() }),
  z.object({
    type: z.literal("ha.changed"), topologyId, directorId: z.string().max(64), kind: z.enum(["transition", "status", "maintenance"]), at: z.number().int(),
    groupId: z.string().max(64).optional(), to: z.enum(VRRP_STATES).optional(),
  }),
  z.object({ type: z.literal("pong") }),
  z.object({ type: z.literal("error"), message: z.string() }),
]);
export type LiveServerMessage = z.infer<typeof liveServerMessageSchema>;
export type LiveSnapshotMessage = Extract<LiveServerMessage, { type: "snapshot" }>;
export type LiveStatsMessage = Extract<LiveServerMessage, { type: "stats" }>;
/** the topology-wide notices a page re-reads its queries on (deploy view) */
export type LiveTopologyEvent = Extract<LiveServerMessage, { type: "deploy.progress" | "topology.applied" | "drain.changed" | "topology.saved" | "ha.changed" }>;

/** a browser may watch this many topics at once on one socket */
export const MAX_LIVE_SUBSCRIPTIONS = 32;
export const MAX_LIVE_FRAME_BYTES = 16 * 1024;
/** above this many bytes waiting in a socket's send buffer, stats are merged instead of sent */
export const LIVE_SLOW_BUFFER_BYTES = 256 * 1024;
/** a socket this far behind (snapshots, health and director frames still queue) is dropped; it resumes */
export const LIVE_MAX_BUFFER_BYTES = 16 * 1024 * 1024;
/** `recent` in a resume snapshot holds at most this many points per series */
export const MAX_RECENT_POINTS = 900;
