/**
 * The LVS domain model: the shared contract of the whole product.
 *
 * Two levels:
 *  - Topology: what the operator designs (directors, virtual services, real servers, memberships),
 *    stored by the control plane, drawn by the editor, validated by `validate()`.
 *  - IpvsTable: what one director's kernel (or userspace engine) runs, exactly what ipvsadm can
 *    express. Formats (ipvsadm-save, keepalived) and reconcile work on this level.
 *    `compileDirector(topology, directorId)` maps the first onto the second.
 *
 * Canonical values: addresses are written as `inet_ntop` would (IPv4 dotted quad, IPv6 compressed
 * lower-case, no brackets); ports are numbers; weights and thresholds are integers.
 * Pure types only: no I/O, no clock, no randomness.
 */

export const PROTOCOLS = ["tcp", "udp", "sctp"] as const;
export type Protocol = (typeof PROTOCOLS)[number];

/** A virtual service is either VIP:port over a protocol, or a firewall mark (`-f`). */
export const SERVICE_PROTOCOLS = ["tcp", "udp", "sctp", "fwmark"] as const;
export type ServiceProtocol = (typeof SERVICE_PROTOCOLS)[number];

export const FAMILIES = ["inet", "inet6"] as const;
export type AddressFamily = (typeof FAMILIES)[number];

/** Every scheduler name the kernel knows (ipvsadm passes the name through unchecked). */
export const SCHEDULERS = [
  "rr", "wrr", "lc", "wlc", "lblc", "lblcr", "dh", "sh", "sed", "nq", "fo", "ovf", "mh", "twos",
] as const;
export type SchedulerName = (typeof SCHEDULERS)[number];
export const DEFAULT_SCHEDULER: SchedulerName = "wlc";

/** `-b` flags. sh-* only with sh, mh-* only with mh, flag-N with any other scheduler. */
export const SCHEDULER_FLAGS = [
  "flag-1", "flag-2", "flag-3", "sh-fallback", "sh-port", "mh-fallback", "mh-port",
] as const;
export type SchedulerFlag = (typeof SCHEDULER_FLAGS)[number];

/** Forwarding methods: DR `-g` (ipvsadm's default), TUN `-i`, NAT `-m`. */
export const FORWARDING_METHODS = ["dr", "tun", "nat"] as const;
export type ForwardingMethod = (typeof FORWARDING_METHODS)[number];
export const DEFAULT_FORWARDING_METHOD: ForwardingMethod = "dr";

export const TUNNEL_TYPES = ["ipip", "gue", "gre"] as const;
export type TunnelType = (typeof TUNNEL_TYPES)[number];
export const TUNNEL_CSUM = ["nocsum", "csum", "remcsum"] as const;
export type TunnelChecksum = (typeof TUNNEL_CSUM)[number];

/** `-p` without a value, as ipvsadm and keepalived use it. */
export const DEFAULT_PERSISTENCE_TIMEOUT = 360;
export const MAX_PERSISTENCE_TIMEOUT = 2678400;
export const MAX_WEIGHT = 65535;
export const DEFAULT_WEIGHT = 1;
export const MAX_THRESHOLD = 2147483647;
export const MAX_FWMARK = 4294967295;

/** Administrative state of a membership: draining = weight 0 (quiesced), disabled = not in the table. */
export const ADMIN_STATES = ["active", "draining", "disabled"] as const;
export type AdminState = (typeof ADMIN_STATES)[number];

export const ENGINE_KINDS = ["auto", "ipvs", "userspace"] as const;
export type EngineKind = (typeof ENGINE_KINDS)[number];

export interface Persistence {
  /** seconds, 1..2678400 */
  timeout: number;
  /** `-M`: IPv4 dotted netmask ("255.255.255.0") or IPv6 prefix length as decimal text ("64"); null = /32 or /128 */
  netmask: string | null;
}

export interface TunnelOptions {
  type: TunnelType;
  /** `--tun-port`, required for gue */
  port: number | null;
  /** null = kernel default (nocsum) */
  checksum: TunnelChecksum | null;
}

// ---------------------------------------------------------------- health checks

export const HEALTH_CHECK_KINDS = ["none", "tcp", "http", "https", "udp", "exec"] as const;
export type HealthCheckKind = (typeof HEALTH_CHECK_KINDS)[number];

export interface HealthCheckTiming {
  /** ms between checks */
  intervalMs: number;
  /** ms before one check counts as failed */
  timeoutMs: number;
  /** consecutive successes to go up */
  rise: number;
  /** consecutive failures to go down */
  fall: number;
  /** what happens to a failed real server: quiesce (weight 0, like inhibit_on_failure) or remove */
  onFailure: "quiesce" | "remove";
}

export type HealthCheck = HealthCheckTiming &
  (
    | { kind: "none" }
    | { kind: "tcp"; port: number | null }
    | {
        kind: "http" | "https";
        port: number | null;
        path: string;
        host: string | null;
        /** inclusive status range, e.g. [200, 299] */
        status: [number, number];
        bodyMatch: string | null;
      }
    | { kind: "udp"; port: number | null; send: string; expect: string | null }
    | {
        kind: "exec";
        /** name of a program the director's administrator installed in the agent's checks directory
         * (default /etc/lvs-agent/checks.d/); never a path or a shell string */
        check: string;
        /** extra arguments after the target address and port ($1 $2); see EXEC_CHECK_ARG */
        args: string[];
      }
  );

/** An exec check's program name: a file name in the agent's checks directory (no path, no leading dot). */
export const EXEC_CHECK_NAME = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$/;
/** One exec check argument: printable, no spaces or quotes, so every export format carries it verbatim. */
export const EXEC_CHECK_ARG = /^[A-Za-z0-9._:/@=,+%-]{1,256}$/;
export const MAX_EXEC_CHECK_ARGS = 16;

// ---------------------------------------------------------------- topology (what operators design)

export interface NetworkInterface {
  name: string;
  /** the DIP */
  address: string;
  prefix: number;
}

export interface Director {
  id: string;
  name: string;
  /** where the agent is reached / reports from; informational */
  managementAddress: string | null;
  /** DIPs with their prefixes: used for L2/NAT reachability rules */
  interfaces: NetworkInterface[];
  engine: EngineKind;
  /** `ipvsadm --set tcp tcpfin udp` on this director; null/absent = leave the kernel's timeouts alone */
  timeouts?: IpvsTimeouts | null;
}

export interface VirtualService {
  id: string;
  protocol: ServiceProtocol;
  family: AddressFamily;
  /** VIP; null for fwmark services */
  address: string | null;
  /** null for fwmark services; 0 allowed only with persistence */
  port: number | null;
  /** `-f MARK`; null unless protocol = fwmark */
  fwmark: number | null;
  /** a SchedulerName; kept as string so imports of unknown names can be reported, not lost */
  scheduler: string;
  flags: SchedulerFlag[];
  persistence: Persistence | null;
  /** `--pe sip` */
  persistenceEngine: "sip" | null;
  /** `-o` one-packet scheduling (UDP / fwmark only) */
  onePacket: boolean;
  description: string;
  /** directors the VIP is placed on; two or more = an HA pair */
  directorIds: string[];
  /** default health check for the service's real servers */
  healthCheck: HealthCheck | null;
  /** takes over when every real server is down */
  sorryServer: { address: string; port: number | null } | null;
  /** userspace engine only: send PROXY protocol v2 to real servers */
  proxyProtocol: boolean;
}

/** Operator-declared facts about a real server's host, checked against the forwarding method's needs. */
export interface RealServerHost {
  /** VIPs configured on lo (DR) */
  loopbackVips: string[];
  /** VIPs configured on tunl0 (TUN) */
  tunnelVips: string[];
  /** arp_ignore=1 / arp_announce=2 set (DR) */
  arpSuppressed: boolean;
  /** default gateway of the real server (NAT needs a DIP; DR must NOT use the director) */
  gateway: string | null;
  /** NAT: the real-server agent may replace the default route with one through a DIP (else it only verifies) */
  manageGateway?: boolean;
}

export interface RealServer {
  id: string;
  name: string;
  /** the RIP */
  address: string;
  /** null = the service port (and always the service port for DR/TUN) */
  port: number | null;
  host: RealServerHost;
}

export interface Membership {
  id: string;
  serviceId: string;
  realServerId: string;
  method: ForwardingMethod;
  /** 0..65535, 0 = quiesced */
  weight: number;
  /** `-x`, 0 = none */
  upperThreshold: number;
  /** `-y`, 0 = none */
  lowerThreshold: number;
  tunnel: TunnelOptions | null;
  state: AdminState;
  /** overrides the service's health check */
  healthCheck: HealthCheck | null;
}

export interface Position {
  x: number;
  y: number;
}

/**
 * An HA group: directors sharing VIPs, one MASTER at a time elected by VRRP (keepalived on each
 * director, run by its agent). Directors placed on the same VIP form a group even without this
 * object (lvs/ha/haGroups.ts derives it with defaults); declaring it sets the VRRP settings.
 */
export interface HaGroup {
  id: string;
  name: string;
  /** preference order: the first is the preferred MASTER (default priorities 200, 190, 180, ...) */
  directorIds: string[];
  /** 1..255; null = allocated (unique among the topology's groups) */
  virtualRouterId: number | null;
  /** by director id, 1..254; a director not listed gets its default */
  priorities: Record<string, number>;
  /** true: a recovered higher-priority director does not take the VIP back (equal priorities need it) */
  nopreempt: boolean;
  /** VRRP advertisement interval; sub-second needs VRRPv3 */
  advertIntMs: number;
  vrrpVersion: 2 | 3;
  /** true: adverts go unicast to the other directors' DIPs; false: multicast 224.0.0.18 */
  unicast: boolean;
  /** VRRPv2 PASS authentication, 1..8 characters; VRRPv3 has none */
  authPass: string | null;
  /** the interface the VIPs float on; null = each director's interface whose network holds the VIP */
  interface: string | null;
  /** IPVS connection sync daemons (kernel engine only), so the new MASTER knows established connections */
  connectionSync: boolean;
  /** the interface the sync daemons multicast on (--mcast-interface); null/absent = the VRRP interface */
  syncInterface?: string | null;
  /** --syncid 0..255; null/absent = the virtual_router_id */
  syncId?: number | null;
}

export const HA_DEFAULTS = {
  advertIntMs: 1000,
  vrrpVersion: 3 as const,
  unicast: true,
  nopreempt: false,
  connectionSync: true,
  /** priority of the first director; each next one gets 10 less */
  firstPriority: 200,
  priorityStep: 10,
};

export interface Topology {
  name: string;
  directors: Director[];
  services: VirtualService[];
  realServers: RealServer[];
  memberships: Membership[];
  /** canvas positions by object id */
  layout: Record<string, Position>;
  /** VRRP settings of HA groups (absent on older documents: groups then get defaults) */
  haGroups?: HaGroup[];
}

// ---------------------------------------------------------------- IPVS table (what one director runs)

/**
 * `ipvsadm --set tcp tcpfin udp`: the idle timeouts (seconds) of established TCP connections, of TCP
 * connections after a FIN, and of UDP "connections". Global to the director (one per network
 * namespace), not per service. As on ipvsadm's command line, 0 leaves that value as it is. The kernel
 * lab (Debian 6.1, ipvsadm 1.31) showed: defaults 900 120 300; `--set 0 60 0` changes tcpfin only;
 * values above 2678400 (86400*31) are refused by ipvsadm ("invalid timeout value"); `ipvsadm -S`
 * does not save them; `ipvsadm -R` accepts `--set` lines; `ipvsadm -L --timeout` prints
 * "Timeout (tcp tcpfin udp): 900 120 300".
 */
export interface IpvsTimeouts {
  tcp: number;
  tcpfin: number;
  udp: number;
}
export const DEFAULT_IPVS_TIMEOUTS: IpvsTimeouts = { tcp: 900, tcpfin: 120, udp: 300 };
export const MAX_IPVS_TIMEOUT = 2678400;

export type IpvsServiceKey =
  | { protocol: Protocol; family: AddressFamily; address: string; port: number }
  | { protocol: "fwmark"; family: AddressFamily; fwmark: number };

export interface IpvsDestination {
  address: string;
  port: number;
  method: ForwardingMethod;
  weight: number;
  upperThreshold: number;
  lowerThreshold: number;
  tunnel: TunnelOptions | null;
}

export type IpvsService = IpvsServiceKey & {
  scheduler: string;
  flags: SchedulerFlag[];
  persistence: Persistence | null;
  persistenceEngine: "sip" | null;
  onePacket: boolean;
  destinations: IpvsDestination[];
};

export interface IpvsTable {
  services: IpvsService[];
  /** the director's connection timeouts; absent = not managed (a desired table) / not read (an actual one) */
  timeouts?: IpvsTimeouts;
}

// ---------------------------------------------------------------- statistics (ipvsadm --stats / --rate)

export interface Counters {
  conns: number;
  inPkts: number;
  outPkts: number;
  inBytes: number;
  outBytes: number;
}

export interface Rates {
  cps: number;
  inPps: number;
  outPps: number;
  inBps: number;
  outBps: number;
}

export interface DestinationStats {
  address: string;
  port: number;
  weight: number;
  activeConns: number;
  inactConns: number;
  persistConns: number;
  counters: Counters;
  rates: Rates;
}

export interface ServiceStats {
  key: IpvsServiceKey;
  counters: Counters;
  rates: Rates;
  destinations: DestinationStats[];
}

export interface StatsSnapshot {
  /** ms since epoch, from the reporter's injected clock */
  at: number;
  services: ServiceStats[];
}

/** One entry of the connection table, like `ipvsadm -Lnc`. */
export interface ConnectionEntry {
  protocol: Protocol;
  client: { address: string; port: number };
  virtual: { address: string; port: number };
  destination: { address: string; port: number };
  /** kernel state names: ESTABLISHED, SYN_RECV, FIN_WAIT, TIME_WAIT, CLOSE, UDP, NONE ... */
  state: string;
  /** seconds until expiry */
  expiresIn: number;
}
