/**
 * The connection table: `ipvsadm -Lnc` (which reads /proc/net/ip_vs_conn and reformats it) and
 * /proc/net/ip_vs_conn itself. Rows whose protocol the model cannot hold (e.g. "IP" persistence
 * templates of fwmark services, AH/ESP) are returned in `skipped`, not dropped silently.
 */
import type { ConnectionEntry } from "../../model.ts";
import {
  ListingParseError, PROTO_NAME, formatAddrPort, hex0, hexAddress, left, lines, parseAddrPort,
  parseHexAddress, protocolFromName, tokens,
} from "./common.ts";

export interface SkippedRow {
  line: number;
  text: string;
  reason: string;
}
export interface ConnectionListing {
  entries: ConnectionEntry[];
  skipped: SkippedRow[];
}

export const CONN_TITLE = "IPVS connection entries";
export const CONN_HEADER = `pro expire ${left("state", 11)} ${left("source", 18)} ${left("virtual", 18)} destination`;
export const CONN_HEADER_PE = `pro expire ${left("state", 11)} ${left("source", 18)} ${left("virtual", 18)} ${left("destination", 18)} ${left("pe name", 16)} pe_data`;
export const PROC_CONN_HEADER = "Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Expires PEName PEData";

function expireText(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  return `${String(Math.floor(s / 60)).padStart(2, "0")}:${String(s % 60).padStart(2, "0")}`;
}

/** Parses `ipvsadm -Lnc` (with or without --persistent-conn columns). */
export function parseConnections(text: string): ConnectionListing {
  const out: ConnectionListing = { entries: [], skipped: [] };
  const all = lines(text);
  let i = 0;
  if (all[i]?.[1] === CONN_TITLE) i++;
  const head = all[i];
  if (!head || (head[1].trimEnd() !== CONN_HEADER && head[1].trimEnd() !== CONN_HEADER_PE.trimEnd()))
    throw new ListingParseError(head?.[0] ?? 1, `expected the header "${CONN_HEADER}"`, head?.[1] ?? "");
  for (const [n, raw] of all.slice(i + 1)) {
    if (raw.trim() === "") continue;
    const t = tokens(raw);
    if (t.length < 6) throw new ListingParseError(n, "expected pro expire state source virtual destination", raw);
    const protocol = protocolFromName(t[0]!);
    if (!protocol) {
      out.skipped.push({ line: n, text: raw, reason: `protocol ${t[0]} (e.g. a fwmark persistence template) has no model representation` });
      continue;
    }
    const ex = /^(\d+):(\d{2})$/.exec(t[1]!);
    if (!ex) throw new ListingParseError(n, `expire must be mm:ss, got "${t[1]}"`, raw);
    const [client, virt, dest] = [t[3], t[4], t[5]].map((x) => parseAddrPort(x ?? ""));
    if (!client || !virt || !dest) throw new ListingParseError(n, "expected numeric address:port columns (IPv6 in brackets)", raw);
    out.entries.push({ protocol, client, virtual: virt, destination: dest, state: t[2]!, expiresIn: Number(ex[1]) * 60 + Number(ex[2]) });
  }
  return out;
}

/** Renders `ipvsadm -Lnc` exactly (`%-3s %-6s %-11s %-18s %-18s %s`). */
export function renderConnections(entries: ConnectionEntry[]): string {
  const rows = entries.map((e) =>
    `${left(PROTO_NAME[e.protocol], 3)} ${left(expireText(e.expiresIn), 6)} ${left(e.state, 11)} ${left(formatAddrPort(e.client.address, e.client.port), 18)} ${left(formatAddrPort(e.virtual.address, e.virtual.port), 18)} ${formatAddrPort(e.destination.address, e.destination.port)}`);
  return [CONN_TITLE, CONN_HEADER, ...rows].join("\n") + "\n";
}

/** Parses /proc/net/ip_vs_conn (hex addresses and ports; Expires already in seconds). */
export function parseProcConnections(text: string): ConnectionListing {
  const out: ConnectionListing = { entries: [], skipped: [] };
  const all = lines(text);
  const head = all[0];
  if (!head || head[1].trimEnd() !== PROC_CONN_HEADER) throw new ListingParseError(1, `expected the header "${PROC_CONN_HEADER}"`, head?.[1] ?? "");
  for (const [n, raw] of all.slice(1)) {
    if (raw.trim() === "") continue;
    const t = tokens(raw);
    if (t.length < 9) throw new ListingParseError(n, "expected Pro FromIP FPrt ToIP TPrt DestIP DPrt State Expires", raw);
    const protocol = protocolFromName(t[0]!);
    if (!protocol) {
      out.skipped.push({ line: n, text: raw, reason: `protocol ${t[0]} (e.g. a fwmark persistence template) has no model representation` });
      continue;
    }
    const port = (s: string | undefined) => {
      if (!/^[0-9A-Fa-f]{4}$/.test(s ?? "")) throw new ListingParseError(n, `expected a 4-digit hex port, got "${s ?? ""}"`, raw);
      return parseInt(s!, 16);
    };
    const addr = (s: string | undefined) => {
      const a = parseHexAddress(s ?? "");
      if (a === null) throw new ListingParseError(n, `expected a hex IPv4 (8 digits) or full IPv6 address, got "${s ?? ""}"`, raw);
      return a;
    };
    if (!/^\d+$/.test(t[8]!)) throw new ListingParseError(n, `Expires must be whole seconds, got "${t[8]}"`, raw);
    out.entries.push({
      protocol,
      client: { address: addr(t[1]), port: port(t[2]) },
      virtual: { address: addr(t[3]), port: port(t[4]) },
      destination: { address: addr(t[5]), port: port(t[6]) },
      state: t[7]!,
      expiresIn: Number(t[8]),
    });
  }
  return out;
}

/** Renders /proc/net/ip_vs_conn (`%-3s %08X %04X %08X %04X %s %04X %-11s %7u%s`, no PE data). */
export function renderProcConnections(entries: ConnectionEntry[]): string {
  const rows = entries.map((e) => {
    const a = (x: string) => hexAddress(x);
    return `${left(PROTO_NAME[e.protocol], 3)} ${a(e.client.address)} ${hex0(e.client.port, 4)} ${a(e.virtual.address)} ${hex0(e.virtual.port, 4)} ${a(e.destination.address)} ${hex0(e.destination.port, 4)} ${left(e.state, 11)} ${String(Math.max(0, Math.floor(e.expiresIn))).padStart(7)}`;
  });
  return [PROC_CONN_HEADER, ...rows].join("\n") + "\n";
}
