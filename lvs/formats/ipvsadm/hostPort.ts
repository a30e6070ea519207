/**
 * ipvsadm's `host[:port]` reading (parse_service): `a.b.c.d[:port]`, `[v6]:port`, or a bare IPv6
 * without a port; the port is a number 0..65535 or a service name for the protocol. Host names are
 * not resolved here (ipvsadm would call gethostbyname): they are reported.
 */
import { parseAddress } from "../../address.ts";
import type { AddressFamily, Protocol } from "../../model.ts";
import { isKnownServiceName, serviceNameToPort } from "./serviceNames.ts";

export type HostPort =
  | { ok: true; family: AddressFamily; address: string; port: number | null }
  | { ok: false; message: string };

/** string_to_number(s, min, max): strtol base 10, whole string, in range. */
export function parseDecimal(s: string, min: number, max: number): number | null {
  if (!/^\s*[+-]?\d+$/.test(s)) return null;
  const n = Number(s.trim());
  return Number.isSafeInteger(n) && n >= min && n <= max ? n : null;
}

function parsePort(text: string, protocol: Protocol): { ok: true; port: number } | { ok: false; message: string } {
  const n = parseDecimal(text, 0, 65535);
  if (n !== null) return { ok: true, port: n };
  const named = serviceNameToPort(text, protocol);
  if (named !== null) return { ok: true, port: named };
  if (/^\d+$/.test(text)) return { ok: false, message: `port ${text} is not 0..65535` };
  if (isKnownServiceName(text)) return { ok: false, message: `service name "${text}" has no ${protocol} port in /etc/services` };
  return { ok: false, message: `unknown port name "${text}" (not in the built-in /etc/services table: write the number)` };
}

export function parseHostPort(text: string, protocol: Protocol): HostPort {
  if (/^\d*$/.test(text)) return { ok: false, message: `"${text}" is not host[:port]` };
  let host = text;
  let portText: string | null = null;
  if (text.startsWith("[")) {
    const close = text.indexOf("]");
    if (close < 0) return { ok: false, message: `"${text}": missing ']'` };
    if (text[close + 1] !== ":") return { ok: false, message: `"${text}": a bracketed IPv6 address must be followed by :port` };
    host = text.slice(1, close);
    portText = text.slice(close + 2);
    const a = parseAddress(host);
    if (!a.ok || a.value.family !== "inet6") return { ok: false, message: `"${text}": only IPv6 addresses go in brackets` };
  } else {
    const whole = parseAddress(text);
    if (whole.ok && whole.value.family === "inet6") return { ok: true, family: "inet6", address: whole.value.text, port: null };
    const colon = text.lastIndexOf(":");
    if (colon >= 0) {
      host = text.slice(0, colon);
      portText = text.slice(colon + 1);
      if (host.includes(":")) return { ok: false, message: `"${text}": write IPv6 with a port as [address]:port` };
    }
  }
  const a = parseAddress(host);
  if (!a.ok) return { ok: false, message: a.message };
  if (portText === null) return { ok: true, family: a.value.family, address: a.value.text, port: null };
  const p = parsePort(portText, protocol);
  if (!p.ok) return { ok: false, message: `"${text}": ${p.message}` };
  return { ok: true, family: a.value.family, address: a.value.text, port: p.port };
}
