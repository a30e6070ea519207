/**
 * The real-server role on the agent link (`/api/agent`, the same link, enrollment and token kind as
 * a director's agent; a real-server token starts with `lvsr_`). Additive messages of protocol 1:
 *
 * Agent → server: `rs.hello` (first frame), `rs.report`, heartbeat, error.
 * Server → agent: `welcome` (directorId = the real-server agent's id), `rs.desired`, `rs.prepare`, heartbeat, error.
 *
 *  - `rs.desired`: the host settings (lvs/realServer/hostSettings.ts) this real server needs for the
 *    memberships of the revision in force, with the revision. An agent in `--apply auto` applies
 *    them (reconcile: only failing settings changed, what it set recorded and undone when no longer
 *    needed); in `--apply on-request` it only verifies until told `rs.prepare`.
 *  - `rs.prepare`: apply the last desired settings now (the console's "prepare" action, audited).
 *  - `rs.report`: one check per setting ({id, expected, observed, ok, memberships}), what the run
 *    changed, errors and notes; sent after every desired, prepare, and when a periodic re-check finds
 *    that a check changed (drift). `requestId` echoes the prepare it answers.
 * Pure: zod only.
 */
import { z } from "zod";
import { FAMILIES } from "../model.ts";
import { ipAddressSchema } from "../schemas.ts";

const v = z.literal(1);
const revision = z.number().int().min(0);
const ms = z.number().int().min(0);
const text = (n: number) => z.string().max(n);
const family = z.enum(FAMILIES);
const iface = z.string().min(1).max(32).regex(/^[A-Za-z0-9_.@*:-]+$/, "interface name: letters, digits, _ . @ : - only");

export const REALSERVER_TOKEN_PREFIX = "lvsr_";

export const hostSettingSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("module"), name: z.string().min(1).max(64).regex(/^[A-Za-z0-9_-]+$/) }),
  z.object({ kind: z.literal("link"), iface }),
  z.object({ kind: z.literal("address"), iface, address: ipAddressSchema, prefix: z.number().int().min(0).max(128), family }),
  z.object({ kind: z.literal("sysctl"), key: z.string().min(1).max(128).regex(/^[A-Za-z0-9_.@-]+$/), value: z.string().max(32).regex(/^[0-9]+$/) }),
  z.object({ kind: z.literal("fou"), port: z.number().int().min(1).max(65535), family }),
  z.object({ kind: z.literal("route"), family, via: z.array(ipAddressSchema).max(64), manage: z.boolean() }),
]);

export const hostSettingEntrySchema = z.object({ id: text(256), setting: hostSettingSchema, memberships: z.array(text(64)).max(10000) });

export const realServerHostDesiredSchema = z.object({
  rips: z.array(ipAddressSchema).max(64),
  settings: z.array(hostSettingEntrySchema).max(10000),
  notes: z.array(text(1024)).max(1000),
});

export const hostCheckSchema = z.object({
  id: text(256), expected: text(512), observed: text(1024), ok: z.boolean(), memberships: z.array(text(64)).max(10000),
});

export const prepareReportSchema = z.object({
  /** the revision whose settings were applied or verified (null: none yet) */
  revision: revision.nullable(),
  /** ms since epoch, agent clock */
  at: ms,
  /** verify: observed only; apply: changed what failed; restore: fail-static apply at agent start */
  kind: z.enum(["verify", "apply", "restore"]),
  checks: z.array(hostCheckSchema).max(10000),
  changes: z.array(text(1024)).max(10000),
  errors: z.array(text(1024)).max(10000),
  notes: z.array(text(1024)).max(1000),
});
export type RealServerReport = z.infer<typeof prepareReportSchema>;

// ---------------------------------------------------------------- agent → server
export const rsHelloSchema = z.object({
  v, type: z.literal("rs.hello"),
  agentVersion: text(64),
  hostname: text(255),
  /** what the agent applies on its own: every desired ("auto") or only on rs.prepare ("on-request") */
  apply: z.enum(["auto", "on-request"]),
  /** the revision of the settings restored from its state dir (fail-static), null if none */
  revision: revision.nullable(),
});
export const rsReportSchema = z.object({ v, type: z.literal("rs.report"), requestId: text(64).nullable(), report: prepareReportSchema });

// ---------------------------------------------------------------- server → agent
export const rsDesiredSchema = z.object({ v, type: z.literal("rs.desired"), revision: revision.nullable(), desired: realServerHostDesiredSchema });
export const rsPrepareSchema = z.object({ v, type: z.literal("rs.prepare"), requestId: text(64) });

export type RsHello = z.infer<typeof rsHelloSchema>;
export type RsDesired = z.infer<typeof rsDesiredSchema>;

// ---------------------------------------------------------------- director prerequisites (feature "prereq")
/**
 * A director's own prerequisites (lvs/realServer/directorPrerequisites.ts: DIPs, the VIP it serves
 * alone, ip_forward for NAT, the IPVS modules): sent in `desired.prerequisites`, observed (never
 * changed) by the director agent and reported as `director.prereq` after each desired and when a
 * check changes.
 */
export const directorPrereqSchema = z.object({
  v, type: z.literal("director.prereq"),
  revision: revision.nullable(),
  at: ms,
  checks: z.array(hostCheckSchema).max(10000),
  errors: z.array(text(1024)).max(100),
});
export type DirectorPrereqMessage = z.infer<typeof directorPrereqSchema>;
