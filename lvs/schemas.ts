/**
 * zod schemas for the model in model.ts: shared by tRPC inputs, editor forms, imports and the agent
 * protocol. They check structure and ranges (what a form field can say on its own); cross-object LVS
 * rules live in validate.ts.
 */
import { z } from "zod";
import ipaddr from "ipaddr.js";
import {
  ADMIN_STATES, ENGINE_KINDS, EXEC_CHECK_ARG, EXEC_CHECK_NAME, MAX_EXEC_CHECK_ARGS, FAMILIES, FORWARDING_METHODS, MAX_FWMARK, MAX_PERSISTENCE_TIMEOUT,
  MAX_THRESHOLD, MAX_WEIGHT, PROTOCOLS, SCHEDULER_FLAGS, SERVICE_PROTOCOLS, TUNNEL_CSUM, TUNNEL_TYPES,
} from "./model.ts";
import type * as M from "./model.ts";
import { MAX_IPVS_TIMEOUT as M_MAX_TIMEOUT } from "./model.ts";

export const ipv4Schema = z
  .string()
  .max(15)
  .refine((s) => ipaddr.IPv4.isValidFourPartDecimal(s), { message: "not an IPv4 address (a.b.c.d)", params: { lvs: "ipv4" } });
export const ipv6Schema = z
  .string()
  .max(45)
  .refine((s) => ipaddr.IPv6.isValid(s), { message: "not an IPv6 address", params: { lvs: "ipv6" } });
export const ipAddressSchema = z
  .string()
  .max(45)
  .refine((s) => ipaddr.IPv4.isValidFourPartDecimal(s) || ipaddr.IPv6.isValid(s), {
    message: "not an IP address (IPv4 a.b.c.d or IPv6)",
    params: { lvs: "ip" },
  });

export const portSchema = z.number().int().min(0).max(65535);
/**
 * Text that reaches an exported configuration (keepalived.conf, ipvsadm rules, command scripts) or a
 * log line: no control characters (C0 incl. tab/newline/CR/NUL, DEL, C1) and no Unicode line or
 * paragraph separators, so no value can start a new line or block in any export.
 */
export function hasControlCharacter(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || c === 0x2028 || c === 0x2029) return true;
  }
  return false;
}
export const NO_CONTROL_MESSAGE = "must not contain control characters (newline, tab, NUL, ...)";
export const lineText = (max: number) => z.string().max(max).refine((s) => !hasControlCharacter(s), { message: NO_CONTROL_MESSAGE });
/** a kernel scheduler name: what ipvsadm -s takes (validate says whether the kernel has it) */
export const schedulerNameSchema = z.string().min(1).max(16).regex(/^[a-z][a-z0-9_-]*$/, "scheduler: a name like rr, wlc or mh (lowercase letters, digits, _ and -)");
/** a value keepalived.conf carries in one quoted word: printable, no quote, no whitespace */
const quotableWord = (max: number) => z.string().max(max).regex(/^[\x21\x23-\x7e]*$/, "printable ASCII without spaces or quotes (it is written into keepalived.conf)");

const id = lineText(64).pipe(z.string().min(1));
const name = lineText(128).pipe(z.string().min(1));

export const persistenceSchema = z.object({
  timeout: z.number().int().min(1, "-p timeout must be 1..2678400 s").max(MAX_PERSISTENCE_TIMEOUT, "-p timeout must be 1..2678400 s"),
  netmask: z.string().max(15).regex(/^[0-9.]+$/, "-M netmask: a dotted IPv4 mask or an IPv6 prefix length").nullable(),
});

export const tunnelSchema = z.object({
  type: z.enum(TUNNEL_TYPES),
  port: portSchema.nullable(),
  checksum: z.enum(TUNNEL_CSUM).nullable(),
});

const timing = {
  intervalMs: z.number().int().min(100).max(3_600_000),
  timeoutMs: z.number().int().min(10).max(600_000),
  rise: z.number().int().min(1).max(100),
  fall: z.number().int().min(1).max(100),
  onFailure: z.enum(["quiesce", "remove"]),
};

export const healthCheckSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("none"), ...timing }),
  z.object({ kind: z.literal("tcp"), port: portSchema.nullable(), ...timing }),
  z.object({
    kind: z.enum(["http", "https"]),
    port: portSchema.nullable(),
    path: quotableWord(2048).pipe(z.string().min(1).startsWith("/")),
    host: z.string().max(255).regex(/^[A-Za-z0-9._:[\]-]+$/, "virtualhost: a host name or address (letters, digits, . - : [ ])").nullable(),
    status: z.tuple([z.number().int().min(100).max(599), z.number().int().min(100).max(599)]),
    bodyMatch: lineText(1024).refine((v) => !v.includes('"'), { message: "must not contain a double quote (it is written into keepalived.conf)" }).nullable(),
    ...timing,
  }),
  z.object({
    kind: z.literal("udp"),
    port: portSchema.nullable(),
    send: z.string().max(1024),
    expect: z.string().max(1024).nullable(),
    ...timing,
  }),
  z.object({
    kind: z.literal("exec"),
    check: z.string().max(64).regex(EXEC_CHECK_NAME, "exec check: the name of a program in the agent's checks directory (letters, digits, . _ + -; no path)"),
    args: z.array(z.string().max(256).regex(EXEC_CHECK_ARG, "exec check argument: 1-256 of letters, digits and . _ : / @ = , + % - (no spaces, quotes or control characters)")).max(MAX_EXEC_CHECK_ARGS),
    ...timing,
  }),
]);

export const networkInterfaceSchema = z.object({
  name: z.string().min(1).max(15).regex(/^[A-Za-z0-9_.:@-]+$/, "interface name: letters, digits and _ . : @ -"),
  address: ipAddressSchema,
  prefix: z.number().int().min(0).max(128),
});

/** `ipvsadm --set tcp tcpfin udp`: seconds, 0 = leave the kernel's value (ipvsadm's own range) */
const timeoutSeconds = (what: string) =>
  z.number().int(`${what} timeout must be a whole number of seconds`).min(0, `${what} timeout must be 0..${M_MAX_TIMEOUT} seconds`).max(M_MAX_TIMEOUT, `${what} timeout must be 0..${M_MAX_TIMEOUT} seconds (ipvsadm refuses more)`);
export const timeoutsSchema = z.object({ tcp: timeoutSeconds("tcp"), tcpfin: timeoutSeconds("tcpfin"), udp: timeoutSeconds("udp") });

export const directorSchema = z.object({
  id,
  name,
  managementAddress: lineText(255).nullable(),
  interfaces: z.array(networkInterfaceSchema).max(64),
  engine: z.enum(ENGINE_KINDS),
  timeouts: timeoutsSchema.nullable().optional(),
});

export const virtualServiceSchema = z.object({
  id,
  protocol: z.enum(SERVICE_PROTOCOLS),
  family: z.enum(FAMILIES),
  address: ipAddressSchema.nullable(),
  port: portSchema.nullable(),
  fwmark: z.number().int().min(1).max(MAX_FWMARK).nullable(),
  scheduler: schedulerNameSchema,
  flags: z.array(z.enum(SCHEDULER_FLAGS)).max(7),
  persistence: persistenceSchema.nullable(),
  persistenceEngine: z.literal("sip").nullable(),
  onePacket: z.boolean(),
  description: lineText(1024),
  directorIds: z.array(id).max(16),
  healthCheck: healthCheckSchema.nullable(),
  sorryServer: z.object({ address: ipAddressSchema, port: portSchema.nullable() }).nullable(),
  proxyProtocol: z.boolean(),
});

export const realServerHostSchema = z.object({
  loopbackVips: z.array(ipAddressSchema).max(64),
  tunnelVips: z.array(ipAddressSchema).max(64),
  arpSuppressed: z.boolean(),
  gateway: ipAddressSchema.nullable(),
  manageGateway: z.boolean().optional(),
});

export const realServerSchema = z.object({
  id,
  name: lineText(128),
  address: ipAddressSchema,
  port: portSchema.nullable(),
  host: realServerHostSchema,
});

export const membershipSchema = z.object({
  id,
  serviceId: id,
  realServerId: id,
  method: z.enum(FORWARDING_METHODS),
  weight: z.number().int().min(0, "-w weight must be 0..65535").max(MAX_WEIGHT, "-w weight must be 0..65535"),
  upperThreshold: z.number().int().min(0).max(MAX_THRESHOLD),
  lowerThreshold: z.number().int().min(0).max(MAX_THRESHOLD),
  tunnel: tunnelSchema.nullable(),
  state: z.enum(ADMIN_STATES),
  healthCheck: healthCheckSchema.nullable(),
});

export const positionSchema = z.object({ x: z.number().finite(), y: z.number().finite() });

export const haGroupSchema = z.object({
  id,
  name: lineText(128),
  directorIds: z.array(id).max(16),
  virtualRouterId: z.number().int().min(1, "virtual_router_id must be 1..255").max(255, "virtual_router_id must be 1..255").nullable(),
  priorities: z.record(id, z.number().int().min(1, "VRRP priority must be 1..254").max(254, "VRRP priority must be 1..254 (255 is the address owner's)")),
  nopreempt: z.boolean(),
  advertIntMs: z.number().int().min(10, "advert_int must be 0.01..40.95 s").max(40950, "advert_int must be 0.01..40.95 s"),
  vrrpVersion: z.union([z.literal(2), z.literal(3)]),
  unicast: z.boolean(),
  // keepalived.conf reads ! and # as comments, " as quotes, braces as blocks: none may appear
  authPass: z.string().regex(/^[\x24-\x5b\x5d-\x7a\x7c\x7e]{1,8}$/, "auth_pass is 1..8 printable characters without spaces, quotes, ! # \\ { }").nullable(),
  interface: z.string().regex(/^[A-Za-z0-9_.:@-]{1,15}$/, "not an interface name").nullable(),
  connectionSync: z.boolean(),
  syncInterface: z.string().regex(/^[A-Za-z0-9_.:@-]{1,15}$/, "not an interface name").nullable().optional(),
  syncId: z.number().int().min(0, "syncid must be 0..255").max(255, "syncid must be 0..255").nullable().optional(),
});

/**
 * Limits keep one topology document bounded. Large IPVS users run tens of thousands of services per
 * director (kube-proxy: one per Service port); the editor opens big documents grouped (issue 17,
 * measured at 10 000 services / 50 000 memberships by bench:scale).
 */
export const topologySchema = z.object({
  name,
  directors: z.array(directorSchema).max(500),
  services: z.array(virtualServiceSchema).max(100_000),
  realServers: z.array(realServerSchema).max(100_000),
  memberships: z.array(membershipSchema).max(500_000),
  layout: z.record(lineText(64), positionSchema),
  haGroups: z.array(haGroupSchema).max(1000).optional(),
});

// ---------------------------------------------------------------- IPVS table level

const destinationSchema = z.object({
  address: ipAddressSchema,
  port: portSchema,
  method: z.enum(FORWARDING_METHODS),
  weight: z.number().int().min(0).max(MAX_WEIGHT),
  upperThreshold: z.number().int().min(0).max(MAX_THRESHOLD),
  lowerThreshold: z.number().int().min(0).max(MAX_THRESHOLD),
  tunnel: tunnelSchema.nullable(),
});

const serviceCommon = {
  family: z.enum(FAMILIES),
  scheduler: schedulerNameSchema,
  flags: z.array(z.enum(SCHEDULER_FLAGS)).max(7),
  persistence: persistenceSchema.nullable(),
  persistenceEngine: z.literal("sip").nullable(),
  onePacket: z.boolean(),
  destinations: z.array(destinationSchema).max(100000),
};

export const ipvsServiceSchema = z.union([
  z.object({ protocol: z.enum(PROTOCOLS), address: ipAddressSchema, port: portSchema, ...serviceCommon }),
  z.object({ protocol: z.literal("fwmark"), fwmark: z.number().int().min(1).max(MAX_FWMARK), ...serviceCommon }),
]);

export const ipvsTableSchema = z.object({ services: z.array(ipvsServiceSchema).max(100000), timeouts: timeoutsSchema.optional() });

// compile-time proof that the schemas and the model agree
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const agree = <T extends true>() => undefined as unknown as T;
agree<Same<z.infer<typeof topologySchema>, M.Topology>>();
agree<Same<z.infer<typeof healthCheckSchema>, M.HealthCheck>>();
agree<Same<z.infer<typeof ipvsTableSchema>, M.IpvsTable>>();
