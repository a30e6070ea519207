/**
 * Lenient keepalived.conf import: virtual_server blocks become an IpvsTable (+ checks and sorry
 * servers), vrrp_instance blocks are summarised. keepalived semantics, not ipvsadm's: the default
 * method is NAT, a bare persistence_timeout is 360 s, persistence_granularity alone implies 360 s,
 * lb_algo/lb_kind are aliases of lvs_sched/lvs_method. include, virtual_server_group and unknown
 * keywords are reported as warnings with line numbers; nothing throws.
 */
import type { ForwardingMethod, HealthCheck, IpvsDestination, IpvsService, Persistence, Protocol, SchedulerFlag, TunnelOptions } from "../../model.ts";
import { DEFAULT_PERSISTENCE_TIMEOUT, MAX_PERSISTENCE_TIMEOUT, MAX_WEIGHT, SCHEDULERS, SCHEDULER_FLAGS } from "../../model.ts";
import { canonicalAddress, familyOfAddress } from "../listings/common.ts";
import { CHECKER_KEYWORDS, UNSUPPORTED_CHECKERS, parseChecker, type CheckerDefaults } from "./healthCheck.ts";
import { at, parseStatements, type Diagnostic, type Statement } from "./tokenize.ts";
import type { KeepalivedServiceMeta, KeepalivedVrrpInstance, ParsedKeepalived } from "./types.ts";
import { parseSyncDaemon, parseVrrpInstance } from "./parseVrrp.ts";

const METHODS: Record<string, ForwardingMethod> = { NAT: "nat", DR: "dr", TUN: "tun" };
const PROTOCOLS: Record<string, Protocol> = { TCP: "tcp", UDP: "udp", SCTP: "sctp" };
const IGNORED_TOP = new Set(["vrrp_script", "vrrp_sync_group", "static_ipaddress", "static_routes", "static_rules",
  "linkbeat_use_polling", "vrrp_track_process", "track_file", "garp_group", "bfd_instance", "net_namespace", "SSL", "instance"]);
const IGNORED_VS = new Set(["alpha", "omega", "quorum", "quorum_up", "quorum_down", "hysteresis", "ha_suspend", "virtualhost",
  "sorry_server_inhibit", "sorry_server_lvs_method", "smtp_alert", "delay_before_retry", "warmup", "lvs_timeouts", "lvs_sync_daemon"]);
const IGNORED_RS = new Set(["notify_up", "notify_down", "smtp_alert", "alpha", "delay_before_retry", "warmup", "virtualhost"]);

interface Ctx {
  warn: (d: Diagnostic) => void;
  error: (d: Diagnostic) => void;
}

function intArg(s: Statement, ctx: Ctx, min: number, max: number): number | null {
  const raw = s.args[0];
  if (raw === undefined || !/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    ctx.warn(at(s.line, "keepalived.not-integer", { keyword: s.keyword, value: raw ?? "", min, max }));
    return null;
  }
  return Number(raw);
}

function numArg(s: Statement, ctx: Ctx): number | null {
  const v = Number(s.args[0]);
  if (s.args[0] === undefined || !Number.isFinite(v) || v < 0) {
    ctx.warn(at(s.line, "keepalived.not-number", { keyword: s.keyword, value: s.args[0] ?? "" }));
    return null;
  }
  return v;
}

/** `NAT` | `DR` | `TUN [type ipip|gue port N|gre] [nocsum|csum|remcsum]` */
function methodOf(s: Statement, ctx: Ctx): { method: ForwardingMethod; tunnel: TunnelOptions | null } | null {
  const method = METHODS[(s.args[0] ?? "").toUpperCase()];
  if (!method) {
    ctx.warn(at(s.line, "keepalived.unknown-method", { keyword: s.keyword, value: s.args[0] ?? "" }));
    return null;
  }
  if (method !== "tun" || s.args.length === 1) {
    if (s.args.length > 1) ctx.warn(at(s.line, "keepalived.tunnel-options-ignored", { keyword: s.keyword, value: s.args[0] ?? "" }));
    return { method, tunnel: null };
  }
  const tunnel: TunnelOptions = { type: "ipip", port: null, checksum: null };
  for (let i = 1; i < s.args.length; i++) {
    const a = s.args[i]!;
    if (a === "type" && ["ipip", "gue", "gre"].includes(s.args[i + 1] ?? "")) tunnel.type = s.args[++i] as TunnelOptions["type"];
    else if (a === "port" && /^\d+$/.test(s.args[i + 1] ?? "") && Number(s.args[i + 1]) <= 65535) tunnel.port = Number(s.args[++i]);
    else if (a === "nocsum" || a === "csum" || a === "remcsum") tunnel.checksum = a;
    else ctx.warn(at(s.line, "keepalived.unknown-tunnel-option", { keyword: s.keyword, value: a }));
  }
  return { method, tunnel };
}

interface RsDraft {
  line: number;
  dest: IpvsDestination;
  explicitMethod: boolean;
  check: HealthCheck | null;
}

function parseRealServer(s: Statement, vsPort: number, fwmark: boolean, vsDefaults: CheckerDefaults, ctx: Ctx): RsDraft | null {
  const address = canonicalAddress(s.args[0] ?? "");
  if (address === null) {
    ctx.error(at(s.line, "keepalived.rs-bad-address", { value: s.args[0] ?? "" }));
    return null;
  }
  let port = fwmark ? 0 : vsPort;
  if (s.args[1] !== undefined) {
    if (!/^\d+$/.test(s.args[1]) || Number(s.args[1]) > 65535) ctx.warn(at(s.line, "keepalived.rs-bad-port", { value: s.args[1], port }));
    else port = Number(s.args[1]);
  }
  const dest: IpvsDestination = { address, port, method: "nat", weight: 1, upperThreshold: 0, lowerThreshold: 0, tunnel: null };
  const d: RsDraft = { line: s.line, dest, explicitMethod: false, check: null };
  const defaults: CheckerDefaults = { ...vsDefaults };
  const checkers: Statement[] = [];
  for (const x of s.block ?? []) {
    const k = x.keyword;
    if (k === "weight") {
      const w = intArg(x, ctx, 0, 2147483647);
      if (w !== null && w > MAX_WEIGHT) ctx.warn(at(x.line, "keepalived.weight-clamped", { weight: w }));
      if (w !== null) dest.weight = Math.min(w, MAX_WEIGHT);
    } else if (k === "lvs_method" || k === "lb_kind") {
      const m = methodOf(x, ctx);
      if (m) {
        Object.assign(dest, m);
        d.explicitMethod = true;
      }
    } else if (k === "uthreshold") dest.upperThreshold = intArg(x, ctx, 0, 2147483647) ?? 0;
    else if (k === "lthreshold") dest.lowerThreshold = intArg(x, ctx, 0, 2147483647) ?? 0;
    else if (k === "inhibit_on_failure") defaults.inhibit = x.args[0] !== "false";
    else if (k === "delay_loop") defaults.delayLoopS = numArg(x, ctx) ?? defaults.delayLoopS;
    else if (k === "connect_timeout") defaults.connectTimeoutS = numArg(x, ctx) ?? defaults.connectTimeoutS;
    else if (k === "retry") defaults.retry = numArg(x, ctx) ?? defaults.retry;
    else if ((CHECKER_KEYWORDS as readonly string[]).includes(k) || (UNSUPPORTED_CHECKERS as readonly string[]).includes(k)) checkers.push(x);
    else if (IGNORED_RS.has(k)) ctx.warn(at(x.line, "keepalived.not-represented", { block: "real_server", keyword: k }));
    else ctx.warn(at(x.line, "keepalived.unknown-keyword", { block: "real_server", keyword: k }));
  }
  for (const c of checkers) {
    const hc = parseChecker(c, defaults, ctx.warn, dest);
    if (hc && d.check) ctx.warn(at(c.line, "keepalived.several-checkers", { kind: d.check.kind }));
    else if (hc) d.check = hc;
  }
  return d;
}

function parseVirtualServer(s: Statement, ctx: Ctx): { svc: IpvsService; meta: KeepalivedServiceMeta } | null {
  const [a0, a1] = s.args;
  let key: { fwmark: number } | { address: string; port: number };
  if (a0 === "group") {
    ctx.warn(at(s.line, "keepalived.group-unsupported", { name: a1 ?? "" }));
    return null;
  }
  if (a0 === "fwmark") {
    if (!/^\d+$/.test(a1 ?? "") || Number(a1) < 1 || Number(a1) > 4294967295) {
      ctx.error(at(s.line, "keepalived.bad-fwmark", { value: a1 ?? "" }));
      return null;
    }
    key = { fwmark: Number(a1) };
  } else {
    const address = canonicalAddress(a0 ?? "");
    if (address === null) {
      ctx.error(at(s.line, "keepalived.bad-address", { value: a0 ?? "" }));
      return null;
    }
    let port = 0;
    if (a1 === undefined) ctx.warn(at(s.line, "keepalived.no-port"));
    else if (!/^\d+$/.test(a1) || Number(a1) > 65535) {
      ctx.error(at(s.line, "keepalived.bad-port", { value: a1 }));
      return null;
    } else port = Number(a1);
    key = { address, port };
  }
  const isFwmark = "fwmark" in key;
  let scheduler: string | null = null;
  let method: { method: ForwardingMethod; tunnel: TunnelOptions | null } = { method: "nat", tunnel: null };
  let protocol: Protocol = "tcp";
  let persistence = null as Persistence | null;
  let pe: "sip" | null = null;
  let onePacket = false;
  let family: "inet" | "inet6" | null = "address" in key ? familyOfAddress(key.address) : null;
  const flags: SchedulerFlag[] = [];
  const defaults: CheckerDefaults = { delayLoopS: null, connectTimeoutS: null, retry: null, inhibit: false };
  let sorry: KeepalivedServiceMeta["sorryServer"] = null;
  const rsStatements: Statement[] = [];
  for (const x of s.block ?? []) {
    const k = x.keyword;
    if (k === "lvs_sched" || k === "lb_algo") {
      scheduler = x.args[0] ?? scheduler;
      if (scheduler !== null && !(SCHEDULERS as readonly string[]).includes(scheduler))
        ctx.warn(at(x.line, "keepalived.not-kernel-scheduler", { keyword: k, scheduler }));
    }
    else if (k === "lvs_method" || k === "lb_kind") method = methodOf(x, ctx) ?? method;
    else if (k === "protocol") {
      const p = PROTOCOLS[(x.args[0] ?? "").toUpperCase()];
      if (p) protocol = p;
      else ctx.warn(at(x.line, "keepalived.unknown-protocol", { value: x.args[0] ?? "" }));
    } else if (k === "persistence_timeout") {
      const t = x.args.length === 0 ? DEFAULT_PERSISTENCE_TIMEOUT : intArg(x, ctx, 1, MAX_PERSISTENCE_TIMEOUT);
      if (t !== null) persistence = { timeout: t, netmask: persistence?.netmask ?? null };
    } else if (k === "persistence_granularity") {
      const m = x.args[0] ?? "";
      persistence = { timeout: persistence?.timeout ?? DEFAULT_PERSISTENCE_TIMEOUT, netmask: m === "255.255.255.255" || m === "128" ? null : m };
    } else if (k === "persistence_engine") {
      if (x.args[0] === "sip") pe = "sip";
      else ctx.warn(at(x.line, "keepalived.unknown-pe", { value: x.args[0] ?? "" }));
    } else if (k === "ops") onePacket = true;
    else if ((SCHEDULER_FLAGS as readonly string[]).includes(k)) flags.push(k as SchedulerFlag);
    else if (k === "ip_family") {
      if (x.args[0] === "inet" || x.args[0] === "inet6") family = x.args[0];
      else ctx.warn(at(x.line, "keepalived.unknown-family", { value: x.args[0] ?? "" }));
    } else if (k === "delay_loop") defaults.delayLoopS = numArg(x, ctx);
    else if (k === "connect_timeout") defaults.connectTimeoutS = numArg(x, ctx);
    else if (k === "retry") defaults.retry = numArg(x, ctx);
    else if (k === "inhibit_on_failure") defaults.inhibit = x.args[0] !== "false";
    else if (k === "sorry_server") {
      const addr = canonicalAddress(x.args[0] ?? "");
      const p = x.args[1];
      if (addr === null) ctx.warn(at(x.line, "keepalived.sorry-not-ip", { value: x.args[0] ?? "" }));
      else sorry = { address: addr, port: p !== undefined && /^\d+$/.test(p) && Number(p) <= 65535 ? Number(p) : null };
    } else if (k === "real_server") rsStatements.push(x);
    else if (IGNORED_VS.has(k) || k === "lb_kind_default") ctx.warn(at(x.line, "keepalived.not-represented", { block: "virtual_server", keyword: k }));
    else ctx.warn(at(x.line, "keepalived.unknown-keyword", { block: "virtual_server", keyword: k }));
  }
  if (scheduler === null) {
    ctx.warn(at(s.line, "keepalived.no-scheduler"));
    scheduler = "wlc";
  }
  const vsPort = "port" in key ? key.port : 0;
  const drafts = rsStatements.map((r) => parseRealServer(r, vsPort, isFwmark, defaults, ctx)).filter((d): d is RsDraft => d !== null);
  for (const d of drafts) if (!d.explicitMethod) Object.assign(d.dest, { ...method, tunnel: method.method === "tun" ? method.tunnel : null });
  family ??= drafts.find((d) => d.dest.method !== "tun")?.dest.address.includes(":") ? "inet6" : "inet";
  const common = { family, scheduler, flags, persistence, persistenceEngine: pe, onePacket, destinations: drafts.map((d) => d.dest) };
  const svc: IpvsService = "fwmark" in key ? { protocol: "fwmark", fwmark: key.fwmark, ...common } : { protocol, ...key, ...common };
  const checks = drafts.map((d) => d.check);
  const first = JSON.stringify(checks[0] ?? null);
  const shared = checks.length > 0 && checks[0] !== null && checks.every((c) => JSON.stringify(c) === first);
  const meta: KeepalivedServiceMeta = {
    healthCheck: shared ? checks[0]! : null,
    sorryServer: sorry,
    destinationHealthChecks: shared ? checks.map(() => null) : checks,
    line: s.line,
    destinationLines: drafts.map((d) => d.line),
  };
  return { svc, meta };
}

export function parseKeepalived(text: string): ParsedKeepalived {
  const { statements, errors } = parseStatements(text);
  const warnings: Diagnostic[] = [];
  const ctx: Ctx = { warn: (d) => warnings.push(d), error: (d) => errors.push(d) };
  const out: ParsedKeepalived = { table: { services: [] }, services: [], vrrpInstances: [], warnings, errors };
  let syncDaemon: ReturnType<typeof parseSyncDaemon> = null;
  for (const s of statements) {
    const k = s.keyword;
    if (k === "include") ctx.warn(at(s.line, "keepalived.include", { files: s.args.join(" ") }));
    else if (k === "virtual_server") {
      const r = parseVirtualServer(s, ctx);
      if (r) {
        out.table.services.push(r.svc);
        out.services.push(r.meta);
      }
    } else if (k === "virtual_server_group") ctx.warn(at(s.line, "keepalived.group-block", { name: s.args[0] ?? "" }));
    else if (k === "vrrp_instance") {
      const v: KeepalivedVrrpInstance | null = parseVrrpInstance(s, ctx.warn, ctx.error);
      if (v) out.vrrpInstances.push(v);
    } else if (k === "global_defs") {
      for (const x of s.block ?? []) if (x.keyword === "lvs_sync_daemon") syncDaemon = parseSyncDaemon(x, ctx.warn) ?? syncDaemon;
    } else if (!IGNORED_TOP.has(k)) ctx.warn(at(s.line, "keepalived.unknown-top", { keyword: k }));
  }
  if (syncDaemon) {
    const v = out.vrrpInstances.find((i) => i.name === syncDaemon!.instance);
    if (v) {
      v.syncInterface = syncDaemon.interface;
      v.syncId = syncDaemon.syncId;
    }
  }
  errors.sort((a, b) => a.line - b.line);
  warnings.sort((a, b) => a.line - b.line);
  return out;
}
