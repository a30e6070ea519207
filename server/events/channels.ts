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
  /** a director's agent connected or disconnected */
  "director.status": z.object({ directorId: id, topologyId: id, online: z.boolean(), at }),
} as const;

export type EventChannel = keyof typeof eventChannels;
export type EventPayload<C extends EventChannel> = z.output<(typeof eventChannels)[C]>;
export type EventHandler<C extends EventChannel> = (payload: EventPayload<C>) => void;

export function isEventChannel(name: string): name is EventChannel {
  return Object.prototype.hasOwnProperty.call(eventChannels, name);
}

/** NOTIFY payload limit (bytes) minus headroom for the envelope. */
export const MAX_EVENT_BYTES = 7900;
