// Turns whatever a tRPC call threw into a typed, displayable error: a code from a closed set and the
// server's message. Translation happens in the component (useErrorText), not here.

export const KNOWN_ERROR_CODES = [
  "BAD_REQUEST",
  "CONFLICT",
  "NOT_FOUND",
  "UNAUTHORIZED",
  "FORBIDDEN",
  "TOO_MANY_REQUESTS",
  "INTERNAL_SERVER_ERROR",
] as const;
export type KnownErrorCode = (typeof KNOWN_ERROR_CODES)[number];
export type UiErrorCode = KnownErrorCode | "network" | "unknown";

export interface UiError {
  code: UiErrorCode;
  message: string;
  /** zod field errors when the server's error formatter provides them: field path -> messages */
  fieldErrors: Record<string, string[]>;
  /** the refusal as code + params (lvs/protocol/errors.ts) when the server sent one */
  reason: { code: string; params: Record<string, string | number> } | null;
}

interface TrpcLikeError {
  message?: unknown;
  data?: { code?: unknown; httpStatus?: unknown; zodError?: { fieldErrors?: unknown } | null; reason?: unknown } | null;
  cause?: unknown;
}

function isKnownCode(code: unknown): code is KnownErrorCode {
  return typeof code === "string" && (KNOWN_ERROR_CODES as readonly string[]).includes(code);
}

export function describeTrpcError(error: unknown): UiError {
  if (error == null) return { code: "unknown", message: "", fieldErrors: {}, reason: null };
  const e = error as TrpcLikeError;
  const message = typeof e.message === "string" ? e.message : String(error);
  const data = e.data ?? null;
  const fieldErrors: Record<string, string[]> = {};
  const fe = data?.zodError?.fieldErrors;
  if (fe && typeof fe === "object") {
    for (const [k, v] of Object.entries(fe as Record<string, unknown>)) {
      if (Array.isArray(v)) fieldErrors[k] = v.filter((m): m is string => typeof m === "string");
    }
  }
  const r = data?.reason as { code?: unknown; params?: unknown } | null | undefined;
  const reason = r && typeof r.code === "string" && typeof r.params === "object" && r.params !== null
    ? { code: r.code, params: r.params as Record<string, string | number> }
    : null;
  if (data && isKnownCode(data.code)) return { code: data.code, message, fieldErrors, reason };
  if (data && typeof data.code === "string") return { code: "unknown", message, fieldErrors, reason };
  // no tRPC error shape at all: the request never got an answer (fetch failed, server down, bad JSON)
  return { code: error instanceof TypeError || /fetch|network/i.test(message) ? "network" : "unknown", message, fieldErrors, reason: null };
}
