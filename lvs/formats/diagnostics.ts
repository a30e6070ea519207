/**
 * Every message the import parsers (ipvsadm rules, keepalived.conf) and address reading can report,
 * by a stable code, as an English template with `{name}` placeholders. The CLI and logs print the
 * English text (`diagnosticText`); the UI looks up `parse.<code>` in messages/*.json and formats the
 * same params in the user's language (messages/en.json holds exactly these templates: a test checks).
 * A param named `detailCode` names a nested diagnostic whose text fills `{detail}`.
 */
export const DIAGNOSTICS = {
  // ---- address reading (lvs/address.ts)
  "address.empty": "empty address",
  "address.zone-id": "{text}: IPv6 zone ids (%iface) are not accepted by IPVS",
  "address.brackets": "{text}: brackets belong around the address only when a port follows",
  "address.bad-v4-tail": "{text}: bad dotted IPv4 tail",
  "address.octets": "{text}: IPv4 octets are 0..255",
  "address.not-ipv6": "{text}: not an IPv6 address",
  "address.not-dotted": "{text}: not a dotted-quad IPv4 address (write four decimal octets without leading zeros; inet_aton would read 010 as octal and 10.1 as 10.0.0.1)",
  "address.not-ip": "{text}: not an IP address (host names are not resolved here: write the address)",
  // ---- host[:port] (ipvsadm parse_service)
  "hostport.port-range": "\"{text}\": port {port} is not 0..65535",
  "hostport.name-no-port": "\"{text}\": service name \"{name}\" has no {protocol} port in /etc/services",
  "hostport.unknown-name": "\"{text}\": unknown port name \"{name}\" (not in the built-in /etc/services table: write the number)",
  "hostport.not-host-port": "\"{text}\" is not host[:port]",
  "hostport.missing-bracket": "\"{text}\": missing ']'",
  "hostport.bracket-needs-port": "\"{text}\": a bracketed IPv6 address must be followed by :port",
  "hostport.bracket-not-ipv6": "\"{text}\": only IPv6 addresses go in brackets",
  "hostport.ipv6-port-brackets": "\"{text}\": write IPv6 with a port as [address]:port",
  // ---- ipvsadm rules: lines and options
  "ipvsadm.trailing-comment": "trailing comment ignored here, but ipvsadm -R fails on it (\"unexpected argument\"): put comments on their own line",
  "ipvsadm.fork-option": "{option} is {kind, select, laddr {a FULLNAT local-address option} command {a FULLNAT command} synproxy {the SYN-proxy option} other {the FULLNAT forwarding method}} of forked ipvsadm builds (Alibaba LVS/DPVS); mainline ipvsadm does not support it",
  "ipvsadm.fork-b-method": "-b used as a forwarding method is FULLNAT from forked ipvsadm builds (Alibaba LVS/DPVS); mainline IPVS forwards only with -g (DR), -i (TUN) and -m (NAT), and mainline -b takes scheduler flags on -A/-E",
  "ipvsadm.unknown-option": "{option}: not an ipvsadm option",
  "ipvsadm.missing-argument": "{option} needs a value",
  "ipvsadm.unexpected-value": "{option} takes no value",
  "ipvsadm.command-first": "{word}: ipvsadm needs a command first (-A, -E, -D, -C, -a, -e or -d); it stops the whole restore here (\"Try `ipvsadm -h'\")",
  "ipvsadm.ignored-command": "{command} {why, select, list {lists the table and does not change it} save {prints the table and does not change it} zero {zeroes counters, which are not part of the table} set {sets connection timeouts, which are not part of the table} other {controls the sync daemon, which is not part of the table}}: line ignored",
  "ipvsadm.aborting-command": "{command} inside a rules stream makes ipvsadm exit and abort the restore",
  "ipvsadm.multiple-commands": "{option} after {command}: multiple commands specified (one command per line)",
  "ipvsadm.multiple-options": "{option} after {previous}: multiple '{optc}' options specified",
  "ipvsadm.illegal-service-address": "{shown}: illegal virtual server address[:port]: {detail}",
  "ipvsadm.negative-fwmark": "{shown}: read as mark {mark} (ipvsadm 1.31 -S prints marks above 2^31-1 as negative numbers, which ipvsadm -R itself rejects; write -f {mark})",
  "ipvsadm.invalid-fwmark": "{shown}: invalid fwmark value (1..4294967295)",
  "ipvsadm.ipv6-before-fwmark": "{option} used before -f: -6 marks a fwmark service as IPv6 and must follow -f MARK",
  "ipvsadm.netmask-before-ipv6": "-M {netmask} before -6: ipvsadm resets the mask to /128 when it reads -6 (write -M after -6)",
  "ipvsadm.invalid-persistence": "{shown}: invalid persistence timeout (1..2678400 s, 31 days)",
  "ipvsadm.illegal-weight": "{shown}: illegal weight (0..65535)",
  "ipvsadm.illegal-threshold": "{shown}: illegal {which, select, upper {upper} other {lower}} threshold (0..2147483647)",
  "ipvsadm.illegal-tunnel-type": "{shown}: illegal tunnel type (ipip, gue or gre)",
  "ipvsadm.illegal-tunnel-port": "{shown}: illegal tunnel port (1..65535)",
  "ipvsadm.checksum-conflict": "{option} conflicts with --tun-{checksum}: choose one checksum mode",
  "ipvsadm.ipvsadm-path": "unexpected argument {word}: ipvsadm -R skips only the bare word \"ipvsadm\", not a path",
  "ipvsadm.unexpected-argument": "unexpected argument {word} (ipvsadm takes no free words; comments must start the line)",
  "ipvsadm.option-not-allowed": "{option} is not allowed with {command} (ipvsadm: Illegal '{optc}' option with the '{cmd}' command)",
  "ipvsadm.option-required": "{command} needs {what, select, service {a service (-t, -u, --sctp-service or -f)} other {a real server (-r)}} (ipvsadm: You need to supply the '{optc}' option for the '{cmd}' command)",
  "ipvsadm.illegal-real-server": "-r {raw}: illegal real server address[:port]: {detail}",
  "ipvsadm.port-forced": "-r {raw} with {flag}: ipvsadm uses the service port {port} (DR and TUN cannot map ports)",
  "ipvsadm.real-server-family": "-r {raw}: an {family} real server in an {serviceFamily} service: a different address family is allowed only for tunneling servers (-i){hint, select, fwmark6 {; an IPv6 fwmark service is written -f {fwmark} -6} other {}}",
  "ipvsadm.tunnel-options-need-i": "tunnel options (--tun-*) need -i: they conflict with {flag}",
  "ipvsadm.ipip-no-options": "{option} is not allowed with --tun-type ipip (ipip takes no tunnel options)",
  "ipvsadm.gue-needs-port": "--tun-type gue needs --tun-port PORT",
  "ipvsadm.gre-no-port": "--tun-port is not allowed with --tun-type gre",
  "ipvsadm.gre-no-remcsum": "--tun-remcsum is not allowed with --tun-type gre",
  "ipvsadm.lower-without-upper": "-y {lower} without -x: the lower threshold needs an upper threshold (the kernel rejects -y above -x: \"Numerical result out of range\")",
  "ipvsadm.lower-above-upper": "-y {lower} above -x {upper}: the lower threshold must not exceed the upper one (kernel: \"Numerical result out of range\")",
  "ipvsadm.zero-port": "port 0 without -p: a zero port (all ports) is allowed only for persistent services (ipvsadm: Zero port specified for non-persistent service)",
  "ipvsadm.one-packet": "-o on a {protocol} service: one-packet scheduling is only for UDP and fwmark services",
  "ipvsadm.unknown-scheduler": "-s {scheduler}: unknown scheduler (the kernel answers \"Scheduler or persistence engine not found\"); known: {known}",
  "ipvsadm.no-flag": "-b \"{raw}\": no scheduler flag given",
  "ipvsadm.invalid-flag": "-b {flag}: invalid scheduler flag ({known})",
  "ipvsadm.flag-needs-scheduler": "-b {flag} with -s {scheduler}: {flag} needs -s {needs} on the same line (ipvsadm: incompatible scheduler flag)",
  "ipvsadm.netmask-ipv6": "-M {netmask}: an IPv6 service takes a prefix length 1..128",
  "ipvsadm.netmask-ipv4": "-M {netmask}: an IPv4 service takes a dotted netmask such as 255.255.255.0{numeric, select, yes { (ipvsadm would read {netmask} as the address 0.0.0.{netmask})} other {}}",
  "ipvsadm.netmask-without-persistence": "-M {netmask} without -p has no effect (the mask is the persistence granularity; ipvsadm -S drops it)",
  "ipvsadm.set-needs-three": "--set needs three timeout values: tcp tcpfin udp in seconds, 0 = unchanged (ipvsadm: --set option requires 3 timeout values)",
  "ipvsadm.invalid-timeout": "--set: {value} is not a timeout (0..2678400 seconds, 0 = unchanged; ipvsadm: invalid timeout value `{value}' specified)",
  "ipvsadm.unknown-pe": "--pe {pe}: unknown persistence engine (only sip exists; the kernel answers \"Scheduler or persistence engine not found\")",
  "ipvsadm.replay": "{detail}: {why, select, no_such_service {the service must be defined (-A) on an earlier line} service_exists {the service is defined twice (use -E to change it)} destination_exists {the real server is added twice to this service (use -e to change it)} no_such_destination {the real server must be added (-a) on an earlier line} other {rejected}}{hint, select, ipv6_exists { (an IPv6 service -f {fwmark} -6 exists: add -6 after -f)} ipv4_exists { (an IPv4 service -f {fwmark} exists: drop the -6)} other {}}",
  // ---- keepalived.conf
  "keepalived.not-integer": "{keyword}: \"{value}\" is not an integer in {min}..{max}; ignored",
  "keepalived.not-number": "{keyword}: \"{value}\" is not a valid number; ignored",
  "keepalived.unknown-method": "{keyword}: unknown method \"{value}\" (NAT, DR or TUN); ignored",
  "keepalived.tunnel-options-ignored": "{keyword}: tunnel options after {value} ignored",
  "keepalived.unknown-tunnel-option": "{keyword}: unknown tunnel option \"{value}\" ignored",
  "keepalived.weight-clamped": "weight {weight} is above ipvsadm's 65535; clamped",
  "keepalived.not-represented": "{block}: {keyword} is not represented in LVS Console; ignored",
  "keepalived.unknown-keyword": "{block}: unknown keyword \"{keyword}\" ignored",
  "keepalived.several-checkers": "real_server has several checkers; only the first ({kind}) is kept",
  "keepalived.group-unsupported": "virtual_server group {name}: virtual_server_group is not supported; block skipped",
  "keepalived.bad-fwmark": "virtual_server fwmark: \"{value}\" is not a mark 1..4294967295; block skipped",
  "keepalived.bad-address": "virtual_server: \"{value}\" is not an IP address; block skipped",
  "keepalived.bad-port": "virtual_server: port \"{value}\" is not 0..65535; block skipped",
  "keepalived.rs-bad-address": "real_server: \"{value}\" is not an IP address; real server skipped",
  "keepalived.rs-bad-port": "real_server: port \"{value}\" invalid; using {port}",
  "keepalived.no-port": "virtual_server without a port: port 0 (needs persistence)",
  "keepalived.not-kernel-scheduler": "{keyword}: \"{scheduler}\" is not a kernel scheduler (keepalived ignores it); kept so validation reports it",
  "keepalived.unknown-protocol": "protocol \"{value}\" unknown (TCP, UDP or SCTP); TCP kept",
  "keepalived.unknown-pe": "persistence_engine \"{value}\" unknown (only sip exists); ignored",
  "keepalived.unknown-family": "ip_family \"{value}\" unknown (inet or inet6); ignored",
  "keepalived.sorry-not-ip": "sorry_server: \"{value}\" is not an IP address; ignored",
  "keepalived.no-scheduler": "virtual_server without lvs_sched: wlc assumed",
  "keepalived.include": "include {files}: included files are not read; import them separately",
  "keepalived.group-block": "virtual_server_group {name} is not supported; its services are not imported",
  "keepalived.unknown-top": "unknown top-level keyword \"{keyword}\" ignored",
  "keepalived.open-without-keyword": "a \"{\" without a keyword before it",
  "keepalived.unmatched-close": "an unmatched \"}\"",
  "keepalived.unclosed-block": "the block of \"{keyword}\" is never closed with \"}\"",
  "keepalived.extra-words": "{keyword}: extra words \"{words}\" ignored (one setting per line)",
  "keepalived.nb-get-retry": "nb_get_retry is deprecated; read as retry",
  "keepalived.not-hex": "{keyword} is not hex; ignored",
  "keepalived.one-url": "{keyword}: only the first url block is kept (the model checks one path)",
  "keepalived.status-code-missing": "status_code needs codes like 200 or 200-299; using 200-299",
  "keepalived.status-range": "several status codes read as the range {low}-{high}",
  "keepalived.url-keyword": "url: \"{keyword}\" is not represented (digest and friends are ignored)",
  "keepalived.checker-not-represented": "{checker}: {keyword} is not represented in the model; ignored",
  "keepalived.checker-unknown-keyword": "{checker}: unknown keyword \"{keyword}\" ignored",
  "keepalived.misc-not-simple": "misc_path \"{command}\": an exec check names a program in the agent's checks directory with simple arguments (no shell); checker ignored",
  "keepalived.misc-install": "misc_path {program}: exec checks run programs from the agent's checks directory ({dir}); install it there as \"{name}\"",
  "keepalived.misc-no-path": "MISC_CHECK without misc_path; checker ignored",
  "keepalived.checker-unsupported": "{checker} has no equivalent health check in LVS Console; real server imported without it",
  "keepalived.vrrp-state": "vrrp_instance {name}: state \"{value}\" is neither MASTER nor BACKUP; ignored",
  "keepalived.vrrp-router-id": "vrrp_instance {name}: virtual_router_id must be 1..255; \"{value}\" ignored",
  "keepalived.vrrp-priority": "vrrp_instance {name}: priority must be 1..255; \"{value}\" ignored",
  "keepalived.vip-not-ip": "virtual_ipaddress: \"{value}\" is not an IP address; ignored",
  "keepalived.vip-extra": "virtual_ipaddress {address}: \"{extra}\" is not represented (only the address, its prefix and dev are); an exported keepalived.conf will not have it",
  "keepalived.advert-int": "vrrp_instance {name}: advert_int \"{value}\" is not 0.01..255 seconds with at most two decimals; ignored (1 s)",
  "keepalived.vrrp-version": "vrrp_instance {name}: version \"{value}\" is neither 2 nor 3; ignored",
  "keepalived.vrrp-bad-name": "vrrp_instance \"{name}\": a name is 1..64 characters of A-Z a-z 0-9 _ . : @ -; block skipped",
  "keepalived.vrrp-bad-interface": "vrrp_instance {name}: \"{value}\" is not an interface name (1..15 characters of A-Z a-z 0-9 _ . : @ -); block skipped",
  "keepalived.vrrp-peer-not-ip": "vrrp_instance {name}: \"{value}\" is not an IP address (unicast_src_ip / unicast_peer); block skipped",
  "keepalived.vrrp-auth": "vrrp_instance {name}: auth_pass must be 1..8 printable characters without spaces or quotes; block skipped",
  "keepalived.sync-daemon": "global_defs: lvs_sync_daemon \"{value}\" needs an interface, a vrrp_instance name and optionally id 0..255; ignored",
  "keepalived.vrrp-unknown-keyword": "vrrp_instance {name}: unknown keyword \"{keyword}\" ignored",
  "keepalived.vrrp-not-represented": "vrrp_instance {name}: {keyword} is not represented in the model; an exported keepalived.conf will not have it",
} as const;

export type DiagnosticCode = keyof typeof DIAGNOSTICS;
export const DIAGNOSTIC_CODES = Object.keys(DIAGNOSTICS) as DiagnosticCode[];
export type DiagnosticParams = Record<string, string | number>;

/** A message by code: what a parser hands back besides the line. */
export interface Coded {
  code: DiagnosticCode;
  params: DiagnosticParams;
  /** the English text (CLI, logs) */
  message: string;
}

/**
 * Formats a template: `{name}` → the param, and the one ICU form the templates use,
 * `{name, select, a {…} other {…}}` (the branch for the param's value, else `other`).
 */
export function formatTemplate(template: string, params: DiagnosticParams): string {
  let out = "";
  let i = 0;
  while (i < template.length) {
    const c = template[i]!;
    if (c !== "{") {
      out += c;
      i++;
      continue;
    }
    const end = matching(template, i);
    const inner = template.slice(i + 1, end);
    const m = /^\s*(\w+)\s*(?:,\s*select\s*,([\s\S]*))?$/.exec(inner);
    if (!m) out += template.slice(i, end + 1);
    else if (m[2] === undefined) out += m[1]! in params ? String(params[m[1]!]) : `{${m[1]}}`;
    else out += formatTemplate(selectBranch(m[2], String(params[m[1]!] ?? "")), params);
    i = end + 1;
  }
  return out;
}

function matching(s: string, open: number): number {
  let depth = 0;
  for (let j = open; j < s.length; j++) {
    if (s[j] === "{") depth++;
    else if (s[j] === "}" && --depth === 0) return j;
  }
  return s.length - 1;
}

function selectBranch(body: string, value: string): string {
  const branches = new Map<string, string>();
  let i = 0;
  while (i < body.length) {
    const m = /^\s*(\w+)\s*\{/.exec(body.slice(i));
    if (!m) break;
    const open = i + m[0].length - 1;
    const end = matching(body, open);
    branches.set(m[1]!, body.slice(open + 1, end));
    i = end + 1;
  }
  return branches.get(value) ?? branches.get("other") ?? "";
}

export function diagnosticText(code: DiagnosticCode, params: DiagnosticParams = {}): string {
  const { detailCode, ...rest } = params;
  const p = typeof detailCode === "string" && detailCode in DIAGNOSTICS
    ? { ...rest, detail: diagnosticText(detailCode as DiagnosticCode, rest) }
    : rest;
  return formatTemplate(DIAGNOSTICS[code], p);
}

export function coded(code: DiagnosticCode, params: DiagnosticParams = {}): Coded {
  return { code, params, message: diagnosticText(code, params) };
}
