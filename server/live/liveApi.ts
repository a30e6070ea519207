/**
 * The contract between the `live` tRPC router (server/api/routers/live.ts) and the live-stats
 * runtime: input schemas (zod, with field-naming messages) and result types. The router only
 * validates and calls `LiveApi`; server/live/liveRuntime.ts implements it.
 */
import { z } from "zod";
import type { Availability } from "../../lvs/availability.ts";
import type { ConnectionEntry } from "../../lvs/model.ts";
import type { LiveDirectorState, LivePoint, LiveTopic } from "../../lvs/protocol/live.ts";
import type { AuditActor } from "../services/audit.ts";

const id = z.string().min(1, "must not be empty").max(64, "is at most 64 characters");
const serviceKey = z.string().min(1, "must not be empty").max(128, "is at most 128 characters");
const ms = z.number().int("must be an integer (ms since epoch)").nonnegative("must be >= 0");

/** 15 min, 1 h, 24 h ... at most 31 days per query */
export const MAX_HISTORY_RANGE_MS = 31 * 24 * 3600_000;

const range = z
  .object({ from: ms, to: ms })
  .refine((r) => r.to > r.from, { message: "to must be after from", path: ["to"] })
  .refine((r) => r.to - r.from <= MAX_HISTORY_RANGE_MS, { message: "range is at most 31 days", path: ["from"] });

export const historyInputSchema = z
  .object({
    directorId: id,
    serviceKey,
    /** one real server of the service ("address|port" as lvs/tableKey destinationKeyString); absent = the service total */
    destination: z.string().min(3).max(80).regex(/^[^|]+\|\d{1,5}$/, "must be address|port").optional(),
    maxPoints: z.number().int().min(10, "must be at least 10").max(2000, "must be at most 2000").default(300),
  })
  .and(range);
export type HistoryInput = z.infer<typeof historyInputSchema>;

export interface HistoryResult {
  from: number;
  to: number;
  /** width of one point: 1000 for live samples, a multiple of a minute for rollups */
  stepMs: number;
  /** "samples": the in-memory 1 s ring buffer; "rollups": per-minute rows from the database */
  source: "samples" | "rollups";
  points: LivePoint[];
}

export const connectionsInputSchema = z.object({
  directorId: id,
  offset: z.number().int().min(0, "must be >= 0").default(0),
  limit: z.number().int().min(1, "must be at least 1").max(1000, "must be at most 1000").default(100),
  /** substring filters on "address:port" text (as ipvsadm -Lnc prints them) */
  client: z.string().max(64).optional(),
  virtual: z.string().max(64).optional(),
  destination: z.string().max(64).optional(),
});
export type ConnectionsInput = z.infer<typeof connectionsInputSchema>;

export interface ConnectionsResult {
  directorId: string;
  offset: number;
  limit: number;
  total: number;
  entries: ConnectionEntry[];
  /** the agent's own error text (e.g. the engine cannot list connections) */
  error: string | null;
}

export const availabilityInputSchema = z
  .object({
    topologyId: id,
    directorId: id.optional(),
    serviceKey: serviceKey.optional(),
    /** a service is up while at least this many of its real servers are up */
    quorum: z.number().int().min(1).max(1000).default(1),
  })
  .and(range);
export type AvailabilityInput = z.infer<typeof availabilityInputSchema>;

/** `Availability` with `nines` as a number or null (Infinity = never down does not survive JSON) */
export type AvailabilityFigures = Omit<Availability, "nines"> & { nines: number | null };

export interface AvailabilityResult {
  from: number;
  to: number;
  services: Array<{
    directorId: string;
    serviceKey: string;
    availability: AvailabilityFigures;
    realServers: Array<{ address: string; port: number; availability: AvailabilityFigures }>;
  }>;
}

export const snapshotInputSchema = z.object({ topologyId: id, directorId: id.optional(), serviceKey: serviceKey.optional() });

export const zeroInputSchema = z.object({
  directorId: id,
  /** one service (lvs/tableKey serviceKeyString); absent = every service of the director */
  serviceKey: serviceKey.optional(),
});
export type ZeroInput = z.infer<typeof zeroInputSchema>;

export interface LiveApi {
  history(input: HistoryInput): Promise<HistoryResult>;
  connections(input: ConnectionsInput): Promise<ConnectionsResult>;
  availability(input: AvailabilityInput): Promise<AvailabilityResult>;
  /** the same director states a `/api/live` snapshot carries (for the stats tables) */
  snapshot(topic: LiveTopic): Promise<LiveDirectorState[]>;
  /** `ipvsadm -Z [service]` on one director through its agent; audited as stats.zero */
  zero(input: ZeroInput, actor: AuditActor): Promise<{ directorId: string; director: string; service: string | null }>;
}
