/**
 * Rows of the table view: each virtual service (in document order), followed by its memberships when
 * the service is open. Pure; O(services + memberships).
 */
import type { Membership, RealServer, VirtualService } from "@/lvs/model.ts";
import type { EditorEdge, EditorNode } from "../../_canvas/graph.ts";
import { destinationLine, searchText, serviceLine } from "../../_canvas/labels.ts";

export type TableRow =
  | { kind: "service"; id: string; line: string; directors: string; realServers: number; open: boolean; service: VirtualService }
  | { kind: "membership"; id: string; serviceId: string; line: string; state: Membership["state"]; realServer: string };

export function tableRows(nodes: readonly EditorNode[], edges: readonly EditorEdge[], filter: string, open: ReadonlySet<string>): TableRow[] {
  const directorName = new Map<string, string>();
  const realServers = new Map<string, RealServer>();
  for (const n of nodes) {
    if (n.type === "director") directorName.set(n.id, n.data.director.name);
    else if (n.type === "realServer") realServers.set(n.id, n.data.realServer);
  }
  const members = new Map<string, Membership[]>();
  for (const e of edges) {
    if (e.type !== "membership" || !e.data) continue;
    const m = e.data.membership;
    const list = members.get(m.serviceId);
    if (list) list.push(m);
    else members.set(m.serviceId, [m]);
  }
  const needle = filter.trim().toLowerCase();
  const rows: TableRow[] = [];
  for (const n of nodes) {
    if (n.type !== "service") continue;
    const s = n.data.service;
    const ms = members.get(s.id) ?? [];
    if (needle && !searchText(s).includes(needle) && !ms.some((m) => matches(realServers.get(m.realServerId), needle))) continue;
    const isOpen = open.has(s.id);
    rows.push({
      kind: "service", id: s.id, line: serviceLine(s), directors: s.directorIds.map((d) => directorName.get(d) ?? d).join(", "),
      realServers: ms.length, open: isOpen, service: s,
    });
    if (!isOpen) continue;
    for (const m of ms) {
      const rs = realServers.get(m.realServerId);
      rows.push({ kind: "membership", id: m.id, serviceId: s.id, line: destinationLine(m, rs, s), state: m.state, realServer: rs?.name ?? m.realServerId });
    }
  }
  return rows;
}

const matches = (rs: RealServer | undefined, needle: string) => !!rs && searchText(rs).includes(needle);
