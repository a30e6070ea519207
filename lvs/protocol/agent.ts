/**
 * The agent ⇄ control-plane protocol on `/api/agent` (WebSocket, JSON text frames).
 * Every frame is one message `{ v: 1, type, ... }`; both sides parse with these schemas and close
 * the connection on anything else. Authentication is NOT a message: the agent presents
 * `Authorization: Bearer <token>` on the upgrade and the server refuses before any frame is read.
 *
 * Server → agent: welcome, desired, heartbeat, connections.request, zero.request, stats.resync, error, rs.desired, rs.prepare
 * Agent → server: hello, ack, heartbeat, stats, stats.delta, stats.fields, health, health.state, connections.response, zero.response, error,
 *                 ha.status, ha.transition, rs.hello, rs.report
 * (rs.*: the real-server role of the agent, lvs/protocol/realServer.ts)
 *
 * Additive features inside version 1: the server lists what it understands beyond the original
 * message set in `welcome.features` (absent = none); an agent sends a feature's messages only to a
 * server that listed it, so a new agent still talks to an older control plane and vice versa.
 *  - "health.state": right after welcome (after any transitions held while offline) the agent sends
 *    the CURRENT state of every checked target, so the control plane corrects what it missed while
 *    the agent was offline or restarting (it records a transition only where its stored state differs).
 *  - "prereq": `desired.prerequisites` is sent; the agent reports `director.prereq` (checks observed,
 *    nothing changed) after each desired and when a check changes.
 *  - "ha": `desired.ha` (VRRP instances + connection sync, lvs/protocol/ha.ts) is understood; the agent
 *    reports `ha.status` (after welcome, on every change and every few seconds) and each VRRP state
 *    change as `ha.transition` at once.
 *  - "stats.delta": instead of `stats` (the whole snapshot every interval) the agent sends `stats.delta`
 *    frames: only the services whose figures changed, the keys of services gone, and a full update
 *    after welcome, every few minutes and when the control plane asks with `stats.resync` (sent only
 *    to an agent that sends stats.delta). Frames are numbered (`seq`); a big update is split over
 *    several frames (`more`); the control plane merges them (lvs/stats/statsDelta.ts) into the same
 *    snapshot a `stats` frame would have carried. A gap in `seq` makes it ask for a full update.
 *  - "stats.fields": preferred over "stats.delta" by an agent that knows both: `stats.fields` frames carry
 *    services in numbered slots, whole only when new or when their real servers changed, and otherwise
 *    only the figures that changed, as differences (lvs/stats/statsFields.ts); same seq/reset/more and
 *    `stats.resync` as stats.delta. A frame that does not fit what the control plane knows is refused
 *    whole (nothing applied) and a full update asked for.
 *
 * Versions: a hello's `v` is the agent's protocol version, `agentVersion` its build
 * (`<package version>+g<commit>`). The control plane accepts protocols MIN_AGENT_PROTOCOL..PROTOCOL_VERSION.
 * An agent outside that range is refused in a way every version can read: an `error` frame with code
 * "protocol.incompatible" whose message says which agent version to install (an error frame's `type`,
 * `code` and `message` are read whatever its `v`), then close code 4426 with a short reason. The agent
 * logs it and keeps retrying with its backoff (forwarding its last table) until the versions match.
 *
 * Pure: zod only.
 */
import { z } from "zod";
import { healthCheckSchema, ipAddressSchema, ipvsTableSchema, portSchema } from "../schemas.ts";
import { EXEC_CHECK_NAME, FAMILIES, MAX_FWMARK, PROTOCOLS } from "../model.ts";
import { isCleanStatsDeltaFrame, isCleanStatsFieldsFrame, isCleanStatsFrame } from "../stats/statsFrameCheck.ts";
import { MAX_SLOT } from "../stats/statsFields.ts";
import { desiredHaSchema, haStatusSchema, haTransitionSchema } from "./ha.ts";
import { directorPrereqSchema, hostSettingEntrySchema, rsDesiredSchema, rsHelloSchema, rsPrepareSchema, rsReportSchema } from "./realServer.ts";
import { PROTOCOL_VERSION } from "./protocolVersion.ts";
import { parseWith, type ParseResult } from "./parseFrame.ts";

export {
  PROTOCOL_VERSION, MIN_AGENT_PROTOCOL, INCOMPATIBLE, AGENT_FEATURES, MAX_FRAME_BYTES, CLOSE,
  acceptsAgentProtocol, installCommand, incompatibleAgentMessage,
} from "./protocolVersion.ts";
export { frameVersion, peekError, peekHello, type ParseResult } from "./parseFrame.ts";

const v = z.literal(PROTOCOL_VERSION);
const revision = z.number().int().min(0);
const ms = z.number().int().min(0);

export const serviceKeySchema = z.union([
  z.object({ protocol: z.enum(PROTOCOLS), family: z.enum(FAMILIES), address: ipAddressSchema, port: portSchema }),
  z.object({ protocol: z.literal("fwmark"), family: z.enum(FAMILIES), fwmark: z.number().int().min(1).max(MAX_FWMARK) }),
]);

const endpoint = z.object({ address: ipAddressSchema, port: portSchema });

/** One real server of one service to probe; `check` already merged (membership over service default). */
export const healthTargetSchema = z.object({
  service: serviceKeySchema,
  destination: endpoint,
  check: healthCheckSchema,
  /** topology ids, for the control plane's records */
  realServerId: z.string().max(64).nullable(),
  serviceId: z.string().max(64).nullable(),
});
export type HealthTarget = z.infer<typeof healthTargetSchema>;

export const sorryServerSchema = z.object({ service: serviceKeySchema, address: ipAddressSchema, port: portSchema });
export type SorryServer = z.infer<typeof sorryServerSchema>;

export const healthConfigSchema = z.object({
  targets: z.array(healthTargetSchema).max(100000),
  sorryServers: z.array(sorryServerSchema).max(100000),
});
export type HealthConfig = z.infer<typeof healthConfigSchema>;

export const desiredOptionsSchema = z.object({
  /** how often the agent sends stats, ms */
  statsIntervalMs: z.number().int().min(200).max(60000),
});

// ---------------------------------------------------------------- server → agent

export const welcomeSchema = z.object({
  v, type: z.literal("welcome"),
  directorId: z.string().max(64),
  directorName: z.string().max(128),
  serverTime: ms,
  heartbeatMs: z.number().int().min(100).max(600000),
  /** additive features this control plane understands (AGENT_FEATURES); absent on older ones */
  features: z.array(z.string().max(64)).max(64).optional(),
});
export const desiredSchema = z.object({
  v, type: z.literal("desired"),
  revision,
  table: ipvsTableSchema,
  health: healthConfigSchema,
  options: desiredOptionsSchema,
  /** VRRP + connection sync for this director (feature "ha"); absent/null = no HA group */
  ha: desiredHaSchema.nullable().optional(),
  /** the director's own prerequisites to verify and report as director.prereq (feature "prereq") */
  prerequisites: z.array(hostSettingEntrySchema).max(10000).optional(),
});
export const heartbeatSchema = z.object({ v, type: z.literal("heartbeat"), at: ms, appliedRevision: revision.nullable() });
export const connectionsRequestSchema = z.object({
  v, type: z.literal("connections.request"),
  requestId: z.string().min(1).max(64),
  page: z.object({
    offset: z.number().int().min(0),
    limit: z.number().int().min(1).max(10000),
    client: z.string().max(64).optional(),
    virtual: z.string().max(64).optional(),
    destination: z.string().max(64).optional(),
  }),
});
export const errorSchema = z.object({ v, type: z.literal("error"), code: z.string().max(64), message: z.string().max(4096) });
/** `ipvsadm -Z [service]`: zero the counters of one service (and its real servers) or of all (null). */
export const zeroRequestSchema = z.object({
  v, type: z.literal("zero.request"),
  requestId: z.string().min(1).max(64),
  service: serviceKeySchema.nullable(),
});

/** Feature "stats.delta": send a full update (reset) next; sent only to an agent that sends stats.delta. */
export const statsResyncSchema = z.object({ v, type: z.literal("stats.resync"), reason: z.string().max(512) });

export const serverMessageSchema = z.discriminatedUnion("type", [
  welcomeSchema, desiredSchema, heartbeatSchema, connectionsRequestSchema, errorSchema, zeroRequestSchema, statsResyncSchema,
  rsDesiredSchema, rsPrepareSchema,
]);
export type ServerMessage = z.infer<typeof serverMessageSchema>;
export type DesiredMessage = z.infer<typeof desiredSchema>;
/** What the control plane wants one director to run (the body of a `desired` message). */
export type DesiredState = Pick<DesiredMessage, "revision" | "table" | "health" | "ha" | "prerequisites">;

// ---------------------------------------------------------------- agent → server

export const helloSchema = z.object({
  v, type: z.literal("hello"),
  agentVersion: z.string().max(64),
  engine: z.enum(["ipvs", "userspace", "fake"]),
  hostname: z.string().max(255),
  /** the revision in force (restored from the state dir after a restart), null if none */
  appliedRevision: revision.nullable(),
  /** the table the engine actually runs */
  table: ipvsTableSchema,
  /**
   * Additive: the exec health checks this director's administrator installed (names in the agent's
   * checks directory that pass its ownership/permission checks). An exec check names one of these.
   */
  execChecks: z.array(z.string().max(64).regex(EXEC_CHECK_NAME)).max(1024).optional(),
});

const appliedOpSchema = z.object({ op: z.string().max(4096), ok: z.boolean(), error: z.string().max(4096).optional() });
const noteSchema = z.object({
  kind: z.enum(["emulated", "unsupported", "unmanaged", "awaiting-address"]),
  service: serviceKeySchema,
  message: z.string().max(4096),
});
export const issueSchema = z.object({
  path: z.string().max(512), code: z.string().max(64), severity: z.enum(["error", "warning"]), message: z.string().max(4096),
});
export type AgentIssue = z.infer<typeof issueSchema>;

export const ackSchema = z.object({
  v, type: z.literal("ack"),
  revision,
  /** true: the engine runs this revision (read back and verified) */
  ok: z.boolean(),
  /** "refused": failed validation, previous table kept; "failed": some ops failed; "applied" */
  outcome: z.enum(["applied", "failed", "refused"]),
  /** the revision still in force when this one was refused or failed */
  appliedRevision: revision.nullable(),
  ops: z.array(appliedOpSchema).max(200000),
  notes: z.array(noteSchema).max(100000),
  issues: z.array(issueSchema).max(10000),
  /** what the engine runs after this attempt (health-adjusted) */
  table: ipvsTableSchema,
});
export type AckMessage = z.infer<typeof ackSchema>;

const countersSchema = z.object({ conns: ms, inPkts: ms, outPkts: ms, inBytes: ms, outBytes: ms });
const ratesSchema = z.object({ cps: ms, inPps: ms, outPps: ms, inBps: ms, outBps: ms });
const serviceStatsSchema = z.object({
  key: serviceKeySchema,
  counters: countersSchema,
  rates: ratesSchema,
  destinations: z.array(z.object({
    address: ipAddressSchema, port: portSchema, weight: ms,
    activeConns: ms, inactConns: ms, persistConns: ms,
    counters: countersSchema, rates: ratesSchema,
  })),
});
export const statsSnapshotSchema = z.object({ at: ms, services: z.array(serviceStatsSchema) });
export const statsSchema = z.object({ v, type: z.literal("stats"), snapshot: statsSnapshotSchema });
/** Feature "stats.delta": one frame of an update (lvs/stats/statsDelta.ts StatsDeltaBody). */
export const statsDeltaSchema = z.object({
  v, type: z.literal("stats.delta"),
  seq: ms,
  reset: z.boolean(),
  more: z.boolean(),
  at: ms,
  services: z.array(serviceStatsSchema).max(100000),
  removed: z.array(serviceKeySchema).max(100000),
});
export type StatsDeltaMessage = z.infer<typeof statsDeltaSchema>;
/** Feature "stats.fields": one frame of an update (lvs/stats/statsFields.ts StatsFieldsBody). */
export const statsFieldsSchema = z.object({
  v, type: z.literal("stats.fields"),
  seq: ms,
  reset: z.boolean(),
  more: z.boolean(),
  at: ms,
  services: z.array(z.object({ slot: z.number().int().min(0).max(MAX_SLOT), stats: serviceStatsSchema })).max(100000),
  removed: z.array(z.number().int().min(0).max(MAX_SLOT)).max(1_000_000),
  fields: z.array(z.number().int()).max(4_000_000),
});
export type StatsFieldsMessage = z.infer<typeof statsFieldsSchema>;

export const healthTransitionSchema = z.object({
  service: serviceKeySchema,
  destination: endpoint,
  realServerId: z.string().max(64).nullable(),
  serviceId: z.string().max(64).nullable(),
  from: z.enum(["up", "down", "unknown"]),
  to: z.enum(["up", "down"]),
  /** ms since epoch */
  at: ms,
  message: z.string().max(1024),
});
export type HealthTransition = z.infer<typeof healthTransitionSchema>;
export const healthSchema = z.object({ v, type: z.literal("health"), transitions: z.array(healthTransitionSchema).min(1).max(10000) });

/** The current state of one checked target (feature "health.state"). */
export const healthStateEntrySchema = z.object({
  service: serviceKeySchema,
  destination: endpoint,
  realServerId: z.string().max(64).nullable(),
  serviceId: z.string().max(64).nullable(),
  state: z.enum(["up", "down"]),
  message: z.string().max(1024),
});
export type HealthStateEntry = z.infer<typeof healthStateEntrySchema>;
/** Every checked target's current state, sent after welcome when the server lists "health.state". */
export const healthStateSchema = z.object({
  v, type: z.literal("health.state"),
  /** ms since epoch (the agent's clock) */
  at: ms,
  states: z.array(healthStateEntrySchema).max(100000),
});

export const connectionsResponseSchema = z.object({
  v, type: z.literal("connections.response"),
  requestId: z.string().min(1).max(64),
  total: ms,
  entries: z.array(z.object({
    protocol: z.enum(PROTOCOLS),
    client: endpoint, virtual: endpoint, destination: endpoint,
    state: z.string().max(32),
    expiresIn: ms,
  })).max(10000),
  error: z.string().max(4096).optional(),
});

/** The answer to zero.request: no error = the engine zeroed the counters. */
export const zeroResponseSchema = z.object({
  v, type: z.literal("zero.response"),
  requestId: z.string().min(1).max(64),
  error: z.string().max(4096).optional(),
});

/** What keepalived and the sync daemons do on this director now (feature "ha"). */
export const haStatusMessageSchema = z.object({ v, type: z.literal("ha.status"), status: haStatusSchema });
/** VRRP state changes, sent the moment keepalived's notify script reports them (feature "ha"). */
export const haTransitionMessageSchema = z.object({ v, type: z.literal("ha.transition"), transitions: z.array(haTransitionSchema).min(1).max(1000) });

export const agentMessageSchema = z.discriminatedUnion("type", [
  helloSchema, ackSchema, heartbeatSchema, statsSchema, statsDeltaSchema, statsFieldsSchema, healthSchema, healthStateSchema, connectionsResponseSchema, errorSchema,
  haStatusMessageSchema, haTransitionMessageSchema, zeroResponseSchema,
  rsHelloSchema, rsReportSchema, directorPrereqSchema,
]);
export type AgentMessage = z.infer<typeof agentMessageSchema>;

export function parseAgentMessage(text: string): ParseResult<AgentMessage> {
  // stats frames (1 Hz, up to MBs) take a zod-equivalent fast check first; anything else goes to zod
  const head = text.startsWith('{"v":') ? text.slice(0, 48) : "";
  const fast = head.includes('"type":"stats"') ? isCleanStatsFrame : head.includes('"type":"stats.delta"') ? isCleanStatsDeltaFrame
    : head.includes('"type":"stats.fields"') ? isCleanStatsFieldsFrame : null;
  if (fast) {
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      return { ok: false, reason: "frame is not JSON" };
    }
    if (fast(raw, PROTOCOL_VERSION)) return { ok: true, message: raw as AgentMessage };
  }
  return parseWith(agentMessageSchema, text);
}
export const parseServerMessage = (text: string) => parseWith(serverMessageSchema, text);

export function endpointText(e: { address: string; port: number }): string {
  return e.address.includes(":") ? `[${e.address}]:${e.port}` : `${e.address}:${e.port}`;
}
