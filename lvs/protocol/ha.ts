/**
 * HA on the agent wire: what the control plane tells one director about its VRRP instances and IPVS
 * connection sync (`DesiredHa`, inside the `desired` message), and what the agent reports back
 * (`HaStatus`, the `ha.status` message). keepalived runs VRRP only: the agent keeps owning the IPVS
 * table, so nothing here can describe a virtual_server.
 *
 * Pure: zod only.
 */
import { z } from "zod";
import { ipAddressSchema } from "../schemas.ts";

/** Linux interface names: 1..15 characters, no '/', no whitespace (dev_valid_name). */
export const interfaceNameSchema = z.string().regex(/^[A-Za-z0-9_.:@-]{1,15}$/, "not an interface name (1..15 of A-Z a-z 0-9 _ . : @ -)");
/** keepalived instance names are config tokens: no spaces, braces or quotes. */
export const vrrpNameSchema = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, "instance names use A-Z a-z 0-9 _ . - (1..64)");

export const VRRP_STATES = ["MASTER", "BACKUP", "FAULT", "STOP", "UNKNOWN"] as const;
export type VrrpState = (typeof VRRP_STATES)[number];

export const vrrpInstanceSpecSchema = z.object({
  /** keepalived vrrp_instance name (unique per director) */
  name: vrrpNameSchema,
  /** the topology's HA group this instance belongs to */
  groupId: z.string().min(1).max(64),
  interface: interfaceNameSchema,
  virtualRouterId: z.number().int().min(1).max(255),
  /** 1..254 (255 is reserved for the address owner, 0 for "resigning") */
  priority: z.number().int().min(1).max(254),
  nopreempt: z.boolean(),
  /** VRRPv3 allows centiseconds (10 ms steps, up to 40.95 s); VRRPv2 whole seconds only */
  advertIntMs: z.number().int().min(10).max(40950),
  version: z.union([z.literal(2), z.literal(3)]),
  /** null = multicast (224.0.0.18 / ff02::12) */
  unicastSource: ipAddressSchema.nullable(),
  unicastPeers: z.array(ipAddressSchema).max(32),
  /** VRRPv2 PASS authentication (up to 8 characters); null = none. VRRPv3 has no authentication. */
  authPass: z.string().regex(/^[!-~]{1,8}$/, "1..8 printable characters without spaces").nullable(),
  vips: z.array(z.object({ address: ipAddressSchema, prefix: z.number().int().min(0).max(128) })).min(1).max(64),
});
export type VrrpInstanceSpec = z.infer<typeof vrrpInstanceSpecSchema>;

export const syncSpecSchema = z.object({
  /** the interface the sync daemons multicast on (usually the VRRP interface) */
  interface: interfaceNameSchema,
  /** --syncid 0..255 */
  syncId: z.number().int().min(0).max(255),
});
export type SyncSpec = z.infer<typeof syncSpecSchema>;

export const desiredHaSchema = z.object({
  instances: z.array(vrrpInstanceSpecSchema).max(255),
  /** IPVS connection sync daemons (master + backup on every director of the group); null = off */
  sync: syncSpecSchema.nullable(),
  /**
   * planned switchover: this director hands its VIPs over (keepalived is stopped, which makes every
   * MASTER instance send priority 0 so a backup takes over at once) and stays out until handed back
   */
  maintenance: z.boolean(),
});
export type DesiredHa = z.infer<typeof desiredHaSchema>;

const ms = z.number().int().min(0);

export const haInstanceStatusSchema = z.object({
  name: vrrpNameSchema,
  groupId: z.string().min(1).max(64),
  state: z.enum(VRRP_STATES),
  /** when this state began (agent clock, ms since epoch); null when never reported */
  since: ms.nullable(),
  priority: z.number().int().min(0).max(255).nullable(),
});
export type HaInstanceStatus = z.infer<typeof haInstanceStatusSchema>;

export const haStatusSchema = z.object({
  /** ms since epoch, agent clock */
  at: ms,
  keepalived: z.object({
    running: z.boolean(),
    /** e.g. "2.2.7"; null when not installed */
    version: z.string().max(64).nullable(),
    /** a director error (not installed, cannot start, config refused); null when fine */
    error: z.string().max(2048).nullable(),
  }),
  maintenance: z.boolean(),
  instances: z.array(haInstanceStatusSchema).max(255),
  sync: z.object({
    /** what the group asks for */
    wanted: z.boolean(),
    /** `ipvsadm -L --daemon` lines */
    daemons: z.array(z.string().max(512)).max(4),
    /** connection entries in this director's IPVS table (a backup's are mirrored ones) */
    connections: ms,
    error: z.string().max(2048).nullable(),
  }),
  /**
   * VIP:port listeners the userspace engine waits to bind until VRRP brings the VIP here (a BACKUP);
   * absent from older agents and from the ipvs engine (the kernel needs no local VIP to be ready)
   */
  awaitingAddress: z.array(z.string().max(80)).max(256).optional(),
});
export type HaStatus = z.infer<typeof haStatusSchema>;

/** One state change of one instance (`ha.transition` message; also kept by the console as history). */
export const haTransitionSchema = z.object({
  name: vrrpNameSchema,
  groupId: z.string().min(1).max(64),
  from: z.enum(VRRP_STATES),
  to: z.enum(VRRP_STATES),
  at: ms,
  /** true when the director was handing over on purpose (planned switchover) */
  planned: z.boolean(),
});
export type HaTransition = z.infer<typeof haTransitionSchema>;
