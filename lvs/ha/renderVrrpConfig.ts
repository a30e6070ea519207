/**
 * DesiredHa → the keepalived.conf the agent runs: VRRP only (global_defs + vrrp_instance blocks,
 * never a virtual_server: the agent owns the IPVS table). Every instance calls the agent's notify
 * script, which appends "INSTANCE <name> <state> <priority>" where the agent reads it at once.
 * Scripts run as root with script security on (keepalived refuses scripts others could modify).
 * All instances start as BACKUP: the priorities elect the MASTER, so a restart of the first director
 * does not grab the VIP before it has heard the current master (no needless transition).
 */
import type { DesiredHa, VrrpInstanceSpec } from "../protocol/ha.ts";

export interface RenderVrrpOptions {
  /** global_defs router_id (the director's name) */
  routerId: string;
  /** absolute path of the notify script */
  notifyScript: string;
}

/** advert_int as keepalived reads it: seconds, with up to two decimals (VRRPv3 centiseconds). */
export function advertIntText(ms: number): string {
  const cs = Math.round(ms / 10);
  const s = Math.floor(cs / 100);
  const frac = cs % 100;
  return frac === 0 ? String(s) : `${s}.${String(frac).padStart(2, "0").replace(/0$/, "")}`;
}

const token = (s: string) => s.replace(/[^A-Za-z0-9_.:@/-]/g, "_");

function instanceBlock(i: VrrpInstanceSpec, notify: string): string {
  const lines = [
    `vrrp_instance ${token(i.name)} {`,
    `    state BACKUP`,
    `    interface ${token(i.interface)}`,
    `    virtual_router_id ${i.virtualRouterId}`,
    `    priority ${i.priority}`,
    `    advert_int ${advertIntText(i.advertIntMs)}`,
  ];
  if (i.version === 2) lines.push(`    version 2`);
  else lines.push(`    version 3`);
  if (i.nopreempt) lines.push(`    nopreempt`);
  if (i.unicastSource) lines.push(`    unicast_src_ip ${i.unicastSource}`);
  if (i.unicastPeers.length) {
    lines.push(`    unicast_peer {`);
    for (const p of i.unicastPeers) lines.push(`        ${p}`);
    lines.push(`    }`);
  }
  if (i.authPass !== null && i.version === 2) {
    lines.push(`    authentication {`, `        auth_type PASS`, `        auth_pass ${i.authPass}`, `    }`);
  }
  lines.push(`    virtual_ipaddress {`);
  for (const v of i.vips) lines.push(`        ${v.address}/${v.prefix} dev ${token(i.interface)}`);
  lines.push(`    }`);
  lines.push(`    notify ${notify}`);
  lines.push(`}`);
  return lines.join("\n");
}

export function renderVrrpConfig(ha: DesiredHa, o: RenderVrrpOptions): string {
  const head = [
    `# written by lvs-agent: VRRP only; the agent owns the IPVS table (no virtual_server here)`,
    `global_defs {`,
    `    router_id ${token(o.routerId) || "lvs-director"}`,
    `    script_user root`,
    `    enable_script_security`,
    `}`,
  ];
  return [...head, ...ha.instances.map((i) => instanceBlock(i, o.notifyScript)), ""].join("\n");
}

/** The notify script keepalived runs on every state change: one line appended to `logFile`. */
export function notifyScriptText(logFile: string): string {
  return `#!/bin/sh
# written by lvs-agent: keepalived runs this on every VRRP state change ($1=INSTANCE|GROUP $2=name $3=state $4=priority)
printf '%s %s %s %s %s\\n' "$(date +%s)" "$1" "$2" "$3" "$4" >> ${logFile}
`;
}

export interface NotifyLine {
  /** seconds since epoch written by the script (null for lines without it) */
  at: number | null;
  name: string;
  state: "MASTER" | "BACKUP" | "FAULT" | "STOP";
  priority: number | null;
}

/** Parses one notify line ("[epoch] INSTANCE name state [priority]"); null for GROUP lines and garbage. */
export function parseNotifyLine(line: string): NotifyLine | null {
  const m = /^(?:(\d{1,12}) )?INSTANCE (\S+) (MASTER|BACKUP|FAULT|STOP|DELETED)(?: (\d{1,3}))?\s*$/.exec(line.trim());
  if (!m) return null;
  return {
    at: m[1] ? Number(m[1]) : null, name: m[2]!,
    state: m[3] === "DELETED" ? "STOP" : (m[3] as NotifyLine["state"]), priority: m[4] ? Number(m[4]) : null,
  };
}
