/**
 * Runs one change on behalf of the request's user and records it in the audit log: success with
 * what changed, or failure with the error (and the error is rethrown unchanged). Used by routers
 * whose services do not audit themselves (topology, director tokens).
 */
import type { Prisma } from "../../generated/prisma/client.ts";
import { auditError, recordAudit } from "../services/audit.ts";
import { auditActor, type Context } from "./trpc.ts";

export async function audited<T>(ctx: Context, action: string, target: string, run: () => Promise<T>, diff: (r: T) => Prisma.InputJsonValue): Promise<T> {
  let result: T;
  try {
    result = await run();
  } catch (err) {
    await recordAudit(ctx.db, auditActor(ctx), { action, target, outcome: "failure", diff: auditError(err) });
    throw err;
  }
  await recordAudit(ctx.db, auditActor(ctx), { action, target, outcome: "success", diff: diff(result) });
  return result;
}
