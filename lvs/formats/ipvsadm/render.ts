/**
 * ipvsadm text output.
 *  - renderRules: byte-for-byte what `ipvsadm -S -n` of ipvsadm 1.31 prints for the table (same
 *    option order, defaults explicit, bare -p as -p 360, `--tun-type ipip` on every -i line, services
 *    and real servers in ipvsadm's sort order), plus ` -x N -y N` on -a lines whose thresholds are
 *    set. ipvsadm-save itself DROPS thresholds (verified on the real kernel); pass
 *    `{ thresholds: false }` for the exact ipvsadm-save bytes. One deliberate difference: marks of
 *    2^31 and above are printed unsigned (`-f 3000000000`); ipvsadm 1.31 as released prints them
 *    with %d (`-f -1294967296`), which its own -R rejects (fixed upstream after 1.31).
 *  - renderCommands: the same table as a shell script of `ipvsadm` commands.
 *  - renderBatch: reconcile ops as an `ipvsadm -R` stream (no comments: -R does not strip them).
 */
import { canonicalDestination, canonicalTable, schedulerFlagBits, schedulerFlagNames } from "../../canonical.ts";
import { formatAddressPort } from "../../address.ts";
import type { IpvsDestination, IpvsService, IpvsServiceKey, IpvsTable, IpvsTimeouts } from "../../model.ts";
import type { Op, ServiceSpec } from "../../ops.ts";

export interface RenderRulesOptions {
  /** append -x/-y to -a lines when set (default true; ipvsadm -S never prints them) */
  thresholds?: boolean;
  /** a first `--set tcp tcpfin udp` line when the table has timeouts (default true; ipvsadm -S never prints it, ipvsadm -R reads it) */
  timeouts?: boolean;
}

/** `-t 10.0.0.1:80`, `-u [2001:db8::1]:53`, `--sctp-service ...`, `-f 5`, `-f 5 -6` */
export function serviceOption(k: IpvsServiceKey): string {
  if (k.protocol === "fwmark") return k.family === "inet6" ? `-f ${k.fwmark} -6` : `-f ${k.fwmark}`;
  const flag = k.protocol === "tcp" ? "-t" : k.protocol === "udp" ? "-u" : "--sctp-service";
  return `${flag} ${formatAddressPort(k.address, k.port)}`;
}

/** The options after `-A <svc>` / `-E <svc>`, as print_service_entry writes them. */
export function serviceArgs(s: ServiceSpec): string {
  // defence in depth: the schemas refuse these already; a value that could add a word or a line is never written
  if (!/^[a-z][a-z0-9_-]{0,15}$/.test(s.scheduler)) throw new Error(`ipvsadm: scheduler ${JSON.stringify(s.scheduler)} cannot be written (a name like rr or wlc)`);
  let out = ` -s ${s.scheduler}`;
  if (s.persistence) {
    if (!Number.isInteger(s.persistence.timeout)) throw new Error(`ipvsadm: -p ${JSON.stringify(s.persistence.timeout)} cannot be written`);
    out += ` -p ${s.persistence.timeout}`;
    if (s.persistence.netmask !== null) {
      if (!/^[0-9.]{1,15}$/.test(s.persistence.netmask)) throw new Error(`ipvsadm: netmask ${JSON.stringify(s.persistence.netmask)} cannot be written`);
      out += ` -M ${s.persistence.netmask}`;
    }
  }
  if (s.persistenceEngine) {
    if (s.persistenceEngine !== "sip") throw new Error(`ipvsadm: --pe ${JSON.stringify(s.persistenceEngine)} cannot be written`);
    out += ` --pe ${s.persistenceEngine}`;
  }
  if (s.onePacket) out += " -o";
  const bits = schedulerFlagBits(s.flags);
  if (bits) out += ` -b ${schedulerFlagNames(s.scheduler, bits).join(",")}`;
  return out;
}

const METHOD_SWITCH = { dr: "-g", tun: "-i", nat: "-m" } as const;

/** The options after `-a <svc>` / `-e <svc>`: -r, method, -w, tunnel options, then -x/-y when asked. */
export function destinationArgs(d: IpvsDestination, thresholds: boolean): string {
  let out = ` -r ${formatAddressPort(d.address, d.port)} ${METHOD_SWITCH[d.method]} -w ${d.weight}`;
  if (d.method === "tun" && d.tunnel) {
    const t = d.tunnel;
    out += ` --tun-type ${t.type}`;
    if (t.type === "gue") out += ` --tun-port ${t.port ?? 0}`;
    if (t.type !== "ipip") out += ` --tun-${t.checksum ?? "nocsum"}`;
  }
  if (thresholds) {
    if (d.upperThreshold) out += ` -x ${d.upperThreshold}`;
    if (d.lowerThreshold) out += ` -y ${d.lowerThreshold}`;
  }
  return out;
}

/** The lines of `ipvsadm -S -n` (without the trailing newline of each). */
export function ruleLines(table: IpvsTable, opts: RenderRulesOptions = {}): string[] {
  const thresholds = opts.thresholds ?? true;
  const lines: string[] = [];
  if ((opts.timeouts ?? true) && table.timeouts) lines.push(timeoutsLine(table.timeouts));
  for (const s of canonicalTable(table).services) serviceLines(s, thresholds, lines);
  return lines;
}

/** The -A line of a canonical service and its -a lines, appended to `out`. */
function serviceLines(s: IpvsService, thresholds: boolean, out: string[]): string[] {
  const svc = serviceOption(s);
  out.push(`-A ${svc}${serviceArgs(s)}`);
  for (const d of s.destinations) out.push(`-a ${svc}${destinationArgs(d, thresholds)}`);
  return out;
}

/**
 * ruleLines as one text. Joined service by service: an array of a million line strings (each a
 * chain of concatenated pieces until joined) would cost several times the text itself.
 */
export function renderRules(table: IpvsTable, opts: RenderRulesOptions = {}): string {
  const thresholds = opts.thresholds ?? true;
  const blocks: string[] = [];
  if ((opts.timeouts ?? true) && table.timeouts) blocks.push(timeoutsLine(table.timeouts));
  for (const s of canonicalTable(table).services) blocks.push(serviceLines(s, thresholds, []).join("\n"));
  return blocks.length === 0 ? "" : `${blocks.join("\n")}\n`;
}

/** A shell script that builds the table with ipvsadm commands (adds to the current table). */
export function renderCommands(table: IpvsTable): string {
  const c = canonicalTable(table);
  const dests = c.services.reduce((n, s) => n + s.destinations.length, 0);
  const header = [
    "#!/bin/sh",
    `# IPVS table: ${c.services.length} virtual service(s), ${dests} real server entr${dests === 1 ? "y" : "ies"}.`,
    "# Generated by LVS Console (lvsctl). Adds to the current table: run `ipvsadm -C` first to replace it.",
    "# Thresholds (-x/-y) are included; `ipvsadm -S` does not save them.",
    ...(table.timeouts ? ["# Connection timeouts (--set tcp tcpfin udp, 0 = unchanged) are global to the director; `ipvsadm -S` does not save them."] : []),
    "set -e",
  ];
  // ruleLines puts the table in canonical order itself (canonicalising twice would reverse the real servers' order)
  return [...header, ...ruleLines(table).map((l) => `ipvsadm ${l}`)].map((l) => `${l}\n`).join("");
}

/** `--set tcp tcpfin udp` (0 = unchanged); `ipvsadm -R` accepts it, `ipvsadm -S` never prints it. */
export function timeoutsLine(t: IpvsTimeouts): string {
  for (const v of [t.tcp, t.tcpfin, t.udp]) if (!Number.isInteger(v) || v < 0) throw new Error(`ipvsadm: timeout ${JSON.stringify(v)} cannot be written`);
  return `--set ${t.tcp} ${t.tcpfin} ${t.udp}`;
}

/** One op as an `ipvsadm -R` line. */
export function renderOp(op: Op): string {
  switch (op.kind) {
    case "clear":
      return "-C";
    case "add-service":
      return `-A ${serviceOption(op.service)}${serviceArgs(op.service)}`;
    case "edit-service":
      return `-E ${serviceOption(op.service)}${serviceArgs(op.service)}`;
    case "delete-service":
      return `-D ${serviceOption(op.service)}`;
    case "add-destination":
    case "edit-destination":
      return destinationOpLine(op, serviceOption(op.service), keyService(op.service));
    case "delete-destination":
      return `-d ${serviceOption(op.service)} -r ${formatAddressPort(op.destination.address, op.destination.port)}`;
    case "set-timeouts":
      return timeoutsLine(op.timeouts);
  }
}

/** A service key as a service without settings: what canonicalDestination needs of it. */
function keyService(k: IpvsServiceKey): IpvsService {
  return { ...k, scheduler: "", flags: [], persistence: null, persistenceEngine: null, onePacket: false, destinations: [] } as IpvsService;
}

function destinationOpLine(op: Extract<Op, { kind: "add-destination" | "edit-destination" }>, option: string, svc: IpvsService | null): string {
  return `${op.kind === "add-destination" ? "-a" : "-e"} ${option}${destinationArgs(svc ? canonicalDestination(svc, op.destination) : op.destination, true)}`;
}

/**
 * renderOp of each op. Real-server ops that follow one another on the same service key object (as
 * plan() emits them) share the service's option text: 100 000 ops, 10 000 services written once.
 * `canonical`: the ops' real servers are canonical already (plan()'s are: it plans between canonical
 * tables), so they are not canonicalised again.
 */
export function renderOps(ops: readonly Op[], opts: { canonical?: boolean } = {}): string[] {
  let key: IpvsServiceKey | null = null;
  let option = "";
  let svc: IpvsService | null = null;
  return ops.map((o) => {
    if (o.kind !== "add-destination" && o.kind !== "edit-destination") return renderOp(o);
    if (o.service !== key) {
      key = o.service;
      option = serviceOption(key);
      svc = opts.canonical ? null : keyService(key);
    }
    return destinationOpLine(o, option, svc);
  });
}

/** Ops as a stream for `ipvsadm -R` (accepted as-is: no comments, one command per line). */
export function renderBatch(ops: readonly Op[]): string {
  const lines = renderOps(ops);
  return lines.length ? `${lines.join("\n")}\n` : "";
}
