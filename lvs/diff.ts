/**
 * A readable diff between two topology revisions: services, real servers, memberships (weights,
 * methods, thresholds, state) and directors — what an operator reviews before applying or rolling
 * back, not raw JSON. Canvas positions are not part of the diff. Pure.
 */
import type { Director, Membership, RealServer, Topology, VirtualService } from "./model.ts";

export type ChangeKind = "director" | "service" | "realServer" | "membership";

export interface FieldChange {
  field: string;
  from: unknown;
  to: unknown;
}

export interface Change {
  action: "added" | "removed" | "changed";
  kind: ChangeKind;
  id: string;
  /** what the operator recognises: "TCP 10.0.0.100:80", "TCP 10.0.0.100:80 -> 10.0.0.7:80", "director lb1" */
  label: string;
  fields: FieldChange[];
}

const hostPort = (address: string, port: number | null): string =>
  `${address.includes(":") ? `[${address}]` : address}${port === null ? "" : `:${port}`}`;

export function serviceLabel(s: Pick<VirtualService, "protocol" | "family" | "address" | "port" | "fwmark">): string {
  if (s.protocol === "fwmark") return `FWM ${s.fwmark ?? "?"}${s.family === "inet6" ? " IPv6" : ""}`;
  return `${s.protocol.toUpperCase()} ${hostPort(s.address ?? "?", s.port)}`;
}

export function realServerLabel(r: Pick<RealServer, "address" | "port" | "name">): string {
  return `${hostPort(r.address, r.port)}${r.name ? ` (${r.name})` : ""}`;
}

/** Compare plain data field by field (JSON equality per field). */
function fieldChanges<T extends object>(a: T, b: T, ignore: readonly string[] = ["id"]): FieldChange[] {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  const out: FieldChange[] = [];
  for (const k of [...keys].sort()) {
    if (ignore.includes(k)) continue;
    const from = (a as Record<string, unknown>)[k];
    const to = (b as Record<string, unknown>)[k];
    if (JSON.stringify(from) !== JSON.stringify(to)) out.push({ field: k, from, to });
  }
  return out;
}

function diffById<T extends { id: string }>(
  kind: ChangeKind,
  before: readonly T[],
  after: readonly T[],
  label: (x: T, side: "before" | "after") => string,
  ignore?: readonly string[],
): Change[] {
  const a = new Map(before.map((x) => [x.id, x]));
  const b = new Map(after.map((x) => [x.id, x]));
  const out: Change[] = [];
  for (const [id, x] of a) {
    const y = b.get(id);
    if (!y) out.push({ action: "removed", kind, id, label: label(x, "before"), fields: [] });
    else {
      const fields = fieldChanges(x, y, ignore);
      if (fields.length) out.push({ action: "changed", kind, id, label: label(y, "after"), fields });
    }
  }
  for (const [id, y] of b) if (!a.has(id)) out.push({ action: "added", kind, id, label: label(y, "after"), fields: [] });
  return out;
}

export function diffTopologies(before: Topology, after: Topology): Change[] {
  // labels by id, indexed once per side (a lookup per changed membership, not a scan)
  const labels = (t: Topology) => {
    const svc = new Map<string, VirtualService>();
    for (const s of t.services) if (!svc.has(s.id)) svc.set(s.id, s);
    const rs = new Map<string, RealServer>();
    for (const r of t.realServers) if (!rs.has(r.id)) rs.set(r.id, r);
    return {
      svc: (id: string) => {
        const s = svc.get(id);
        return s ? serviceLabel(s) : id;
      },
      rs: (id: string) => {
        const r = rs.get(id);
        return r ? hostPort(r.address, r.port) : id;
      },
    };
  };
  const side = { before: labels(before), after: labels(after) };
  const memberLabel = (m: Membership, which: "before" | "after") => {
    const l = which === "before" ? side.before : side.after;
    return `${l.svc(m.serviceId)} -> ${l.rs(m.realServerId)}`;
  };
  return [
    ...diffById<Director>("director", before.directors, after.directors, (d) => `director ${d.name}`),
    ...diffById<VirtualService>("service", before.services, after.services, (s) => serviceLabel(s)),
    ...diffById<RealServer>("realServer", before.realServers, after.realServers, (r) => realServerLabel(r)),
    ...diffById<Membership>("membership", before.memberships, after.memberships, memberLabel, ["id", "serviceId", "realServerId"]),
  ];
}

/** How a UI language words the plain parts of a value (the rest stays in ipvsadm's notation). */
export interface ValueWords {
  none: string;
  /** a string value of `field` (e.g. method "dr", state "draining") */
  word(field: string, v: string): string;
}

const ENGLISH: ValueWords = { none: "none", word: (_field, v) => v };

/** Values as ipvsadm-minded operators read them. */
export function showValue(v: unknown, field = "", words: ValueWords = ENGLISH): string {
  if (v === null || v === undefined) return words.none;
  if (typeof v === "string") return v === "" ? '""' : words.word(field, v);
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  if (Array.isArray(v)) return v.length === 0 ? words.none : v.map((x) => showValue(x, "", words)).join(",");
  const o = v as Record<string, unknown>;
  if (field === "timeouts") return `--set ${o.tcp} ${o.tcpfin} ${o.udp}`;
  if (field === "persistence") return `-p ${o.timeout}${o.netmask ? ` -M ${o.netmask}` : ""}`;
  if (field === "tunnel") return [o.type, o.port ? `port ${o.port}` : "", o.checksum ?? ""].filter(Boolean).join(" ");
  if ("address" in o && "prefix" in o) return `${o.name ? `${o.name} ` : ""}${o.address}/${o.prefix}`;
  if ("address" in o && "port" in o) return `${o.address}${o.port === null ? "" : `:${o.port}`}`;
  if ("kind" in o) return String(o.kind);
  return JSON.stringify(v);
}

/** One line per change: "+ TCP 10.0.0.1:80", "- ...", "~ TCP 10.0.0.1:80 -> 10.0.0.7:80: weight 1 → 3, state active → draining". */
export function renderChange(c: Change): string {
  const sign = c.action === "added" ? "+" : c.action === "removed" ? "-" : "~";
  const what = c.kind === "realServer" ? `real server ${c.label}` : c.label;
  if (c.action !== "changed") return `${sign} ${what}`;
  return `${sign} ${what}: ${c.fields.map((f) => `${f.field} ${showValue(f.from, f.field)} → ${showValue(f.to, f.field)}`).join(", ")}`;
}

export function renderDiff(changes: readonly Change[]): string {
  return changes.map(renderChange).join("\n");
}
