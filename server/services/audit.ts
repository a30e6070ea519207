/**
 * The audit trail: every change (save, plan, apply, rollback, drain, user and token administration,
 * login success/failure) is one append-only AuditEvent row: who, when, from where, what, outcome.
 * Nothing updates or deletes audit rows; the API only lists them.
 */
import type { Prisma } from "../../generated/prisma/client.ts";
import type { Database } from "../db/openDatabase.ts";
import { ServiceError } from "./ServiceError.ts";

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

/**
 * What an audit row says about a failure: a ServiceError's own message (written for users) and code;
 * anything else only as a code and a summary. Raw database or driver text (SQL, constraint names,
 * "invalid byte sequence ...") never lands where users read it; the server log has the details.
 */
export function auditError(err: unknown): { code: string; error: string } {
  if (err instanceof ServiceError) return { code: err.code, error: err.message };
  const prismaCode = err && typeof err === "object" && typeof (err as { code?: unknown }).code === "string" && /^P\d{4}$/.test((err as { code: string }).code)
    ? (err as { code: string }).code : null;
  return { code: prismaCode ? `DATABASE_${prismaCode}` : "INTERNAL", error: "internal error" };
}

/**
 * The one way a use case audits itself: runs `run` and appends exactly one row for the call, "success"
 * with `diff(result)` or "failure" with the error (rethrown unchanged). Routers never write audit rows
 * (ARCHITECTURE.md, "Audit").
 */
export async function withAudit<T>(
  db: Database, who: AuditActor, what: { action: string; target: string }, run: () => Promise<T>,
  diff: (result: T) => Prisma.InputJsonValue | null, failure: (err: unknown) => Prisma.InputJsonValue = auditError,
): Promise<T> {
  let result: T;
  try {
    result = await run();
  } catch (err) {
    await recordAudit(db, who, { ...what, outcome: "failure", diff: failure(err) });
    throw err;
  }
  await recordAudit(db, who, { ...what, outcome: "success", diff: diff(result) });
  return result;
}
