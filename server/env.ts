import { z } from "zod";
import { LOG_LEVELS } from "./log.ts";

/** PostgreSQL url, or `pglite:<dir>` / `pglite:memory` for the embedded database. */
const databaseUrl = z
  .string()
  .max(2048)
  .refine((s) => /^postgres(ql)?:\/\//.test(s) || /^pglite:.+/.test(s), {
    message: "must be postgres://user@host:port/db, postgresql://..., pglite:<dir> or pglite:memory",
  });

const flag = (dflt: "0" | "1") =>
  z.enum(["0", "1"], { message: "must be 0 or 1" }).default(dflt).transform((v) => v === "1");

export const envSchema = z.object({
  NODE_ENV: z.string().max(32).default("production"),
  PORT: z.coerce.number({ message: "must be a number" }).int("must be an integer").min(0, "must be 0..65535").max(65535, "must be 0..65535").default(3000),
  HOST: z.string().min(1).max(255).default("0.0.0.0"),
  DATABASE_URL: databaseUrl.optional(),
  LOG_LEVEL: z.enum(LOG_LEVELS, { message: `must be one of ${LOG_LEVELS.join(", ")}` }).default("info"),
  /** seed and run the demo topology (used by the demo work) */
  LVS_DEMO: flag("1"),
  /** where the embedded database and other local state live */
  LVS_DATA_DIR: z.string().min(1).max(1024).default(".data"),
  /** 0 = serve only the API, WebSockets and /healthz (no Next); useful for tests and headless use */
  LVS_NEXT: flag("1"),
  /** 1 = behind a reverse proxy: the client address (audit log, sign-in limits) is the last X-Forwarded-For hop */
  LVS_TRUST_PROXY: flag("0"),
  /** bearer token /metrics requires (Prometheus `authorization: { credentials: ... }`); unset = open */
  LVS_METRICS_TOKEN: z.string().min(16, "must be at least 16 characters").max(512).regex(/^[\x21-\x7e]+$/, "printable characters without spaces").optional(),
  /** host:port where /metrics is served instead of the console's port (e.g. 127.0.0.1:9105) */
  LVS_METRICS_LISTEN: z.string().max(300).regex(/^(\[[0-9a-fA-F:.]+\]|[^:\s[\]]+):\d{1,5}$/, "must be host:port, e.g. 127.0.0.1:9105 or [::1]:9105").optional(),
  /** the console's URL as directors reach it (the enroll dialog's install command); default: what the browser used */
  LVS_PUBLIC_URL: z
    .string()
    .max(2048)
    .refine((u) => {
      try {
        const url = new URL(u);
        return (url.protocol === "http:" || url.protocol === "https:") && !url.search && !url.hash && !url.username && !url.password;
      } catch {
        return false;
      }
    }, { message: "must be an http:// or https:// URL without query, fragment or credentials, e.g. https://lvs.example.com" })
    .transform((u) => u.replace(/\/+$/, ""))
    .optional(),
  /** how long per-minute statistics rollups are kept (hours; pruned every 10 minutes) */
  LVS_STATS_RETENTION_HOURS: z.coerce
    .number({ message: "must be a number of hours" })
    .int("must be a whole number of hours")
    .min(1, "must be at least 1 hour")
    .max(24 * 400, "must be at most 9600 hours (400 days)")
    .default(48),
  /** how long health transitions (availability history) are kept (days); each real server's latest always stays */
  LVS_HEALTH_RETENTION_DAYS: z.coerce
    .number({ message: "must be a number of days" })
    .int("must be a whole number of days")
    .min(1, "must be at least 1 day")
    .max(3650, "must be at most 3650 days (10 years)")
    .default(400),
});

export type Env = z.output<typeof envSchema>;

export class EnvError extends Error {
  override name = "EnvError";
}

/** Parse and validate the environment; throws EnvError naming every bad variable. Empty strings count as unset. */
export function loadEnv(source: Record<string, string | undefined> = process.env): Env {
  const picked: Record<string, string> = {};
  for (const key of Object.keys(envSchema.shape)) {
    const v = source[key];
    if (v !== undefined && v !== "") picked[key] = v;
  }
  const r = envSchema.safeParse(picked);
  if (!r.success) {
    const lines = r.error.issues.map((i) => `  ${i.path.join(".")}=${JSON.stringify(picked[String(i.path[0])] ?? "")}: ${i.message}`);
    throw new EnvError(`invalid environment:\n${lines.join("\n")}`);
  }
  return r.data;
}
