/**
 * tRPC setup: context, error shape, procedure builders.
 * Error shape: { message, code, data: { code, httpStatus, path, zodError, issues } } -- never a stack.
 * Input that fails a schema is BAD_REQUEST with `zodError` (z.flattenError) and `issues` (dotted paths);
 * ServiceErrors map to their code; anything else is INTERNAL_SERVER_ERROR with a generic message.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { initTRPC, TRPCError } from "@trpc/server";
import { z, ZodError } from "zod";
import type { Database } from "../db/openDatabase.ts";
import type { EventBus } from "../events/EventBus.ts";
import type { Logger } from "../log.ts";
import type { LiveApi } from "../live/liveApi.ts";
import type { AgentRelease } from "../agentDownloads.ts";
import { can, requiredRole, type Action, type Role } from "../../lvs/auth/permissions.ts";
import type { SessionInfo } from "../auth/session.ts";
import { recordAudit, type AuditActor } from "../services/audit.ts";
import { refuse, ServiceError, type ServiceErrorCode, type ServiceIssue } from "../services/ServiceError.ts";
import type { DeployDeps } from "../services/deploy/types.ts";
import { LvsError } from "../../lvs/errors.ts";
import { inputProblem } from "./inputGuard.ts";
import type { LoginLimits } from "../auth/loginLimiter.ts";

export type { Role };

export interface Context {
  db: Database;
  bus: EventBus;
  log: Logger;
  session: SessionInfo | null;
  /** client address as seen by the server (for audit) */
  ip: string | null;
  /** injected clock (ms since epoch) */
  now: () => number;
  /** the HTTP exchange (set cookies on `res`); absent for createCaller and other in-process calls */
  http?: { req: IncomingMessage; res: ServerResponse };
  /** live statistics (history, connection tables, availability); absent when the live runtime is not started */
  live?: LiveApi;
  /** the enroll dialog's install command: LVS_PUBLIC_URL and the agent build the console serves; absent in-process */
  install?: { publicUrl: string | null; release(): AgentRelease | null };
  /** sign-in tuning (tests): password verifier, limits */
  auth?: AuthOptions;
}

export interface AuthOptions {
  verify?: (hash: string, password: string) => Promise<boolean>;
  limits?: LoginLimits;
}

const MAX_ISSUES = 50;

function zodIssues(err: ZodError): ServiceIssue[] {
  return err.issues.slice(0, MAX_ISSUES).map((i) => ({ path: i.path.map(String).join("."), message: i.message }));
}

/** "document.directors.0.name: Too big: ... (and 2 more issues)" */
function zodSummary(err: ZodError): string {
  const first = err.issues[0];
  if (!first) return "invalid input";
  const where = first.path.length ? first.path.map(String).join(".") : "input";
  const more = err.issues.length > 1 ? ` (and ${err.issues.length - 1} more issue${err.issues.length > 2 ? "s" : ""})` : "";
  return `${where}: ${first.message}${more}`;
}

/** Procedure metadata: the permission an authed procedure checks, or `public` for the few anonymous ones. */
export interface ProcedureMeta {
  action?: Action;
  public?: boolean;
}

const t = initTRPC.context<Context>().meta<ProcedureMeta>().create({
  isDev: false,
  errorFormatter({ shape, error }) {
    const zodError = error.cause instanceof ZodError ? error.cause : null;
    const serviceError = error.cause instanceof ServiceError ? error.cause : null;
    const internal = error.code === "INTERNAL_SERVER_ERROR";
    return {
      message: internal ? "internal error" : zodError ? zodSummary(zodError) : shape.message,
      code: shape.code,
      data: {
        code: shape.data.code,
        httpStatus: shape.data.httpStatus,
        path: shape.data.path ?? null,
        zodError: zodError ? z.flattenError(zodError) : null,
        issues: zodError ? zodIssues(zodError) : (serviceError?.issues ?? []),
        /** the refusal as code + params for the UI's language (lvs/protocol/errors.ts), when the server has one */
        reason: internal ? null : (serviceError?.reason ?? null),
      },
    };
  },
});

/** The one place ServiceError codes (SERVICE_ERROR_CODES) become tRPC codes; a new code fails the type check until mapped. */
export const TRPC_CODES = {
  BAD_REQUEST: "BAD_REQUEST",
  UNAUTHORIZED: "UNAUTHORIZED",
  FORBIDDEN: "FORBIDDEN",
  NOT_FOUND: "NOT_FOUND",
  CONFLICT: "CONFLICT",
  PRECONDITION_FAILED: "PRECONDITION_FAILED",
  TOO_MANY_REQUESTS: "TOO_MANY_REQUESTS",
} as const satisfies Record<ServiceErrorCode, TRPCError["code"]>;

/** Maps ServiceError, the domain's LvsError (and input ZodErrors thrown by services) onto TRPCError codes. */
const errorMapping = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok) {
    const cause = result.error.cause;
    if (cause instanceof ServiceError) {
      result.error = new TRPCError({ code: TRPC_CODES[cause.code], message: cause.message, cause });
    } else if (cause instanceof LvsError) {
      // the domain refused the call (a dangling reference, a duplicate key...): the caller's input, not a crash
      const message = `${cause.code}: ${cause.message}`;
      result.error = new TRPCError({ code: "BAD_REQUEST", message, cause: new ServiceError("BAD_REQUEST", message) });
    } else if (cause instanceof ZodError && result.error.code === "INTERNAL_SERVER_ERROR") {
      result.error = new TRPCError({ code: "BAD_REQUEST", message: cause.issues[0]?.message ?? "invalid input", cause });
    }
  }
  return result;
});

/**
 * Refuses, before any schema, input with a NUL byte anywhere or nested absurdly deep (server/api/inputGuard.ts):
 * BAD_REQUEST with the offending path, like a schema error.
 */
const inputGuard = t.middleware(async ({ getRawInput, next }) => {
  const raw = await getRawInput().catch(() => undefined);
  const problem = inputProblem(raw);
  if (problem) {
    throw new TRPCError({
      code: "BAD_REQUEST",
      message: `${problem.path || "input"}: ${problem.message}`,
      cause: new ServiceError("BAD_REQUEST", `${problem.path || "input"}: ${problem.message}`, [{ path: problem.path, message: problem.message }]),
    });
  }
  return next();
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;
/**
 * Anonymous procedures: ONLY sign-in, first-run setup and session status (server/api/routers/auth.ts).
 * Everything else is `authedProcedure(action)`; server/api/gate.test.ts fails for any procedure an
 * anonymous caller can reach that is not on its short public list.
 */
export const publicProcedure = t.procedure.use(errorMapping).use(inputGuard).meta({ public: true });

/** What a use case needs from the request: database, event bus, log and clock. */
export function serviceDeps(ctx: Pick<Context, "db" | "bus" | "log" | "now">): DeployDeps {
  return { db: ctx.db, bus: ctx.bus, log: ctx.log, now: ctx.now };
}

/** Who an audit row names for this request: the session's user and the client address. */
export function auditActor(ctx: Pick<Context, "session" | "ip">): AuditActor {
  return { actor: ctx.session?.email ?? "anonymous", userId: ctx.session?.userId ?? null, sourceIp: ctx.ip };
}

/** What a refused call aimed at, from its raw (unvalidated) input: "topology:<id>" and the like, else "-". */
function deniedTarget(path: string, raw: unknown): string {
  if (!raw || typeof raw !== "object") return "-";
  const input = raw as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === "string" && v.length > 0 && v.length <= 128 ? v : null);
  const topologyId = str(input.topologyId);
  if (topologyId) return `topology:${topologyId}`;
  const id = str(input.id);
  if (id) return `${path.split(".")[0]}:${id}`;
  const email = str(input.email);
  return email ? `user:${email.toLowerCase()}` : "-";
}

/**
 * A procedure that needs a session whose role may do `action` (lvs/auth/permissions.ts):
 * no session -> UNAUTHORIZED (401); a role below the action's -> FORBIDDEN (403), and a refused
 * mutation is audited as "denied". Inside, `ctx.session` is non-null.
 */
export function authedProcedure(action: Action) {
  return t.procedure
    .use(errorMapping)
    .use(inputGuard)
    .meta({ action })
    .use(async ({ ctx, type, path, getRawInput, next }) => {
      const session = ctx.session;
      if (!session) throw new TRPCError({ code: TRPC_CODES.UNAUTHORIZED, message: "sign in first", cause: refuse("UNAUTHORIZED", "auth.sign-in-first") });
      if (!can(session.role, action)) {
        const needs = requiredRole(action);
        if (type === "mutation") {
          const target = deniedTarget(path, await getRawInput().catch(() => undefined));
          await recordAudit(ctx.db, auditActor(ctx), { action: path, target, outcome: "denied", diff: { needs, role: session.role } });
        }
        const reason = refuse("FORBIDDEN", "auth.role-required", { path, needs, role: session.role });
        throw new TRPCError({ code: TRPC_CODES[reason.code], message: reason.message, cause: reason });
      }
      return next({ ctx: { ...ctx, session } });
    });
}
