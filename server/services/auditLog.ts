/**
 * Reading the audit trail: filter by user, action, target, outcome and time, newest first, paged by
 * id (a keyset cursor, stable while new rows arrive). Read-only: nothing in the API updates or
 * deletes AuditEvent rows (recordAudit in audit.ts is the one writer).
 */
import type { Prisma } from "../../generated/prisma/client.ts";
import type { Database } from "../db/openDatabase.ts";
import type { AuditOutcome } from "./audit.ts";

export interface AuditFilter {
  /** the acting user's id */
  userId?: string | undefined;
  /** actor text contains (user email, "agent:...", "system"), case-insensitive */
  actor?: string | undefined;
  /** action prefix: "auth" matches auth.login and auth.logout, "user.create" matches itself */
  action?: string | undefined;
  /** target contains, case-insensitive */
  target?: string | undefined;
  outcome?: AuditOutcome | undefined;
  /** ms since epoch, inclusive / exclusive */
  from?: number | undefined;
  to?: number | undefined;
  /** id of the last row of the previous page */
  cursor?: string | undefined;
  limit?: number | undefined;
}

export interface AuditRow {
  id: string;
  at: string;
  actor: string;
  userId: string | null;
  sourceIp: string | null;
  action: string;
  target: string;
  outcome: AuditOutcome;
  diff: unknown;
  /** the target in names, not ids: "topology web-prod", "topology web-prod / director lb1", "user a@b"; null = as stored */
  targetLabel: string | null;
}

export interface AuditPage {
  items: AuditRow[];
  /** pass as `cursor` for the next (older) page; null on the last page */
  nextCursor: string | null;
}

export async function listAudit(db: Database, f: AuditFilter): Promise<AuditPage> {
  const limit = Math.min(Math.max(f.limit ?? 50, 1), 200);
  const where: Prisma.AuditEventWhereInput = {};
  if (f.userId) where.userId = f.userId;
  if (f.actor) where.actor = { contains: f.actor, mode: "insensitive" };
  if (f.action) where.OR = [{ action: f.action }, { action: { startsWith: f.action.endsWith(".") ? f.action : `${f.action}.` } }];
  if (f.target) where.target = { contains: f.target, mode: "insensitive" };
  if (f.outcome) where.outcome = f.outcome;
  if (f.from != null || f.to != null) {
    where.at = { ...(f.from != null ? { gte: new Date(f.from) } : {}), ...(f.to != null ? { lt: new Date(f.to) } : {}) };
  }
  if (f.cursor) where.id = { lt: BigInt(f.cursor) };
  const rows = await db.prisma.auditEvent.findMany({ where, orderBy: { id: "desc" }, take: limit + 1 });
  const page = rows.slice(0, limit);
  const labels = await targetLabels(db, page.map((r) => r.target));
  return {
    items: page.map((r) => ({
      id: r.id.toString(), at: r.at.toISOString(), actor: r.actor, userId: r.userId, sourceIp: r.sourceIp,
      action: r.action, target: r.target, outcome: r.outcome, diff: r.diff, targetLabel: labels.get(r.target) ?? null,
    })),
    nextCursor: rows.length > limit ? page[page.length - 1]!.id.toString() : null,
  };
}

const UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";

/**
 * Targets in words: topology and director ids become their current names (one query each for the
 * page). Kinds: "topology:<id>", "topology:<id>/director:<key>", "director:<id>", "user:<email>";
 * an id whose object is gone keeps the id.
 */
export async function targetLabels(db: Database, targets: readonly string[]): Promise<Map<string, string>> {
  const topoIds = new Set<string>();
  const dirIds = new Set<string>();
  for (const t of targets) {
    for (const m of t.matchAll(new RegExp(`topology:(${UUID})`, "g"))) topoIds.add(m[1]!);
    for (const m of t.matchAll(new RegExp(`(?:^|/)director:(${UUID})`, "g"))) dirIds.add(m[1]!);
  }
  const [topos, dirs] = await Promise.all([
    topoIds.size ? db.prisma.topology.findMany({ where: { id: { in: [...topoIds] } }, select: { id: true, name: true } }) : [],
    dirIds.size ? db.prisma.director.findMany({ where: { id: { in: [...dirIds] } }, select: { id: true, name: true, topology: { select: { name: true } } } }) : [],
  ]);
  const topoName = new Map(topos.map((t) => [t.id, t.name]));
  const dirName = new Map(dirs.map((d) => [d.id, `${d.topology.name} / ${d.name}`]));
  const out = new Map<string, string>();
  for (const t of targets) {
    const label = t
      .split("/")
      .map((part) => {
        const [kind, ...rest] = part.split(":");
        const v = rest.join(":");
        if (kind === "topology") return topoName.get(v) ?? v;
        if (kind === "director") return dirName.get(v) ?? v;
        return v || part;
      })
      .join(" / ");
    out.set(t, label);
  }
  return out;
}
