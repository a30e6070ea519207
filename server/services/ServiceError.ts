import { serverErrorText, type ServerErrorCode, type ServerErrorReason } from "../../lvs/protocol/errors.ts";
import type { DiagnosticParams } from "../../lvs/formats/diagnostics.ts";

/**
 * Every code a use case may refuse a call with: what it means and the HTTP status it stands for. The
 * tRPC boundary maps each onto its TRPCError code in one table (TRPC_CODES in server/api/trpc.ts);
 * anything that is not a ServiceError (or a domain LvsError) is an internal error, logged, not shown.
 */
export const SERVICE_ERROR_CODES = {
  BAD_REQUEST: { status: 400, meaning: "the input breaks a rule (names the field)" },
  UNAUTHORIZED: { status: 401, meaning: "no valid session" },
  FORBIDDEN: { status: 403, meaning: "the role may not do this" },
  NOT_FOUND: { status: 404, meaning: "what the input names does not exist" },
  CONFLICT: { status: 409, meaning: "the current state forbids it (stale revision, already enrolled...)" },
  PRECONDITION_FAILED: { status: 412, meaning: "a part of this server the call needs is not running (e.g. live statistics)" },
  TOO_MANY_REQUESTS: { status: 429, meaning: "throttled; retry later" },
} as const;

export type ServiceErrorCode = keyof typeof SERVICE_ERROR_CODES;

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
