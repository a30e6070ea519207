/**
 * HealthCheck <-> keepalived checkers. Mapping:
 *   tcp -> TCP_CHECK, http -> HTTP_GET, https -> SSL_GET (url { path; status_code lo-hi; regex }, virtualhost),
 *   udp -> UDP_CHECK (payload / require_reply as hex),
 *   exec -> MISC_CHECK (misc_path "CHECKS_DIR/NAME ADDRESS PORT ARGS...", misc_timeout): the agent passes the
 *   real server as $1 $2, keepalived does not, so the export writes them; an import strips them again.
 *   An imported misc_path keeps only the program's file name: exec checks run programs the director's
 *   administrator installed in the agent's checks directory, never a path or a shell line.
 *   intervalMs -> delay_loop, timeoutMs -> connect_timeout, fall -> retry + 1,
 *   onFailure quiesce -> inhibit_on_failure (on the real_server). keepalived has no "rise": parsed as 1.
 */
import { EXEC_CHECK_ARG, EXEC_CHECK_NAME, MAX_EXEC_CHECK_ARGS, type HealthCheck, type HealthCheckTiming } from "../../model.ts";
import { at, type Diagnostic, type Statement } from "./tokenize.ts";

export const CHECKER_KEYWORDS = ["TCP_CHECK", "HTTP_GET", "SSL_GET", "UDP_CHECK", "MISC_CHECK"] as const;
export const UNSUPPORTED_CHECKERS = ["SMTP_CHECK", "DNS_CHECK", "PING_CHECK", "BFD_CHECK", "FILE_CHECK"] as const;

/** Where the exported keepalived.conf expects the exec check programs (the agent's default). */
export const CHECKS_DIR = "/etc/lvs-agent/checks.d";

export interface CheckTarget {
  address: string;
  port: number;
}

export function seconds(ms: number): string {
  return String(Math.round(ms) / 1000);
}

const hexOf = (s: string) => Array.from(new TextEncoder().encode(s), (b) => b.toString(16).padStart(2, "0")).join("");
function textOfHex(h: string): string | null {
  if (!/^([0-9a-fA-F]{2})*$/.test(h)) return null;
  const bytes = new Uint8Array(h.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(h.slice(i * 2, i * 2 + 2), 16);
  return new TextDecoder().decode(bytes);
}
const quote = (s: string) => (/[\s"#!{}]/.test(s) || s === "" ? `"${s.replace(/"/g, "'")}"` : s);

/** Lines of the checker block (without indentation) for a real server; [] for kind none. */
export function renderChecker(hc: HealthCheck, vsDelayLoopMs: number | null, target: CheckTarget): string[] {
  if (hc.kind === "none") return [];
  const common: string[] = [];
  if (vsDelayLoopMs === null || vsDelayLoopMs !== hc.intervalMs) common.push(`delay_loop ${seconds(hc.intervalMs)}`);
  common.push(`retry ${hc.fall - 1}`);
  const port = (p: number | null) => (p === null ? [] : [`connect_port ${p}`]);
  switch (hc.kind) {
    case "tcp":
      return ["TCP_CHECK {", ...port(hc.port), `connect_timeout ${seconds(hc.timeoutMs)}`, ...common, "}"];
    case "http":
    case "https": {
      const status = hc.status[0] === hc.status[1] ? `${hc.status[0]}` : `${hc.status[0]}-${hc.status[1]}`;
      const url = ["url {", `path ${quote(hc.path)}`, `status_code ${status}`, ...(hc.bodyMatch !== null ? [`regex ${quote(hc.bodyMatch)}`] : []), "}"];
      return [hc.kind === "http" ? "HTTP_GET {" : "SSL_GET {", ...url, ...port(hc.port), ...(hc.host !== null ? [`virtualhost ${quote(hc.host)}`] : []),
        `connect_timeout ${seconds(hc.timeoutMs)}`, ...common, "}"];
    }
    case "udp":
      return ["UDP_CHECK {", ...port(hc.port), ...(hc.send !== "" ? [`payload ${hexOf(hc.send)}`] : []),
        ...(hc.expect !== null ? [`require_reply ${hexOf(hc.expect)}`] : []), `connect_timeout ${seconds(hc.timeoutMs)}`, ...common, "}"];
    case "exec":
      if (!EXEC_CHECK_NAME.test(hc.check) || !hc.args.every((a) => EXEC_CHECK_ARG.test(a))) throw new Error(`exec check "${hc.check}" cannot be written to keepalived.conf`);
      return ["MISC_CHECK {", `misc_path "${[`${CHECKS_DIR}/${hc.check}`, target.address, String(target.port), ...hc.args].join(" ")}"`, `misc_timeout ${seconds(hc.timeoutMs)}`, ...common, "}"];
  }
}

/** Checker defaults inherited from the virtual_server / real_server levels. */
export interface CheckerDefaults {
  delayLoopS: number | null;
  connectTimeoutS: number | null;
  retry: number | null;
  inhibit: boolean;
}

function num(s: Statement, warn: (d: Diagnostic) => void, min = 0): number | null {
  if (s.args.length > 1) warn(at(s.line, "keepalived.extra-words", { keyword: s.keyword, words: s.args.slice(1).join(" ") }));
  const v = Number(s.args[0]);
  if (s.args.length < 1 || !Number.isFinite(v) || v < min) {
    warn(at(s.line, "keepalived.not-number", { keyword: s.keyword, value: s.args[0] ?? "" }));
    return null;
  }
  return v;
}

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

/** Parses one checker block into a HealthCheck. Returns null (with a warning) for unsupported checkers. */
export function parseChecker(s: Statement, d: CheckerDefaults, warn: (d: Diagnostic) => void, target: CheckTarget): HealthCheck | null {
  const kw = s.keyword;
  const own: { delay: number | null; timeout: number | null; retry: number | null; port: number | null } = { delay: null, timeout: null, retry: null, port: null };
  let path = "/";
  let status: [number, number] = [200, 299];
  let host: string | null = null;
  let regex: string | null = null;
  let payload = "";
  let reply: string | null = null;
  let command: string[] = [];
  let commandLine = s.line;
  let urls = 0;
  for (const x of s.block ?? []) {
    switch (x.keyword) {
      case "connect_port": own.port = num(x, warn); break;
      case "connect_timeout": own.timeout = num(x, warn); break;
      case "misc_timeout": own.timeout = num(x, warn); break;
      case "delay_loop": own.delay = num(x, warn); break;
      case "retry": own.retry = num(x, warn); break;
      case "nb_get_retry":
        warn(at(x.line, "keepalived.nb-get-retry"));
        own.retry = num(x, warn);
        break;
      case "virtualhost": host = x.args[0] ?? null; break;
      case "payload": payload = textOfHex(x.args[0] ?? "") ?? (warn(at(x.line, "keepalived.not-hex", { keyword: "payload" })), ""); break;
      case "require_reply": reply = x.args.length ? (textOfHex(x.args[0]!) ?? (warn(at(x.line, "keepalived.not-hex", { keyword: "require_reply" })), null)) : ""; break;
      case "misc_path": command = x.args.flatMap((a) => a.split(/\s+/)).filter((a) => a !== ""); commandLine = x.line; break;
      case "url":
        if (++urls > 1) {
          warn(at(x.line, "keepalived.one-url", { keyword: kw }));
          break;
        }
        for (const u of x.block ?? []) {
          if (u.keyword === "path") path = u.args[0] ?? "/";
          else if (u.keyword === "status_code") {
            const codes = u.args.flatMap((a) => a.split(",")).map((a) => a.split("-").map(Number));
            const flat = codes.flat().filter((v) => Number.isInteger(v) && v >= 100 && v <= 599);
            if (flat.length === 0) warn(at(u.line, "keepalived.status-code-missing"));
            else {
              status = [Math.min(...flat), Math.max(...flat)];
              if (codes.length > 1) warn(at(u.line, "keepalived.status-range", { low: status[0], high: status[1] }));
            }
          } else if (u.keyword === "regex") regex = u.args.join(" ");
          else warn(at(u.line, "keepalived.url-keyword", { keyword: u.keyword }));
        }
        break;
      case "bindto": case "bind_port": case "connect_ip": case "fwmark": case "warmup": case "delay_before_retry":
      case "http_protocol": case "fast_recovery": case "enable_sni": case "misc_dynamic": case "user": case "alpha":
        warn(at(x.line, "keepalived.checker-not-represented", { checker: kw, keyword: x.keyword }));
        break;
      default:
        warn(at(x.line, "keepalived.checker-unknown-keyword", { checker: kw, keyword: x.keyword }));
    }
  }
  const delay = own.delay ?? d.delayLoopS ?? 60;
  const defaultRetry = kw === "MISC_CHECK" ? 0 : 1;
  const timing: HealthCheckTiming = {
    intervalMs: clamp(Math.round(delay * 1000), 100, 3_600_000),
    timeoutMs: clamp(Math.round((own.timeout ?? d.connectTimeoutS ?? (kw === "MISC_CHECK" ? delay : 5)) * 1000), 10, 600_000),
    rise: 1,
    fall: clamp(Math.round(own.retry ?? d.retry ?? defaultRetry) + 1, 1, 100),
    onFailure: d.inhibit ? "quiesce" : "remove",
  };
  const port = own.port === null ? null : clamp(Math.round(own.port), 0, 65535);
  switch (kw) {
    case "TCP_CHECK": return { kind: "tcp", port, ...timing };
    case "HTTP_GET": case "SSL_GET":
      return { kind: kw === "HTTP_GET" ? "http" : "https", port, path: path.startsWith("/") ? path : `/${path}`, host, status, bodyMatch: regex, ...timing };
    case "UDP_CHECK": return { kind: "udp", port, send: payload, expect: reply, ...timing };
    case "MISC_CHECK": {
      if (command.length === 0) {
        warn(at(s.line, "keepalived.misc-no-path"));
        return null;
      }
      const [program, ...rest] = command as [string, ...string[]];
      const name = program.slice(program.lastIndexOf("/") + 1);
      const args = rest[0] === target.address && rest[1] === String(target.port) ? rest.slice(2) : rest;
      if (!EXEC_CHECK_NAME.test(name) || args.length > MAX_EXEC_CHECK_ARGS || !args.every((a) => EXEC_CHECK_ARG.test(a))) {
        warn(at(commandLine, "keepalived.misc-not-simple", { command: command.join(" ") }));
        return null;
      }
      if (program !== `${CHECKS_DIR}/${name}`) {
        warn(at(commandLine, "keepalived.misc-install", { program, dir: CHECKS_DIR, name }));
      }
      return { kind: "exec", check: name, args, ...timing };
    }
    default:
      warn(at(s.line, "keepalived.checker-unsupported", { checker: kw }));
      return null;
  }
}
