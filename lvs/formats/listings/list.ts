/**
 * `ipvsadm -Ln` and `ipvsadm -Ln --thresholds`: parse and render (same layouts as ipvsadm 1.31,
 * trailing spaces included). Services and destinations are printed in the order given; ipvsadm sorts.
 */
import type { IpvsServiceKey, IpvsTable, Persistence, SchedulerFlag } from "../../model.ts";
import { SCHEDULER_FLAGS } from "../../model.ts";
import {
  ListingParseError, forwardOfMethod, formatAddrPort, left, lines, methodOfForward, parseAddrPort, parseForward,
  parseInt10, parseServiceHead, parseUint, serviceName, tokens, type ForwardName,
} from "./common.ts";

export interface ListedDestination {
  address: string;
  port: number;
  forward: ForwardName;
  weight: number;
  activeConns: number;
  inactConns: number;
}

export interface ListedService {
  key: IpvsServiceKey;
  scheduler: string;
  flags: SchedulerFlag[];
  persistence: Persistence | null;
  persistenceEngine: "sip" | null;
  onePacket: boolean;
  destinations: ListedDestination[];
}

export interface ServiceListing {
  /** from "IP Virtual Server version 1.2.1 (size=4096)"; null when the listing had no such line (-L -t ...) */
  version: string | null;
  connTableSize: number | null;
  services: ListedService[];
}

export interface ThresholdDestination {
  address: string;
  port: number;
  upperThreshold: number;
  lowerThreshold: number;
  activeConns: number;
  inactConns: number;
}
export interface ThresholdListing {
  services: (Omit<ListedService, "destinations"> & { destinations: ThresholdDestination[] })[];
}

export interface PersistentConnDestination {
  address: string;
  port: number;
  weight: number;
  persistConns: number;
  activeConns: number;
  inactConns: number;
}
export interface PersistentConnListing {
  services: (Omit<ListedService, "destinations"> & { destinations: PersistentConnDestination[] })[];
}

export const VERSION_RE = /^IP Virtual Server version (\d+\.\d+\.\d+) \(size=(\d+)\)$/;
export const LIST_HEADER = ["Prot LocalAddress:Port Scheduler Flags", "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn"];
export const THRESHOLDS_HEADER = [
  `${left("Prot LocalAddress:Port", 33)} ${left("Uthreshold", 10)} ${left("Lthreshold", 10)} ${left("ActiveConn", 10)} ${left("InActConn", 10)}`,
  "  -> RemoteAddress:Port",
];

export const PERSISTENT_CONN_HEADER = [
  `${left("Prot LocalAddress:Port", 33)} ${left("Weight", 9)} ${left("PersistConn", 11)} ${left("ActiveConn", 10)} ${left("InActConn", 10)}`,
  "  -> RemoteAddress:Port",
];

// ---------------------------------------------------------------- service line (shared with thresholds)

export function renderServiceLine(s: Omit<ListedService, "destinations">): string {
  let out = `${serviceName(s.key)} ${s.scheduler}`;
  // print_sched_flags prints in a fixed order: flag-1..3, sh-fallback, sh-port, mh-fallback, mh-port
  const flags = SCHEDULER_FLAGS.filter((f) => s.flags.includes(f));
  if (flags.length) out += ` (${flags.join(",")})`;
  if (s.persistence) {
    out += ` persistent ${s.persistence.timeout}`;
    if (s.persistence.netmask !== null) out += ` mask ${s.persistence.netmask}`;
    if (s.persistenceEngine) out += ` pe ${s.persistenceEngine}`;
  }
  if (s.onePacket) out += " ops";
  return out;
}

function parseServiceLine(line: number, raw: string): Omit<ListedService, "destinations"> {
  const t = tokens(raw);
  const { key, used } = parseServiceHead(t, line, raw);
  const scheduler = t[used];
  if (!scheduler) throw new ListingParseError(line, "service line without a scheduler", raw);
  const s: Omit<ListedService, "destinations"> = { key, scheduler, flags: [], persistence: null, persistenceEngine: null, onePacket: false };
  for (let i = used + 1; i < t.length; i++) {
    const w = t[i]!;
    if (w.startsWith("(") && w.endsWith(")")) {
      for (const f of w.slice(1, -1).split(",").filter(Boolean)) {
        if (!(SCHEDULER_FLAGS as readonly string[]).includes(f)) throw new ListingParseError(line, `unknown scheduler flag "${f}"`, raw);
        s.flags.push(f as SchedulerFlag);
      }
    } else if (w === "persistent") {
      s.persistence = { timeout: parseUint(t[++i], line, raw, "persistent timeout"), netmask: null };
    } else if (w === "mask" && s.persistence) {
      const m = t[++i];
      if (!m) throw new ListingParseError(line, "mask without a value", raw);
      s.persistence.netmask = m;
    } else if (w === "pe" && s.persistence) {
      const pe = t[++i];
      if (pe !== "sip") throw new ListingParseError(line, `unknown persistence engine "${pe ?? ""}" (only sip exists)`, raw);
      s.persistenceEngine = "sip";
    } else if (w === "ops") {
      s.onePacket = true;
    } else {
      throw new ListingParseError(line, `unexpected word "${w}" in a service line`, raw);
    }
  }
  return s;
}

/**
 * Lines already parsed, by their text, per listing kind: the agent reads -Ln every second and most
 * lines repeat byte for byte (see stats.ts). Bounded; the shared parts are frozen.
 */
const MEMO_MAX = 1 << 18;
const serviceMemo = { map: new Map<string, Omit<ListedService, "destinations">>() };
const destMemos = new Map<readonly string[], Map<string, unknown>>();

function memoServiceLine(n: number, raw: string): Omit<ListedService, "destinations"> {
  let s = serviceMemo.map.get(raw);
  if (!s) {
    s = parseServiceLine(n, raw);
    Object.freeze(s.key);
    Object.freeze(s.flags);
    if (s.persistence) Object.freeze(s.persistence);
    Object.freeze(s);
    if (serviceMemo.map.size >= MEMO_MAX) serviceMemo.map = new Map();
    serviceMemo.map.set(raw, s);
  }
  return s;
}

function readListing<D>(text: string, header: string[], parseDest: (line: number, raw: string, t: string[]) => D) {
  let destMemo = destMemos.get(header) as Map<string, D> | undefined;
  if (!destMemo || destMemo.size >= MEMO_MAX) destMemos.set(header, (destMemo = new Map()));
  let version: string | null = null;
  let size: number | null = null;
  const services: (Omit<ListedService, "destinations"> & { destinations: D[] })[] = [];
  let headerSeen = 0;
  for (const [n, raw] of lines(text)) {
    const v = VERSION_RE.exec(raw);
    if (v && services.length === 0 && headerSeen === 0) {
      version = v[1]!;
      size = Number(v[2]);
      continue;
    }
    if (headerSeen < header.length) {
      if (raw.trimEnd() !== header[headerSeen]!.trimEnd())
        throw new ListingParseError(n, `expected the header "${header[headerSeen]!.trim()}" (is this the right listing mode?)`, raw);
      headerSeen++;
      continue;
    }
    if (raw.trim() === "") continue;
    if (raw.startsWith("  -> ")) {
      const svc = services[services.length - 1];
      if (!svc) throw new ListingParseError(n, "destination line before any service", raw);
      let d = destMemo.get(raw);
      if (d === undefined) {
        d = parseDest(n, raw, tokens(raw.slice(5)));
        Object.freeze(d);
        destMemo.set(raw, d);
      }
      svc.destinations.push(d);
    } else {
      services.push({ ...memoServiceLine(n, raw), destinations: [] });
    }
  }
  if (headerSeen < header.length) throw new ListingParseError(lines(text).length + 1, "the listing ended before its header", "");
  return { version, size, services };
}

function destAddr(line: number, raw: string, t: string[]) {
  const ap = parseAddrPort(t[0] ?? "");
  if (!ap) throw new ListingParseError(line, "expected a numeric real server address:port", raw);
  return ap;
}

// ---------------------------------------------------------------- -Ln

export function parseList(text: string): ServiceListing {
  const r = readListing(text, LIST_HEADER, (n, raw, t): ListedDestination => {
    const ap = destAddr(n, raw, t);
    const forward = parseForward(t[1]);
    if (!forward) throw new ListingParseError(n, `unknown forwarding method "${t[1] ?? ""}" (Masq, Local, Tunnel or Route)`, raw);
    if (t.length !== 5) throw new ListingParseError(n, "expected address:port Forward Weight ActiveConn InActConn", raw);
    return {
      ...ap, forward, weight: parseInt10(t[2], n, raw, "Weight"),
      activeConns: parseUint(t[3], n, raw, "ActiveConn"), inactConns: parseUint(t[4], n, raw, "InActConn"),
    };
  });
  return { version: r.version, connTableSize: r.size, services: r.services };
}

export function renderList(listing: ServiceListing): string {
  const out: string[] = [];
  if (listing.version !== null) out.push(`IP Virtual Server version ${listing.version} (size=${listing.connTableSize ?? 4096})`);
  out.push(...LIST_HEADER);
  for (const s of listing.services) {
    out.push(renderServiceLine(s));
    for (const d of s.destinations)
      out.push(`  -> ${left(formatAddrPort(d.address, d.port), 28)} ${left(d.forward, 7)} ${left(d.weight, 6)} ${left(d.activeConns, 10)} ${left(d.inactConns, 10)}`);
  }
  return out.join("\n") + "\n";
}

// ---------------------------------------------------------------- --thresholds

export function parseThresholds(text: string): ThresholdListing {
  const r = readListing(text, THRESHOLDS_HEADER, (n, raw, t): ThresholdDestination => {
    const ap = destAddr(n, raw, t);
    if (t.length !== 5) throw new ListingParseError(n, "expected address:port Uthreshold Lthreshold ActiveConn InActConn", raw);
    return {
      ...ap, upperThreshold: parseUint(t[1], n, raw, "Uthreshold"), lowerThreshold: parseUint(t[2], n, raw, "Lthreshold"),
      activeConns: parseUint(t[3], n, raw, "ActiveConn"), inactConns: parseUint(t[4], n, raw, "InActConn"),
    };
  });
  return { services: r.services };
}

export function renderThresholds(listing: ThresholdListing, version: string | null = "1.2.1", size = 4096): string {
  const out: string[] = [];
  if (version !== null) out.push(`IP Virtual Server version ${version} (size=${size})`);
  out.push(...THRESHOLDS_HEADER);
  for (const s of listing.services) {
    out.push(renderServiceLine(s));
    for (const d of s.destinations)
      out.push(`  -> ${left(formatAddrPort(d.address, d.port), 28)} ${left(d.upperThreshold, 10)} ${left(d.lowerThreshold, 10)} ${left(d.activeConns, 10)} ${left(d.inactConns, 10)}`);
  }
  return out.join("\n") + "\n";
}

// ---------------------------------------------------------------- --persistent-conn

export function parsePersistentConn(text: string): PersistentConnListing {
  const r = readListing(text, PERSISTENT_CONN_HEADER, (n, raw, t): PersistentConnDestination => {
    const ap = destAddr(n, raw, t);
    if (t.length !== 5) throw new ListingParseError(n, "expected address:port Weight PersistConn ActiveConn InActConn", raw);
    return {
      ...ap, weight: parseUint(t[1], n, raw, "Weight"), persistConns: parseUint(t[2], n, raw, "PersistConn"),
      activeConns: parseUint(t[3], n, raw, "ActiveConn"), inactConns: parseUint(t[4], n, raw, "InActConn"),
    };
  });
  return { services: r.services };
}

export function renderPersistentConn(listing: PersistentConnListing, version: string | null = "1.2.1", size = 4096): string {
  const out: string[] = [];
  if (version !== null) out.push(`IP Virtual Server version ${version} (size=${size})`);
  out.push(...PERSISTENT_CONN_HEADER);
  for (const s of listing.services) {
    out.push(renderServiceLine(s));
    for (const d of s.destinations)
      out.push(`  -> ${left(formatAddrPort(d.address, d.port), 28)} ${left(d.weight, 9)} ${left(d.persistConns, 11)} ${left(d.activeConns, 10)} ${left(d.inactConns, 10)}`);
  }
  return out.join("\n") + "\n";
}

// ---------------------------------------------------------------- model mapping

/** The IpvsTable a -Ln listing describes (thresholds and tunnel types are not in -Ln: 0 / ipip). */
export function listToTable(listing: ServiceListing, thresholds?: ThresholdListing): IpvsTable {
  const th = new Map<string, ThresholdDestination>();
  for (const s of thresholds?.services ?? [])
    for (const d of s.destinations) th.set(`${serviceName(s.key)}|${d.address}|${d.port}`, d);
  return {
    services: listing.services.map((s) => ({
      ...s.key, scheduler: s.scheduler, flags: [...s.flags], persistence: s.persistence && { ...s.persistence },
      persistenceEngine: s.persistenceEngine, onePacket: s.onePacket,
      destinations: s.destinations.map((d) => {
        const t = th.get(`${serviceName(s.key)}|${d.address}|${d.port}`);
        const method = methodOfForward(d.forward);
        return {
          address: d.address, port: d.port, method, weight: d.weight,
          upperThreshold: t?.upperThreshold ?? 0, lowerThreshold: t?.lowerThreshold ?? 0,
          tunnel: method === "tun" ? { type: "ipip" as const, port: null, checksum: null } : null,
        };
      }),
    })),
  };
}

/** A -Ln listing for a table; connection counts come from `conns` (0 when omitted). */
export function listFromTable(table: IpvsTable, conns?: (svc: IpvsServiceKey, address: string, port: number) => { active: number; inactive: number }): ServiceListing {
  return {
    version: "1.2.1",
    connTableSize: 4096,
    services: table.services.map((s) => {
      const key: IpvsServiceKey = s.protocol === "fwmark"
        ? { protocol: "fwmark", family: s.family, fwmark: s.fwmark }
        : { protocol: s.protocol, family: s.family, address: s.address, port: s.port };
      return {
        key, scheduler: s.scheduler, flags: [...s.flags], persistence: s.persistence, persistenceEngine: s.persistenceEngine, onePacket: s.onePacket,
        destinations: s.destinations.map((d) => {
          const c = conns?.(key, d.address, d.port) ?? { active: 0, inactive: 0 };
          return { address: d.address, port: d.port, forward: forwardOfMethod(d.method), weight: d.weight, activeConns: c.active, inactConns: c.inactive };
        }),
      };
    }),
  };
}
