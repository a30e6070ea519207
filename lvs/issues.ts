/**
 * Validation issues: data, not exceptions (see validate.ts). Every code is listed once in
 * ISSUE_CODES with its severity and the LVS rule it stands for, so the UI, the API and the docs can
 * rely on stable names.
 *
 * Severity policy:
 *  - "error": ipvsadm or the kernel rejects it, or the topology is inconsistent (dangling reference),
 *    or the forwarding method provably cannot work (DR across a router, DR reply through the director).
 *  - "warning": accepted by the kernel but will not do what the operator probably expects
 *    (ignored port mapping, host prerequisites not declared, nothing to balance to).
 */

export const ISSUE_SEVERITIES = ["error", "warning"] as const;
export type IssueSeverity = (typeof ISSUE_SEVERITIES)[number];

interface CodeInfo {
  severity: IssueSeverity;
  /** the rule, in one line */
  rule: string;
}

export const ISSUE_CODES = {
  // ---- structure (zod)
  "schema.invalid-type": { severity: "error", rule: "A field has the wrong type or is missing." },
  "schema.out-of-range": { severity: "error", rule: "A number, string or list is outside its allowed range." },
  "schema.invalid-value": { severity: "error", rule: "A field holds a value that is not one of the allowed ones." },
  "schema.invalid-format": { severity: "error", rule: "A field is not in the expected format (e.g. not an IP address)." },
  "schema.invalid": { severity: "error", rule: "The document does not match the topology schema." },
  // ---- topology references
  "topology.duplicate-id": { severity: "error", rule: "Object ids must be unique within a topology." },
  "topology.duplicate-director-name": { severity: "warning", rule: "Two directors with one name cannot be told apart in exports, deploys and the live view." },
  "service.unknown-director": { severity: "error", rule: "A service is placed on a director that does not exist." },
  "service.director-twice": { severity: "error", rule: "A service's placement lists each director once." },
  "service.not-placed": { severity: "warning", rule: "A VIP placed on no director receives no traffic." },
  "membership.missing-service": { severity: "error", rule: "A membership references a service that does not exist." },
  "membership.missing-real-server": { severity: "error", rule: "A membership references a real server that does not exist." },
  // ---- virtual service (ipvsadm -A)
  "service.fwmark-fields": { severity: "error", rule: "fwmark services have a mark and no VIP/port; TCP/UDP/SCTP services have a VIP and port and no mark." },
  "service.address-family": { severity: "error", rule: "The VIP must belong to the service's address family." },
  "service.zero-port-without-persistence": { severity: "error", rule: "Port 0 (all ports) is allowed only for persistent services." },
  "service.one-packet-not-udp": { severity: "error", rule: "One-packet scheduling (-o) is only for UDP or fwmark services." },
  "service.unknown-scheduler": { severity: "error", rule: "The kernel knows no scheduler of that name." },
  "service.scheduler-not-in-all-kernels": { severity: "warning", rule: "twos exists only in recent kernels." },
  "service.scheduler-flag-mismatch": { severity: "error", rule: "-b sh-* needs -s sh, mh-* needs -s mh, flag-N any other scheduler." },
  "service.duplicate-flag": { severity: "warning", rule: "A scheduler flag is listed twice." },
  "service.netmask-invalid": { severity: "error", rule: "-M is a dotted IPv4 netmask for IPv4 or a prefix length 1..128 for IPv6." },
  "service.pe-without-persistence": { severity: "warning", rule: "A persistence engine (--pe) is only used by persistent services." },
  "service.pe-sip-not-udp": { severity: "warning", rule: "The sip persistence engine reads SIP Call-IDs from UDP packets only." },
  "service.duplicate": { severity: "error", rule: "A director can hold one service per protocol/VIP/port or per mark and family." },
  "service.no-real-servers": { severity: "warning", rule: "A service without real servers drops its traffic." },
  "service.all-weights-zero": { severity: "warning", rule: "A service whose real servers all have weight 0 accepts no new connections." },
  "service.all-disabled": { severity: "warning", rule: "A service whose memberships are all disabled has no real server in the table." },
  "service.proxy-protocol-needs-userspace": { severity: "warning", rule: "PROXY protocol is sent only by the userspace engine." },
  "service.sorry-server-family": { severity: "warning", rule: "keepalived drops a sorry server of another address family than the service." },
  "service.health-check-status-range": { severity: "error", rule: "An HTTP status range must go from low to high." },
  // ---- HA groups (VRRP through keepalived, IPVS connection sync)
  "ha.group-of-one": { severity: "error", rule: "An HA group needs two or more directors: a single director is still a single point of failure." },
  "ha.unknown-director": { severity: "error", rule: "An HA group lists a director that does not exist." },
  "ha.no-vip": { severity: "warning", rule: "An HA group floats the VIPs placed on its directors; with none placed on two of them VRRP has nothing to move." },
  "ha.vip-not-in-network": { severity: "error", rule: "A VIP moved by VRRP must lie in the network of the interface it floats on, on every director of the group (gratuitous ARP only reaches that segment)." },
  "ha.vip-partly-placed": { severity: "warning", rule: "A VIP of an HA group should be placed on every director of the group, or a takeover by one that lacks it drops its traffic." },
  "ha.duplicate-router-id": { severity: "error", rule: "virtual_router_id must be unique per network: two VRRP groups with the same id on one segment fight over one virtual MAC." },
  "ha.router-ids-exhausted": { severity: "error", rule: "VRRP has 255 virtual_router_ids per network; more groups cannot be numbered." },
  "ha.auth-needs-v2": { severity: "error", rule: "VRRPv3 (RFC 5798) has no authentication; auth_pass only exists in VRRPv2." },
  "ha.advert-v2-whole-seconds": { severity: "error", rule: "VRRPv2 advertises in whole seconds; a sub-second advert_int needs VRRPv3." },
  "ha.equal-priorities": { severity: "warning", rule: "Equal priorities without nopreempt let the highest IP address win each election; use distinct priorities or nopreempt." },
  "ha.no-interface-address": { severity: "error", rule: "Each director of an HA group needs an address (DIP) on the VRRP interface: unicast adverts and the VIP's network come from it." },
  "ha.sync-userspace": { severity: "warning", rule: "IPVS connection sync is a kernel feature: directors on the userspace engine cannot mirror connections (established connections break on takeover)." },
  "ha.mixed-family": { severity: "warning", rule: "One VRRP instance carries one address family; IPv4 and IPv6 VIPs of one group need two groups." },
  "ha.duplicate-director": { severity: "error", rule: "A director is listed twice in one HA group." },
  // ---- destination (ipvsadm -a)
  "destination.duplicate": { severity: "error", rule: "A service can hold each real server address:port only once." },
  "destination.address-family": { severity: "error", rule: "A real server of another address family is allowed only with tunnelling (-i)." },
  "destination.port-ignored": { severity: "warning", rule: "DR and TUN cannot map ports: the real server receives the service port." },
  "destination.thresholds-order": { severity: "error", rule: "The lower threshold (-y) must not exceed the upper threshold (-x)." },
  "destination.lower-threshold-without-upper": { severity: "error", rule: "-y needs -x: the kernel rejects a lower threshold above an unset (0) upper one." },
  "destination.tunnel-options-without-tun": { severity: "error", rule: "Tunnel options are valid only with tunnelling (-i)." },
  "destination.tunnel-gue-needs-port": { severity: "error", rule: "A GUE tunnel needs --tun-port." },
  "destination.tunnel-port-not-gue": { severity: "error", rule: "--tun-port is only for GUE tunnels." },
  "destination.tunnel-gre-remcsum": { severity: "error", rule: "GRE tunnels do not support --tun-remcsum." },
  "destination.tunnel-ipip-checksum": { severity: "error", rule: "IPIP tunnels take no checksum options." },
  // ---- forwarding-method prerequisites (topology only)
  "dr.rip-outside-dip-subnet": { severity: "error", rule: "DR rewrites only the MAC address: the RIP must be on a DIP subnet (same L2 segment) of every director the service is placed on." },
  "dr.vip-not-on-loopback": { severity: "warning", rule: "DR real servers must carry the VIP on lo, or they drop the packets." },
  "dr.arp-not-suppressed": { severity: "warning", rule: "DR real servers must not answer ARP for the VIP (arp_ignore=1, arp_announce=2)." },
  "dr.gateway-is-director": { severity: "error", rule: "A DR real server's gateway must not be a director: the director drops replies sourced from its own VIP." },
  "nat.rip-outside-dip-subnet": { severity: "warning", rule: "NAT real servers are normally on a DIP subnet so replies come back through the director." },
  "nat.gateway-not-director": { severity: "warning", rule: "A NAT real server's gateway must point at a DIP so replies are un-NATed by the director." },
  "tun.vip-not-on-tunnel": { severity: "warning", rule: "TUN real servers must carry the VIP on tunl0 to accept the decapsulated packets." },
} as const satisfies Record<string, CodeInfo>;

export type IssueCode = keyof typeof ISSUE_CODES;
export const ISSUE_CODE_LIST = Object.keys(ISSUE_CODES) as IssueCode[];

export type IssuePath = (string | number)[];

export interface Issue {
  code: IssueCode;
  severity: IssueSeverity;
  /** where in the document: ids and field names, e.g. ["services", "svc-1", "onePacket"] */
  path: IssuePath;
  /** the node or edge to badge in the editor: service, real server, membership or director id; null for document-level issues */
  objectId: string | null;
  /** an operator-facing explanation of the LVS rule broken (English: CLI, logs, API) */
  message: string;
  /**
   * The values the message is made of, for rendering it in another language: the UI looks up the
   * message `issue.<code>` (messages/*.json) and formats it with these. `variant` picks one of several
   * sentences a code has (an ICU `select`). makeIssue always sets it.
   */
  params?: IssueParams;
}

export type IssueParams = Record<string, string | number>;

/** Where an issue is reported: path prefix + object to badge. */
export interface Site {
  path: IssuePath;
  objectId: string | null;
}

export function makeIssue(code: IssueCode, site: Site, field: IssuePath, message: string, params: IssueParams = {}): Issue {
  return { code, severity: ISSUE_CODES[code].severity, path: [...site.path, ...field], objectId: site.objectId, message, params };
}

/** "IPv4" / "IPv6" for a family: the one word both languages use. */
export function familyWord(f: "inet" | "inet6"): "IPv4" | "IPv6" {
  return f === "inet6" ? "IPv6" : "IPv4";
}

export function hasErrors(issues: readonly Issue[]): boolean {
  return issues.some((i) => i.severity === "error");
}
