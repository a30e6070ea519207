/**
 * Typed event channels. Payloads are small (ids and versions, never documents): PostgreSQL NOTIFY
 * payloads are limited to 8000 bytes. To add a channel, add an entry here; publish() validates the
 * payload and subscribers receive it parsed.
 */
import { z } from "zod";

const id = z.string().min(1).max(64);
const at = z.number().int().nonnegative(); // ms since epoch

export const eventChannels = {
  /** a topology document was saved (new revision committed) */
  "topology.saved": z.object({ topologyId: id, revision: z.number().int().nonnegative(), author: z.string().max(255).nullable(), at }),
  /** a director applied (or failed to apply) a topology revision */
  "topology.applied": z.object({
    topologyId: id,
    directorId: id,
    revision: z.number().int().nonnegative(),
    outcome: z.enum(["ok", "failed"]),
    message: z.string().max(1024).nullable(),
    /** the failed operations / refusing issues (first 8, shortened) */
    errors: z.array(z.object({ op: z.string().max(200), error: z.string().max(300) })).max(8).optional(),
    at,
  }),
  /** an agent reported its table/stats; read the details from the database */
  "agent.report": z.object({ directorId: id, topologyId: id, at }),
  /** a real server's health changed on one director */
  "health.changed": z.object({
    directorId: id,
    serviceKey: z.string().max(128),
    rip: z.string().max(45),
    port: z.number().int().min(0).max(65535),
    from: z.enum(["unknown", "up", "down"]),
    to: z.enum(["unknown", "up", "down"]),
    at,
  }),
  /** an operator applied a revision to directors (Director.targetRevision changed): agents get it now;
   *  force = resend even when the agent was already sent that revision (re-apply after drift) */
  "deploy.target": z.object({ topologyId: id, revision: z.number().int().nonnegative(), directorIds: z.array(id).max(100), force: z.boolean(), at }),
  /** a rollout's progress changed (read the Rollout row for the per-director results) */
  "deploy.progress": z.object({
    topologyId: id,
    rolloutId: id,
    revision: z.number().int().nonnegative(),
    status: z.enum(["running", "succeeded", "failed", "pending"]),
    directorId: id.nullable(),
    at,
  }),
  /** a drain's status or connection counts changed (read the Drain row) */
  "drain.changed": z.object({ topologyId: id, drainId: id, status: z.string().max(32), at }),
  /** another instance took a director's agent connection over: the named connection must close */
  "agent.taken": z.object({ directorId: id, instanceId: id, connectionId: id, at }),
  /** HA changed for a director: VRRP transition, status report, or a planned switchover / hand-back
   *  (agents get their desired HA again: `maintenance` is not part of a revision) */
  "ha.changed": z.object({
    topologyId: id, directorId: id, kind: z.enum(["transition", "status", "maintenance"]), at,
    /** transition: the group and the state the director is in now (the panel shows it before re-reading) */
    groupId: z.string().max(64).optional(), to: z.enum(["MASTER", "BACKUP", "FAULT", "STOP", "UNKNOWN"]).optional(),
  }),
  /** a director's agent connected or disconnected */
  "director.status": z.object({ directorId: id, topologyId: id, online: z.boolean(), at }),
  /** a real server's agent connected or disconnected, or its token was revoked (online false: the holder re-checks) */
  "realserver.status": z.object({ agentId: id, topologyId: id, online: z.boolean(), at }),
  /** the console's prepare action: the instance holding that real-server agent sends it `rs.prepare` */
  "realserver.prepare": z.object({ agentId: id, topologyId: id, requestId: id, at }),
  /** a real-server agent reported its checks (read the RealServerAgent row); requestId: the prepare it answers */
  "realserver.report": z.object({ agentId: id, topologyId: id, requestId: id.nullable(), at }),
} as const;

export type EventChannel = keyof typeof eventChannels;
export type EventPayload<C extends EventChannel> = z.output<(typeof eventChannels)[C]>;
export type EventHandler<C extends EventChannel> = (payload: EventPayload<C>) => void;

export function isEventChannel(name: string): name is EventChannel {
  return Object.prototype.hasOwnProperty.call(eventChannels, name);
}

/** NOTIFY payload limit (bytes) minus headroom for the envelope. */
export const MAX_EVENT_BYTES = 7900;
