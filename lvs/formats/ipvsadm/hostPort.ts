/**
 * ipvsadm's `host[:port]` reading (parse_service): `a.b.c.d[:port]`, `[v6]:port`, or a bare IPv6
 * without a port; the port is a number 0..65535 or a service name for the protocol. Host names are
 * not resolved here (ipvsadm would call gethostbyname): they are reported.
 */
import { parseAddress } from "../../address.ts";
import type { AddressFamily, Protocol } from "../../model.ts";
import { isKnownServiceName, serviceNameToPort } from "./serviceNames.ts";
import { coded, type Coded, type DiagnosticCode, type DiagnosticParams } from "../diagnostics.ts";

export type HostPort =
  | { ok: true; family: AddressFamily; address: string; port: number | null }
  | ({ ok: false } & Coded);

function bad(code: DiagnosticCode, params: DiagnosticParams): { ok: false } & Coded {
  return { ok: false, ...coded(code, params) };
}

/** string_to_number(s, min, max): strtol base 10, whole string, in range. */
export function parseDecimal(s: string, min: number, max: number): number | null {
  if (!/^\s*[+-]?\d+$/.test(s)) return null;
  const n = Number(s.trim());
  return Number.isSafeInteger(n) && n >= min && n <= max ? n : null;
}

function parsePort(text: string, whole: string, protocol: Protocol): { ok: true; port: number } | ({ ok: false } & Coded) {
  const n = parseDecimal(text, 0, 65535);
  if (n !== null) return { ok: true, port: n };
  const named = serviceNameToPort(text, protocol);
  if (named !== null) return { ok: true, port: named };
  if (/^\d+$/.test(text)) return bad("hostport.port-range", { text: whole, port: text });
  if (isKnownServiceName(text)) return bad("hostport.name-no-port", { text: whole, name: text, protocol });
  return bad("hostport.unknown-name", { text: whole, name: text });
}

export function parseHostPort(text: string, protocol: Protocol): HostPort {
  if (/^\d*$/.test(text)) return bad("hostport.not-host-port", { text });
  let host = text;
  let portText: string | null = null;
  if (text.startsWith("[")) {
    const close = text.indexOf("]");
    if (close < 0) return bad("hostport.missing-bracket", { text });
    if (text[close + 1] !== ":") return bad("hostport.bracket-needs-port", { text });
    host = text.slice(1, close);
    portText = text.slice(close + 2);
    const a = parseAddress(host);
    if (!a.ok || a.value.family !== "inet6") return bad("hostport.bracket-not-ipv6", { text });
  } else {
    const colon = text.lastIndexOf(":");
    // a bare IPv6 (no port) has two colons at least; `a.b.c.d:port` is never parsed whole (a miss
    // costs a full IPv6 validation, and each host:port text is new, so no memo helps)
    if (colon > text.indexOf(":")) {
      const whole = parseAddress(text);
      if (whole.ok && whole.value.family === "inet6") return { ok: true, family: "inet6", address: whole.value.text, port: null };
    }
    if (colon >= 0) {
      host = text.slice(0, colon);
      portText = text.slice(colon + 1);
      if (host.includes(":")) return bad("hostport.ipv6-port-brackets", { text });
    }
  }
  const a = parseAddress(host);
  if (!a.ok) return { ok: false, code: a.code, params: a.params, message: a.message };
  if (portText === null) return { ok: true, family: a.value.family, address: a.value.text, port: null };
  const p = parsePort(portText, text, protocol);
  if (!p.ok) return p;
  return { ok: true, family: a.value.family, address: a.value.text, port: p.port };
}
