/** What applying a table tells the operator beyond the ops: --set timeouts, waiting VIPs, emulated methods. */
import type { AppliedOp, EngineNote } from "../../engine.ts";
import type { IpvsService, IpvsServiceKey, IpvsTimeouts } from "../../../lvs/model.ts";
import type { ConnectionTable } from "./connectionTable.ts";

export function setTimeouts(table: ConnectionTable, t: IpvsTimeouts, ops: AppliedOp[]): void {
  // --set: 0 keeps a value; the connection table's sweep reads them on its next tick, so idle
  // connections (and UDP reply sockets) expire by the new timeouts from then on
  const cur = table.timeouts;
  const next = { tcp: t.tcp || cur.tcp, tcpfin: t.tcpfin || cur.tcpfin, udp: t.udp || cur.udp };
  if (next.tcp !== cur.tcp || next.tcpfin !== cur.tcpfin || next.udp !== cur.udp) {
    table.timeouts = next;
    ops.push({ op: `--set ${t.tcp} ${t.tcpfin} ${t.udp}`, ok: true });
  }
}

/** Notes for a service just applied: VIP not on this host yet, non-NAT methods proxied. */
export function serviceNotes(key: IpvsServiceKey & { address: string; port: number }, s: IpvsService, waiting: boolean): EngineNote[] {
  const notes: EngineNote[] = [];
  if (waiting) {
    notes.push({ kind: "awaiting-address", service: key, message: `${key.address} is not on this host (yet): listening on ${key.address}:${key.port} as soon as the address appears (VRRP makes this director MASTER)` });
  }
  const emulated = s.destinations.filter((d) => d.method !== "nat");
  if (emulated.length > 0) {
    notes.push({
      kind: "emulated",
      service: key,
      message: `${emulated.map((d) => `${d.address} (${d.method})`).join(", ")}: proxied to RIP:${key.port} by the userspace engine, the real server sees the director's address`,
    });
  }
  return notes;
}
