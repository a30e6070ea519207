import { serverErrorText, type ServerErrorCode, type ServerErrorReason } from "../../lvs/protocol/errors.ts";
import type { DiagnosticParams } from "../../lvs/formats/diagnostics.ts";

/**
 * Errors a use case raises for the caller's mistakes. The tRPC layer maps `code` onto TRPCError codes
 * (server/api/trpc.ts); anything else is an internal error and is logged, not shown.
 */
export type ServiceErrorCode = "NOT_FOUND" | "CONFLICT" | "BAD_REQUEST" | "FORBIDDEN" | "UNAUTHORIZED" | "TOO_MANY_REQUESTS";

export interface ServiceIssue {
  /** dotted path into the input, e.g. "document.memberships.3.serviceId" */
  path: string;
  message: string;
}

export class ServiceError extends Error {
  override name = "ServiceError";
  /** the refusal as a code + params the UI translates (lvs/protocol/errors.ts); set by `refuse` */
  reason: ServerErrorReason | null = null;
  constructor(
    readonly code: ServiceErrorCode,
    message: string,
    readonly issues: ServiceIssue[] = [],
  ) {
    super(message);
  }
}

/** A ServiceError whose English message comes from the code table, with the reason attached. */
export function refuse(code: ServiceErrorCode, reason: ServerErrorCode, params: DiagnosticParams = {}, issues: ServiceIssue[] = []): ServiceError {
  const e = new ServiceError(code, serverErrorText(reason, params), issues);
  e.reason = { code: reason, params };
  return e;
}
