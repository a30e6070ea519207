/**
 * HA in the control plane: records what agents report about VRRP (transitions → HaEvent, latest
 * status → HaDirectorStatus), serves the HA overview of a topology (who is MASTER since when, split
 * brain, sync health, recent transitions), planned switchover / hand-back (HaMaintenance windows,
 * audited; the director's agent gets `maintenance` in its desired HA at once), and availability per
 * group and per director split into planned and unplanned downtime (lvs/ha/haAvailability.ts).
 */
import type { Database } from "../../db/openDatabase.ts";
import type { EventBus } from "../../events/EventBus.ts";
import type { HaReport } from "../../realtime/agentHub.ts";
import type { Topology } from "../../../lvs/model.ts";
import { upgradeTopology } from "../../../lvs/upgradeTopology.ts";
import { groupPriority, resolveHaGroups } from "../../../lvs/ha/haGroups.ts";
import { directorAvailability, groupAvailability, splitBrain, type MaintenanceWindow, type VrrpEvent } from "../../../lvs/ha/haAvailability.ts";
import type { HaStatus, VrrpState } from "../../../lvs/protocol/ha.ts";
import { recordAudit, type AuditActor } from "../audit.ts";
import { ServiceError } from "../ServiceError.ts";

export interface HaDeps {
  db: Database;
  bus: EventBus;
  now: () => number;
}

/** Hub callback: store one agent report and tell the consoles. */
export async function recordHaReport(deps: HaDeps, r: HaReport): Promise<void> {
  const prisma = deps.db.prisma;
  if (r.kind === "status") {
    const data = { topologyId: r.topologyId, status: r.status as object, at: new Date(r.at) };
    await prisma.haDirectorStatus.upsert({ where: { directorId: r.directorId }, create: { directorId: r.directorId, ...data }, update: data });
  } else {
    const open = await prisma.haMaintenance.findFirst({ where: { directorId: r.directorId, endedAt: null }, select: { id: true } });
    await prisma.haEvent.createMany({
      data: r.transitions.map((t) => ({
        topologyId: r.topologyId, directorId: r.directorId, groupId: t.groupId, instance: t.name, from: t.from, to: t.to,
        at: new Date(t.at), planned: t.planned || open !== null,
      })),
    });
  }
  const last = r.kind === "transitions" ? r.transitions.at(-1) : undefined;
  await deps.bus.publish("ha.changed", {
    topologyId: r.topologyId, directorId: r.directorId, kind: r.kind === "status" ? "status" : "transition", at: r.at,
    ...(last ? { groupId: last.groupId.slice(0, 64), to: last.to } : {}),
  });
}

/** Directors (by Director.id) of a topology in maintenance now. */
export async function maintenanceDirectors(db: Database, topologyId: string): Promise<Set<string>> {
  const rows = await db.prisma.haMaintenance.findMany({ where: { topologyId, endedAt: null }, select: { directorId: true } });
  return new Set(rows.map((r) => r.directorId));
}

async function loadDocument(db: Database, topologyId: string): Promise<Topology> {
  const t = await db.prisma.topology.findUnique({ where: { id: topologyId }, select: { document: true } });
  if (!t) throw new ServiceError("NOT_FOUND", `topology ${topologyId} not found`);
  return upgradeTopology(t.document as unknown as Topology);
}

export interface HaMemberView {
  key: string;
  directorId: string | null;
  name: string;
  online: boolean;
  state: VrrpState;
  since: number | null;
  priority: number;
  maintenance: boolean;
  keepalived: HaStatus["keepalived"] | null;
  sync: HaStatus["sync"] | null;
  engine: string;
  /** listeners waiting for the VIP (userspace engine, not MASTER): they bind when VRRP brings it */
  awaitingAddress: string[];
}

export interface HaGroupView {
  id: string;
  name: string;
  declared: boolean;
  vips: string[];
  routerId: number | null;
  advertIntMs: number;
  vrrpVersion: 2 | 3;
  nopreempt: boolean;
  connectionSync: boolean;
  /** director keys that are MASTER now (2+ = split brain) */
  masters: string[];
  masterSince: number | null;
  splitBrain: boolean;
  members: HaMemberView[];
  /** connections the MASTER holds vs what each backup mirrors; null when sync is off or unknown */
  sync: { masterConnections: number | null; backups: Array<{ key: string; connections: number; daemons: number }>; healthy: boolean } | null;
  transitions: Array<{ key: string; from: string; to: string; at: number; planned: boolean }>;
}

export async function haOverview(deps: HaDeps, topologyId: string): Promise<HaGroupView[]> {
  const prisma = deps.db.prisma;
  const doc = await loadDocument(deps.db, topologyId);
  const groups = resolveHaGroups(doc).filter((g) => g.directorIds.length >= 2);
  if (!groups.length) return [];
  const rows = await prisma.director.findMany({ where: { topologyId }, select: { id: true, key: true, name: true, online: true } });
  const byKey = new Map(rows.map((r) => [r.key, r]));
  const keyOf = new Map(rows.map((r) => [r.id, r.key]));
  const statuses = new Map((await prisma.haDirectorStatus.findMany({ where: { topologyId } })).map((s) => [s.directorId, s.status as unknown as HaStatus]));
  const maint = await maintenanceDirectors(deps.db, topologyId);
  const recent = await prisma.haEvent.findMany({ where: { topologyId }, orderBy: { at: "desc" }, take: 200 });
  return groups.map((g) => {
    const members: HaMemberView[] = g.directorIds.map((key) => {
      const row = byKey.get(key);
      const st = row ? statuses.get(row.id) : undefined;
      const inst = st?.instances.find((i) => i.groupId === g.id);
      const d = doc.directors.find((x) => x.id === key);
      return {
        key, directorId: row?.id ?? null, name: d?.name ?? key, online: row?.online ?? false,
        // an offline director's last report is no state: after a crash it would still say MASTER (false split brain)
        state: row?.online ? (inst?.state ?? "UNKNOWN") : "UNKNOWN", since: inst?.since ?? null,
        priority: groupPriority(g, key), maintenance: row ? maint.has(row.id) : false,
        keepalived: st?.keepalived ?? null, sync: st?.sync ?? null, engine: d?.engine ?? "auto",
        awaitingAddress: row?.online ? (st?.awaitingAddress ?? []) : [],
      };
    });
    const masters = splitBrain(members.map((m) => ({ directorId: m.key, state: m.state })));
    const masterList = masters.length ? masters : members.filter((m) => m.state === "MASTER").map((m) => m.key);
    const master = members.find((m) => m.state === "MASTER");
    const backups = members.filter((m) => m.state !== "MASTER" && m.sync);
    const sync = g.connectionSync
      ? {
        masterConnections: master?.sync?.connections ?? null,
        backups: backups.map((b) => ({ key: b.key, connections: b.sync!.connections, daemons: b.sync!.daemons.length })),
        healthy: members.every((m) => m.engine === "userspace" || !m.sync || (m.sync.error === null && m.sync.daemons.length === 2)),
      }
      : null;
    return {
      id: g.id, name: g.name || g.id, declared: g.declared, vips: g.vips, routerId: g.routerId, advertIntMs: g.advertIntMs,
      vrrpVersion: g.vrrpVersion, nopreempt: g.nopreempt, connectionSync: g.connectionSync,
      masters: masterList, masterSince: master?.since ?? null, splitBrain: masters.length >= 2, members, sync,
      transitions: recent.filter((e) => e.groupId === g.id).slice(0, 20)
        .map((e) => ({ key: keyOf.get(e.directorId) ?? e.directorId, from: e.from, to: e.to, at: e.at.getTime(), planned: e.planned })),
    };
  });
}

async function directorRow(db: Database, topologyId: string, key: string) {
  const d = await db.prisma.director.findFirst({ where: { topologyId, key }, select: { id: true, name: true } });
  if (!d) throw new ServiceError("NOT_FOUND", `director ${key} not found in this topology`, [{ path: "directorKey", message: "unknown director" }]);
  return d;
}

/**
 * Why no other director of a group could take the VIPs now (null = every group has one): a planned
 * switchover must not stop the only VRRP speaker. Ready = online, not in maintenance itself, its
 * keepalived running without error and its instance of the group BACKUP or MASTER.
 */
async function noReadyPeer(db: Database, topologyId: string, key: string, groups: ReturnType<typeof resolveHaGroups>): Promise<string | null> {
  const rows = await db.prisma.director.findMany({ where: { topologyId }, select: { id: true, key: true, name: true, online: true } });
  const statuses = new Map((await db.prisma.haDirectorStatus.findMany({ where: { topologyId } })).map((s) => [s.directorId, s.status as unknown as HaStatus]));
  const maint = await maintenanceDirectors(db, topologyId);
  for (const g of groups) {
    const why: string[] = [];
    const ready = g.directorIds.filter((k) => k !== key).some((k) => {
      const r = rows.find((x) => x.key === k);
      const st = r ? statuses.get(r.id) : undefined;
      const state = st?.instances.find((i) => i.groupId === g.id)?.state;
      const name = r?.name ?? k;
      if (!r?.online) why.push(`${name} is offline`);
      else if (maint.has(r.id)) why.push(`${name} is in maintenance`);
      else if (!st?.keepalived.running || st.keepalived.error) why.push(`${name}'s keepalived is not running${st?.keepalived.error ? ` (${st.keepalived.error})` : ""}`);
      else if (state !== "BACKUP" && state !== "MASTER") why.push(`${name}'s VRRP instance is ${state ?? "not reported"}`);
      else return true;
      return false;
    });
    if (!ready) return `no other director of HA group ${g.name || g.id} is ready to take over (${why.join("; ")})`;
  }
  return null;
}

/** Planned switchover: the director hands its VIPs over (its agent stops keepalived) and stays out until handed back. */
export async function startSwitchover(deps: HaDeps, input: { topologyId: string; directorKey: string; actor: AuditActor }): Promise<{ windowId: string }> {
  const d = await directorRow(deps.db, input.topologyId, input.directorKey);
  const groups = resolveHaGroups(await loadDocument(deps.db, input.topologyId)).filter((g) => g.directorIds.includes(input.directorKey) && g.directorIds.length >= 2);
  if (!groups.length) {
    await recordAudit(deps.db, input.actor, { action: "ha.switchover", target: `director:${d.id}`, outcome: "failure", diff: { reason: "not in an HA group" } });
    throw new ServiceError("BAD_REQUEST", `${d.name} is in no HA group: there is no other director to hand its VIPs to`, [{ path: "directorKey", message: "not in an HA group" }]);
  }
  const open = await deps.db.prisma.haMaintenance.findFirst({ where: { directorId: d.id, endedAt: null } });
  const notReady = open ? null : await noReadyPeer(deps.db, input.topologyId, input.directorKey, groups);
  if (notReady) {
    await recordAudit(deps.db, input.actor, { action: "ha.switchover", target: `director:${d.id}`, outcome: "failure", diff: { reason: notReady } });
    throw new ServiceError("CONFLICT", `${d.name} cannot hand its VIPs over: ${notReady}`, [{ path: "directorKey", message: notReady }]);
  }
  const row = open ?? await deps.db.prisma.haMaintenance.create({ data: { topologyId: input.topologyId, directorId: d.id, startedAt: new Date(deps.now()), actor: input.actor.actor } });
  await recordAudit(deps.db, input.actor, { action: "ha.switchover", target: `director:${d.id}`, outcome: "success", diff: { director: d.name, groups: groups.map((g) => g.id), windowId: row.id } });
  await deps.bus.publish("ha.changed", { topologyId: input.topologyId, directorId: d.id, kind: "maintenance", at: deps.now() });
  return { windowId: row.id };
}

/** Hand-back: the maintenance window ends; the director runs VRRP again (and takes the VIPs back if it preempts). */
export async function endSwitchover(deps: HaDeps, input: { topologyId: string; directorKey: string; actor: AuditActor }): Promise<{ ended: number }> {
  const d = await directorRow(deps.db, input.topologyId, input.directorKey);
  const r = await deps.db.prisma.haMaintenance.updateMany({ where: { directorId: d.id, endedAt: null }, data: { endedAt: new Date(deps.now()) } });
  await recordAudit(deps.db, input.actor, { action: "ha.handback", target: `director:${d.id}`, outcome: "success", diff: { director: d.name, windows: r.count } });
  await deps.bus.publish("ha.changed", { topologyId: input.topologyId, directorId: d.id, kind: "maintenance", at: deps.now() });
  return { ended: r.count };
}

export interface HaAvailabilityRow {
  kind: "group" | "director";
  id: string;
  name: string;
  total: { availability: number; downtimeMs: number; mtbfMs: number | null; mttrMs: number | null; failures: number };
  planned: { availability: number; downtimeMs: number; mtbfMs: number | null; mttrMs: number | null; failures: number };
  unplanned: { availability: number; downtimeMs: number; mtbfMs: number | null; mttrMs: number | null; failures: number };
}

export async function haAvailability(deps: HaDeps, input: { topologyId: string; from: number; to: number }): Promise<HaAvailabilityRow[]> {
  const prisma = deps.db.prisma;
  const doc = await loadDocument(deps.db, input.topologyId);
  const rows = await prisma.director.findMany({ where: { topologyId: input.topologyId }, select: { id: true, key: true, name: true } });
  const keyOf = new Map(rows.map((r) => [r.id, r.key]));
  const evRows = await prisma.haEvent.findMany({ where: { topologyId: input.topologyId, at: { lt: new Date(input.to) } }, orderBy: { at: "asc" } });
  const events: VrrpEvent[] = evRows.map((e) => ({ directorId: keyOf.get(e.directorId) ?? e.directorId, groupId: e.groupId, at: e.at.getTime(), to: e.to as VrrpState }));
  const wRows = await prisma.haMaintenance.findMany({ where: { topologyId: input.topologyId, startedAt: { lt: new Date(input.to) } } });
  const windows: MaintenanceWindow[] = wRows.map((w) => ({ directorId: keyOf.get(w.directorId) ?? w.directorId, from: w.startedAt.getTime(), to: w.endedAt?.getTime() ?? null }));
  const pick = (a: ReturnType<typeof groupAvailability>["total"]) => ({ availability: a.availability, downtimeMs: a.downtimeMs, mtbfMs: a.mtbfMs, mttrMs: a.mttrMs, failures: a.failures });
  const out: HaAvailabilityRow[] = [];
  const groups = resolveHaGroups(doc).filter((g) => g.directorIds.length >= 2);
  for (const g of groups) {
    const a = groupAvailability(g.id, g.directorIds, events, windows, input.from, input.to);
    out.push({ kind: "group", id: g.id, name: g.name || g.id, total: pick(a.total), planned: pick(a.planned), unplanned: pick(a.unplanned) });
  }
  for (const key of [...new Set(groups.flatMap((g) => g.directorIds))]) {
    const a = directorAvailability(key, events, windows, input.from, input.to);
    const name = doc.directors.find((d) => d.id === key)?.name ?? key;
    out.push({ kind: "director", id: key, name, total: pick(a.total), planned: pick(a.planned), unplanned: pick(a.unplanned) });
  }
  return out;
}
