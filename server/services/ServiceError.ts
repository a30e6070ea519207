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
  constructor(
    readonly code: ServiceErrorCode,
    message: string,
    readonly issues: ServiceIssue[] = [],
  ) {
    super(message);
  }
}
