/**
 * The line format of the `lvs-ipvs-nl` helper (native/lvs-ipvs-nl.c): reconcile ops in, the kernel
 * table and its counters out. Pure; the helper's header comment is the reference for each field.
 *  - opLines: plan() ops as helper op lines (A/E/X service, a/e/d real server).
 *  - parseDump: `dump` / `stats` output as an IpvsTable (thresholds included, ipvsadm's sort order)
 *    and, for `stats`, a StatsSnapshot.
 * Malformed output throws with the line number: a table read wrong would make the agent "repair" a
 * kernel that is fine.
 */
import { schedulerFlagBits, schedulerFlagNames } from "../../../lvs/canonical.ts";
import { sortDestinationsIpvsByWords, sortServicesIpvs } from "../../../lvs/ipvsadmOrder.ts";
import type {
  Counters, DestinationStats, ForwardingMethod, IpvsDestination, IpvsService, IpvsServiceKey, IpvsTable, Rates,
  ServiceStats, TunnelChecksum, TunnelType,
} from "../../../lvs/model.ts";
import type { Op, ServiceSpec } from "../../../lvs/ops.ts";
import { addressFamily, addressWords } from "../../../lvs/address.ts";

type Words = readonly [number, number, number, number];

const AF = { inet: 2, inet6: 10 } as const;
const PROTO = { tcp: 6, udp: 17, sctp: 132 } as const;
const PROTO_NAME: Record<number, "tcp" | "udp" | "sctp"> = { 6: "tcp", 17: "udp", 132: "sctp" };
const FWD = { nat: 0, tun: 2, dr: 3 } as const;
/** 1 is IP_VS_CONN_F_LOCALNODE: ipvsadm -S writes it as -g */
const FWD_NAME: Record<number, ForwardingMethod> = { 0: "nat", 1: "dr", 2: "tun", 3: "dr" };
const TUN = { ipip: 0, gue: 1, gre: 2 } as const;
const TUN_NAME: TunnelType[] = ["ipip", "gue", "gre"];
const CSUM = { nocsum: 0, csum: 1, remcsum: 2 } as const;
const CSUM_NAME: Record<number, TunnelChecksum> = { 0: "nocsum", 1: "csum", 2: "remcsum" };
const F_PERSISTENT = 0x1;
const F_ONEPACKET = 0x4;
const SCHED_SHIFT = 3;

const word = (s: string, what: string) => {
  if (!/^[A-Za-z0-9_.:-]+$/.test(s)) throw new Error(`lvs-ipvs-nl: ${what} ${JSON.stringify(s)} cannot be written`);
  return s;
};

export function keyField(k: IpvsServiceKey): string {
  return k.protocol === "fwmark" ? `${AF[k.family]} 0 - 0 ${k.fwmark}` : `${AF[k.family]} ${PROTO[k.protocol]} ${word(k.address, "address")} ${k.port} 0`;
}

function serviceFields(s: ServiceSpec): string {
  const flags = (s.persistence ? F_PERSISTENT : 0) | (s.onePacket ? F_ONEPACKET : 0) | (schedulerFlagBits(s.flags) << SCHED_SHIFT);
  const netmask = s.persistence?.netmask ?? (s.family === "inet6" ? "128" : "255.255.255.255");
  return `${word(s.scheduler, "scheduler")} ${s.persistenceEngine ? word(s.persistenceEngine, "persistence engine") : "-"} ${flags} ${s.persistence?.timeout ?? 0} ${word(netmask, "netmask")}`;
}

/** The family of an address as the helper is told it: any IPv6 text has a colon, no IPv4 text has one (a bad address fails in the helper either way). */
const afOf = (address: string) => (address.includes(":") ? AF.inet6 : AF.inet);

function destinationFields(d: IpvsDestination): string {
  const t = d.method === "tun" ? d.tunnel : null;
  const tt = t ? TUN[t.type] : 0;
  return `${afOf(d.address)} ${word(d.address, "address")} ${d.port} ${FWD[d.method]} ${d.weight} ${d.upperThreshold} ${d.lowerThreshold} ${tt} ${t?.type === "gue" ? (t.port ?? 0) : 0} ${t && t.type !== "ipip" ? CSUM[t.checksum ?? "nocsum"] : 0}`;
}

/** One helper line per op (`keyText`: keyField(op.service), when the caller has it); `clear` is refused (plan() never emits it; the agent never flushes). */
export function opLine(op: Op, keyText?: string): string {
  switch (op.kind) {
    case "add-service": return `A ${keyText ?? keyField(op.service)} ${serviceFields(op.service)}`;
    case "edit-service": return `E ${keyText ?? keyField(op.service)} ${serviceFields(op.service)}`;
    case "delete-service": return `X ${keyText ?? keyField(op.service)}`;
    case "add-destination": return `a ${keyText ?? keyField(op.service)} ${destinationFields(op.destination)}`;
    case "edit-destination": return `e ${keyText ?? keyField(op.service)} ${destinationFields(op.destination)}`;
    case "delete-destination": return `d ${keyText ?? keyField(op.service)} ${afOf(op.destination.address)} ${word(op.destination.address, "address")} ${op.destination.port}`;
    case "clear": throw new Error("lvs-ipvs-nl: the agent never clears the whole table");
    case "set-timeouts": throw new Error("lvs-ipvs-nl: timeouts are set with ipvsadm --set, not through the helper");
  }
}

export function opLines(ops: readonly Op[]): string {
  let out = "";
  // ops that follow one another on one service key object (plan() gives a new service's real servers
  // one) share its key text: 100 000 lines, 10 000 keys written
  let key: IpvsServiceKey | null = null;
  let keyText = "";
  for (const o of ops) {
    if ("service" in o && o.service !== key) { key = o.service; keyText = keyField(key); }
    out += `${opLine(o, "service" in o ? keyText : undefined)}\n`;
  }
  return out;
}

// ---------------------------------------------------------------- reading

const family = (af: string, at: number): "inet" | "inet6" => {
  if (af === "2") return "inet";
  if (af === "10") return "inet6";
  throw new Error(`lvs-ipvs-nl output line ${at}: address family ${af}`);
};

function int(s: string | undefined, at: number): number {
  const n = Number(s);
  if (s === undefined || s === "" || !Number.isSafeInteger(n) || n < 0) throw new Error(`lvs-ipvs-nl output line ${at}: ${JSON.stringify(s)} is not a count`);
  return n;
}

function parseKey(f: string[], i: number, at: number): IpvsServiceKey {
  const fam = family(f[i]!, at);
  const proto = f[i + 1]!;
  if (proto === "0") return { protocol: "fwmark", family: fam, fwmark: int(f[i + 4], at) };
  const p = PROTO_NAME[Number(proto)];
  if (!p) throw new Error(`lvs-ipvs-nl output line ${at}: protocol ${proto}`);
  return { protocol: p, family: fam, address: f[i + 2]!, port: int(f[i + 3], at) };
}

function counters(f: string[], i: number, at: number): { counters: Counters; rates: Rates } {
  return {
    counters: { conns: int(f[i], at), inPkts: int(f[i + 1], at), outPkts: int(f[i + 2], at), inBytes: int(f[i + 3], at), outBytes: int(f[i + 4], at) },
    rates: { cps: int(f[i + 5], at), inPps: int(f[i + 6], at), outPps: int(f[i + 7], at), inBps: int(f[i + 8], at), outBps: int(f[i + 9], at) },
  };
}

export function parseServiceLine(line: string, at: number): { service: IpvsService; stats: ServiceStats | null } {
  const f = line.split(" ");
  if (f[0] !== "S" || (f.length !== 11 && f.length !== 21)) throw new Error(`lvs-ipvs-nl output line ${at}: not a service line: ${line.slice(0, 200)}`);
  const key = parseKey(f, 1, at);
  const scheduler = f[6]!;
  const flags = int(f[8], at);
  const timeout = int(f[9], at);
  const mask = f[10]!;
  const fullMask = key.family === "inet6" ? "128" : "255.255.255.255";
  const service = {
    ...key,
    scheduler,
    flags: schedulerFlagNames(scheduler, (flags >> SCHED_SHIFT) & 7),
    persistence: flags & F_PERSISTENT ? { timeout, netmask: mask === fullMask ? null : mask } : null,
    persistenceEngine: f[7] === "sip" ? ("sip" as const) : null,
    onePacket: (flags & F_ONEPACKET) !== 0,
    destinations: [],
  } as IpvsService;
  const stats = f.length === 21 ? { key, ...counters(f, 11, at), destinations: [] } : null;
  return { service, stats };
}

export function parseDestinationLine(line: string, at: number): { destination: IpvsDestination; stats: DestinationStats | null } {
  const f = line.split(" ");
  if (f[0] !== "D" || (f.length !== 11 && f.length !== 24)) throw new Error(`lvs-ipvs-nl output line ${at}: not a real-server line: ${line.slice(0, 200)}`);
  family(f[1]!, at);
  const method = FWD_NAME[int(f[4], at)];
  if (!method) throw new Error(`lvs-ipvs-nl output line ${at}: forwarding method ${f[4]}`);
  const tt = TUN_NAME[int(f[8], at)] ?? "ipip";
  const destination: IpvsDestination = {
    address: f[2]!,
    port: int(f[3], at),
    method,
    weight: int(f[5], at),
    upperThreshold: int(f[6], at),
    lowerThreshold: int(f[7], at),
    tunnel: method === "tun" ? { type: tt, port: tt === "gue" ? int(f[9], at) : null, checksum: tt === "ipip" ? null : (CSUM_NAME[int(f[10], at)] ?? "nocsum") } : null,
  };
  const stats = f.length === 24
    ? { address: destination.address, port: destination.port, weight: destination.weight, activeConns: int(f[11], at), inactConns: int(f[12], at), persistConns: int(f[13], at), ...counters(f, 14, at) }
    : null;
  return { destination, stats };
}

// the in-place reader of `D` lines: where it stands in the text (module state: no closure per line),
// and the IPv4 address it read as addressWords' first word (-1: none, ask addressWords)
let cur = 0;
let lastWord = -1;

/** text[from, to) as a dotted quad's 32-bit value (inet_ntop's form: 1-3 digits per part, no leading zero), or -1. */
function quadWord(text: string, from: number, to: number): number {
  let w = 0;
  let parts = 0;
  let v = 0;
  let digits = 0;
  for (let i = from; i <= to; i++) {
    const c = i === to ? 46 : text.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || v > 255 || ++parts > 4) return -1;
      w = w * 256 + v;
      v = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57 && digits < 3 && !(digits === 1 && v === 0)) {
      v = v * 10 + (c - 48);
      digits++;
    } else return -1;
  }
  return parts === 4 ? w : -1;
}

/** A count at `cur` ending at a space (`last`: at `end`); -1 when it is not one (≤ 15 digits: always safe). */
function countAt(text: string, end: number, last: boolean): number {
  let n = 0;
  const from = cur;
  for (; cur < end; cur++) {
    const c = text.charCodeAt(cur);
    if (c === 32) break;
    if (c < 48 || c > 57 || cur - from >= 15) return -1;
    n = n * 10 + (c - 48);
  }
  if (cur === from || (last ? cur !== end : cur === end)) return -1;
  cur++;
  return n;
}

/**
 * A `dump` real-server line (`D af addr port fwd weight u l tuntype tunport tunflags`, one space
 * apart) read in place, without splitting it; null for anything else (the stats form, a malformed
 * line), which parseDestinationLine then reads or refuses with its message.
 */
function dumpDestination(text: string, start: number, end: number): IpvsDestination | null {
  if (text.charCodeAt(start + 1) !== 32) return null;
  cur = start + 2;
  const af = countAt(text, end, false);
  // exactly "2" or "10", as family() takes them
  if ((af !== AF.inet || cur !== start + 4) && (af !== AF.inet6 || cur !== start + 5)) return null;
  const sp = text.indexOf(" ", cur);
  if (sp < 0 || sp >= end || sp === cur) return null;
  const address = text.slice(cur, sp);
  lastWord = af === AF.inet ? quadWord(text, cur, sp) : -1;
  cur = sp + 1;
  const port = countAt(text, end, false);
  const method = FWD_NAME[countAt(text, end, false)];
  const weight = countAt(text, end, false);
  const upperThreshold = countAt(text, end, false);
  const lowerThreshold = countAt(text, end, false);
  const tt = countAt(text, end, false);
  const tp = countAt(text, end, false);
  const tf = countAt(text, end, true);
  if (!method || port < 0 || weight < 0 || upperThreshold < 0 || lowerThreshold < 0 || tt < 0 || tp < 0 || tf < 0) return null;
  const type = TUN_NAME[tt] ?? "ipip";
  return {
    address, port, method, weight, upperThreshold, lowerThreshold,
    tunnel: method === "tun" ? { type, port: type === "gue" ? tp : null, checksum: type === "ipip" ? null : (CSUM_NAME[tf] ?? "nocsum") } : null,
  };
}

/** `dump` output → the table as `ipvsadm -S` + `--thresholds` would give it. */
export function parseDump(text: string): IpvsTable {
  const services: IpvsService[] = [];
  let current: IpvsService | null = null;
  // each service's real servers' addressWords, for the sort below (IPv4: from the reader, no parse)
  const words: Words[][] = [];
  let currentWords: Words[] = [];
  // line by line in place (110 000 lines: no array of lines, no array of fields per real server)
  for (let pos = 0, at = 1; pos < text.length; at++) {
    let end = text.indexOf("\n", pos);
    if (end < 0) end = text.length;
    if (end > pos) {
      const c = text.charCodeAt(pos);
      if (c === 68 /* D */) {
        if (!current) throw new Error(`lvs-ipvs-nl output line ${at}: a real server before any service`);
        lastWord = -1;
        const d = dumpDestination(text, pos, end) ?? parseDestinationLine(text.slice(pos, end), at).destination;
        current.destinations.push(d);
        currentWords.push(lastWord >= 0 ? [lastWord, 0, 0, 0] : addressWords(d.address));
      } else if (c === 83 /* S */) {
        current = parseServiceLine(text.slice(pos, end), at).service;
        services.push(current);
        words.push((currentWords = []));
      } else {
        throw new Error(`lvs-ipvs-nl output line ${at}: ${JSON.stringify(text.slice(pos, Math.min(end, pos + 200)))}`);
      }
    }
    pos = end + 1;
  }
  // the kernel's values are canonical already (inet_ntop addresses, DR/TUN ports forced): only
  // ipvsadm's order is left to apply — sorted from the order the kernel lists (head-first), as ipvsadm does
  services.forEach((s, i) => { s.destinations = sortDestinationsIpvsByWords(s.destinations, words[i]!); });
  return { services: sortServicesIpvs(services) };
}

// ---------------------------------------------------------------- the helper's side, for its fake

/** An op line back to the op (what lvs-ipvs-nl sends to the kernel); null when the helper would refuse the line. */
export function parseOpLine(line: string): Op | null {
  const f = line.split(" ");
  const code = f[0];
  if (f.length < 6) return null;
  let key: IpvsServiceKey;
  try {
    key = parseKey(f, 1, 0);
  } catch {
    return null;
  }
  if (key.protocol !== "fwmark" && addressFamily(key.address) !== key.family) return null;
  if (code === "X") return f.length === 6 ? { kind: "delete-service", service: key, dropsConnections: true } : null;
  if (code === "A" || code === "E") {
    if (f.length !== 11) return null;
    const flags = Number(f[8]);
    const fullMask = key.family === "inet6" ? "128" : "255.255.255.255";
    const service = {
      ...key, scheduler: f[6]!, flags: schedulerFlagNames(f[6]!, (flags >> SCHED_SHIFT) & 7),
      persistence: flags & F_PERSISTENT ? { timeout: Number(f[9]), netmask: f[10] === fullMask ? null : f[10]! } : null,
      persistenceEngine: f[7] === "sip" ? ("sip" as const) : null, onePacket: (flags & F_ONEPACKET) !== 0,
    } as ServiceSpec;
    return code === "A" ? { kind: "add-service", service, dropsConnections: false } : { kind: "edit-service", service, dropsConnections: false };
  }
  if (code === "d") return f.length === 9 ? { kind: "delete-destination", service: key, destination: { address: f[7]!, port: Number(f[8]) }, dropsConnections: true } : null;
  if ((code === "a" || code === "e") && f.length === 16) {
    const d = parseDestinationLine(`D ${f.slice(6).join(" ")}`, 0).destination;
    return code === "a"
      ? { kind: "add-destination", service: key, destination: d, dropsConnections: false }
      : { kind: "edit-destination", service: key, destination: d, dropsConnections: false };
  }
  return null;
}

const ZERO10 = " 0 0 0 0 0 0 0 0 0 0";

/** a real server's figures: the ten counters/rates (connection counts 0), or all thirteen */
function destinationTail(t: string): string {
  if (!t) return ` 0 0 0${ZERO10}`;
  let spaces = 0;
  for (let i = t.indexOf(" "); i >= 0; i = t.indexOf(" ", i + 1)) spaces++;
  return spaces === 13 ? t : ` 0 0 0${t}`;
}

/** What the helper's `dump` (or with `counters`, `stats`) prints for a kernel holding `table` (real servers head-first, as the kernel dumps them). */
export function renderDump(table: IpvsTable, counters?: (service: IpvsServiceKey, destination: IpvsDestination | null) => string): string {
  let out = "";
  for (const s of table.services) {
    out += `S ${keyField(s)} ${serviceFields(s)}${counters ? counters(s, null) || ZERO10 : ""}\n`;
    for (let i = s.destinations.length - 1; i >= 0; i--) {
      const d = s.destinations[i]!;
      out += `D ${destinationFields(d)}${counters ? destinationTail(counters(s, d)) : ""}\n`;
    }
  }
  return out;
}
