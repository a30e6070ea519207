import { describe, expect, it } from "vitest";
import { Prisma } from "../../generated/prisma/client.ts";
import { auditError } from "./audit.ts";
import { ServiceError } from "./ServiceError.ts";

describe("auditError: what the audit log (read by viewers) says about a failure", () => {
  it("keeps a ServiceError's message, reduces anything else to a code", () => {
    expect(auditError(new ServiceError("CONFLICT", "topology was saved by someone else"))).toEqual({ code: "CONFLICT", error: "topology was saved by someone else" });
    const db = new Prisma.PrismaClientKnownRequestError('invalid byte sequence for encoding "UTF8": 0x00 (22021) in INSERT INTO "AuditEvent" ...', { code: "P2010", clientVersion: "7" });
    expect(auditError(db)).toEqual({ code: "DATABASE_P2010", error: "internal error" });
    expect(JSON.stringify(auditError(new Error('relation "User" violates constraint users_pkey')))).not.toContain("User");
  });
});
