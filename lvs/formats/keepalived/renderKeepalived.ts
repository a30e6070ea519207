/**
 * keepalived.conf for one director (from a Topology + directorId) or for a bare IPVS table with
 * optional per-service meta. Pure text; no timestamps. keepalived's default method is NAT, so
 * lvs_method is always written explicitly.
 */
import type { ForwardingMethod, HealthCheck, IpvsDestination, IpvsService, IpvsTable, Topology } from "../../model.ts";
import { directorConfig } from "./fromTopology.ts";
import { hasControlCharacter } from "../../schemas.ts";
import { renderChecker, seconds } from "./healthCheck.ts";
import type { KeepalivedServiceMeta, KeepalivedVrrpInstance } from "./types.ts";
import { advertIntText } from "../../ha/renderVrrpConfig.ts";

export type KeepalivedSource =
  | Topology
  | { table: IpvsTable; services?: KeepalivedServiceMeta[]; vrrpInstances?: KeepalivedVrrpInstance[] };

export interface RenderKeepalivedOptions {
  /** render the config of this director (topology input): its services and its VRRP instances */
  directorId?: string;
  /** VRRP advertisement interval in seconds (default 1) */
  advertInt?: number;
  /** first comment line; default names LVS Console (and the director) */
  header?: string | null;
}

const METHOD: Record<ForwardingMethod, string> = { nat: "NAT", dr: "DR", tun: "TUN" };

function methodLine(d: Pick<IpvsDestination, "method" | "tunnel">): string {
  let s = `lvs_method ${METHOD[d.method]}`;
  const t = d.tunnel;
  if (d.method === "tun" && t) {
    s += ` type ${t.type}`;
    if (t.type === "gue" && t.port !== null) s += ` port ${t.port}`;
    if (t.checksum !== null) s += ` ${t.checksum}`;
  }
  return s;
}

function defaultMethod(s: IpvsService): ForwardingMethod {
  const count = new Map<ForwardingMethod, number>();
  for (const d of s.destinations) count.set(d.method, (count.get(d.method) ?? 0) + 1);
  let best: ForwardingMethod = s.destinations[0]?.method ?? "nat";
  for (const [m, c] of count) if (c > (count.get(best) ?? 0)) best = m;
  return best;
}

const hostPort = (address: string, port: number | null) => (port === null ? address : `${address} ${port}`);

function serviceLines(s: IpvsService, meta: KeepalivedServiceMeta | undefined): string[] {
  const out: string[] = [];
  out.push(s.protocol === "fwmark" ? `virtual_server fwmark ${s.fwmark} {` : `virtual_server ${s.address} ${s.port} {`);
  if (s.protocol === "fwmark") out.push(`ip_family ${s.family}`);
  const vsCheck = meta?.healthCheck && meta.healthCheck.kind !== "none" ? meta.healthCheck : null;
  if (vsCheck) out.push(`delay_loop ${seconds(vsCheck.intervalMs)}`);
  out.push(`lvs_sched ${s.scheduler}`);
  const dm = defaultMethod(s);
  out.push(`lvs_method ${METHOD[dm]}`);
  if (s.persistence) {
    out.push(`persistence_timeout ${s.persistence.timeout}`);
    if (s.persistence.netmask !== null) out.push(`persistence_granularity ${s.persistence.netmask}`);
  }
  if (s.persistenceEngine) out.push(`persistence_engine ${s.persistenceEngine}`);
  if (s.protocol !== "fwmark") out.push(`protocol ${s.protocol.toUpperCase()}`);
  if (s.onePacket) out.push("ops");
  out.push(...s.flags);
  if (meta?.sorryServer) out.push(`sorry_server ${hostPort(meta.sorryServer.address, meta.sorryServer.port)}`);
  s.destinations.forEach((d, i) => {
    const hc: HealthCheck | null = meta?.destinationHealthChecks[i] ?? meta?.healthCheck ?? null;
    const port = s.protocol === "fwmark" && d.port === 0 ? null : d.port;
    out.push(`real_server ${hostPort(d.address, port)} {`, `weight ${d.weight}`);
    if (d.method !== dm || (d.method === "tun" && d.tunnel)) out.push(methodLine(d));
    if (d.upperThreshold) out.push(`uthreshold ${d.upperThreshold}`);
    if (d.lowerThreshold) out.push(`lthreshold ${d.lowerThreshold}`);
    if (hc && hc.kind !== "none" && hc.onFailure === "quiesce") out.push("inhibit_on_failure");
    if (hc && hc.kind !== "none" && hc.rise > 1) out.push(`# rise ${hc.rise}: keepalived has no rise count; the server returns after one good check`);
    if (hc) out.push(...renderChecker(hc, vsCheck ? vsCheck.intervalMs : null, d));
    out.push("}");
  });
  out.push("}");
  return out;
}

function vrrpLines(v: KeepalivedVrrpInstance, advertInt: number): string[] {
  const peers = v.unicastPeers ?? [];
  const dev = v.interface ? ` dev ${v.interface}` : "";
  return [
    `vrrp_instance ${v.name} {`,
    ...(v.state ? [`state ${v.state}`] : []),
    ...(v.interface ? [`interface ${v.interface}`] : []),
    ...(v.virtualRouterId !== null ? [`virtual_router_id ${v.virtualRouterId}`] : []),
    ...(v.priority !== null ? [`priority ${v.priority}`] : []),
    `advert_int ${v.advertIntMs != null ? advertIntText(v.advertIntMs) : advertInt}`,
    ...(v.version ? [`version ${v.version}`] : []),
    ...(v.nopreempt ? ["nopreempt"] : []),
    ...(v.unicastSrcIp ? [`unicast_src_ip ${v.unicastSrcIp}`] : []),
    ...(peers.length ? ["unicast_peer {", ...peers, "}"] : []),
    ...(v.authPass ? ["authentication {", "auth_type PASS", `auth_pass ${v.authPass}`, "}"] : []),
    "virtual_ipaddress {",
    ...v.virtualIpaddresses.map((a, i) => {
      const p = v.vipPrefixes?.[i];
      return p === null || p === undefined ? a : `${a}/${p}${dev}`;
    }),
    "}",
    "}",
  ];
}

/** global_defs: connection sync with the instance that carries it (keepalived starts ipvsadm's sync daemons). */
function globalLines(vrrp: KeepalivedVrrpInstance[]): string[] {
  const sync = vrrp.find((v) => v.syncInterface);
  if (!sync) return [];
  return ["global_defs {", `lvs_sync_daemon ${sync.syncInterface} ${sync.name}${sync.syncId != null ? ` id ${sync.syncId}` : ""}`, "}"];
}

/** Indents a flat list of lines by brace depth (4 spaces per level). */
function indent(flat: string[]): string {
  let depth = 0;
  return flat
    .map((l) => {
      if (l === "") return "";
      if (l === "}") depth = Math.max(0, depth - 1);
      const line = "    ".repeat(depth) + l;
      if (l.endsWith("{")) depth++;
      return line;
    })
    .join("\n");
}

export function renderKeepalived(source: KeepalivedSource, options: RenderKeepalivedOptions = {}): string {
  let table: IpvsTable;
  let metas: KeepalivedServiceMeta[];
  let vrrp: KeepalivedVrrpInstance[];
  let who = "";
  if ("table" in source) {
    table = source.table;
    metas = source.services ?? [];
    vrrp = source.vrrpInstances ?? [];
  } else {
    const cfg = directorConfig(source, options.directorId ?? null);
    table = cfg.table;
    metas = cfg.services;
    vrrp = cfg.vrrpInstances;
    const d = source.directors.find((x) => x.id === options.directorId);
    who = d ? ` for director ${d.name}` : "";
  }
  const header = options.header === undefined ? `! keepalived.conf generated by LVS Console${who}` : options.header;
  const blocks: string[][] = [];
  const global = globalLines(vrrp);
  if (global.length) blocks.push(global);
  for (const v of vrrp) blocks.push(vrrpLines(v, options.advertInt ?? 1));
  table.services.forEach((s, i) => blocks.push(serviceLines(s, metas[i])));
  const flat = [...(header !== null ? [header, ""] : [])];
  blocks.forEach((b, i) => flat.push(...(i ? [""] : []), ...b));
  // defence in depth: the schemas refuse control characters; a value that would start a new line or
  // block (a name, path or host with a newline) is never written
  flat.forEach((l, n) => {
    if (hasControlCharacter(l)) throw new Error(`keepalived.conf: line ${n + 1} would contain a control character; it cannot be written (${JSON.stringify(l.slice(0, 60))})`);
  });
  return indent(flat) + "\n";
}
