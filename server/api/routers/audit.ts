/** The audit log, read-only: there is deliberately no procedure that updates or deletes a row. */
import { z } from "zod";
import { listAudit } from "../../services/auditLog.ts";
import { authedProcedure, router } from "../trpc.ts";

export const auditRouter = router({
  list: authedProcedure("audit.read")
    .input(
      z
        .object({
          userId: z.string().max(64).optional(),
          actor: z.string().trim().max(320).optional(),
          action: z.string().trim().max(128).optional(),
          target: z.string().trim().max(512).optional(),
          outcome: z.enum(["success", "failure", "denied"]).optional(),
          from: z.number().int().nonnegative().optional(),
          to: z.number().int().nonnegative().optional(),
          cursor: z.string().regex(/^\d{1,19}$/, "cursor is a row id").optional(),
          limit: z.number().int().min(1).max(200).default(50),
        })
        .default({ limit: 50 }),
    )
    .query(({ ctx, input }) => listAudit(ctx.db, input)),
});
