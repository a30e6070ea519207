/**
 * The audit trail: every change (save, plan, apply, rollback, drain, user and token administration,
 * login success/failure) is one append-only AuditEvent row: who, when, from where, what, outcome.
 * Nothing updates or deletes audit rows; the API only lists them.
 */
import type { Prisma } from "../../generated/prisma/client.ts";
import type { Database } from "../db/openDatabase.ts";

export type AuditOutcome = "success" | "failure" | "denied";

/** Who did it: a user (from the session), an agent ("agent:<director key>") or "system". */
export interface AuditActor {
  actor: string;
  userId?: string | null;
  sourceIp?: string | null;
}

export interface AuditEntry {
  /** dotted verb, e.g. "topology.save", "deploy.apply", "auth.login", "user.create", "director.rotate" */
  action: string;
  /** what it acted on, e.g. "topology:<id>", "director:<id>", "user:<email>" */
  target: string;
  outcome: AuditOutcome;
  /** what changed: a readable diff, the plan, the error; JSON-serialisable */
  diff?: Prisma.InputJsonValue | null;
}

/** Appends one audit event. An audit write never hides the caller's own error: callers await it. */
export async function recordAudit(db: Database, who: AuditActor, entry: AuditEntry): Promise<void> {
  await db.prisma.auditEvent.create({
    data: {
      actor: who.actor.slice(0, 320),
      userId: who.userId ?? null,
      sourceIp: who.sourceIp ?? null,
      action: entry.action,
      target: entry.target,
      outcome: entry.outcome,
      ...(entry.diff == null ? {} : { diff: entry.diff }),
    },
  });
}
