import { describe, expect, it } from "vitest";
import { EnvError, loadEnv } from "./env.ts";

describe("loadEnv", () => {
  it("has defaults for everything", () => {
    expect(loadEnv({})).toEqual({ NODE_ENV: "production", PORT: 3000, HOST: "0.0.0.0", LOG_LEVEL: "info", LVS_DEMO: true, LVS_DATA_DIR: ".data", LVS_NEXT: true, LVS_TRUST_PROXY: false, LVS_STATS_RETENTION_HOURS: 48, LVS_HEALTH_RETENTION_DAYS: 400 });
  });

  it("parses values and treats empty strings as unset", () => {
    const env = loadEnv({ PORT: "8080", HOST: "127.0.0.1", DATABASE_URL: "postgres://u@127.0.0.1:5432/db", LOG_LEVEL: "debug", LVS_DEMO: "0", LVS_NEXT: "0", LVS_DATA_DIR: "/var/lib/lvs", NODE_ENV: "" });
    expect(env).toMatchObject({ PORT: 8080, HOST: "127.0.0.1", DATABASE_URL: "postgres://u@127.0.0.1:5432/db", LOG_LEVEL: "debug", LVS_DEMO: false, LVS_NEXT: false, LVS_DATA_DIR: "/var/lib/lvs", NODE_ENV: "production" });
    expect(loadEnv({ DATABASE_URL: "pglite:/tmp/x" }).DATABASE_URL).toBe("pglite:/tmp/x");
  });

  it("fails fast naming every bad variable", () => {
    let err: unknown;
    try {
      loadEnv({ PORT: "70000", LOG_LEVEL: "loud", DATABASE_URL: "mysql://x", LVS_DEMO: "yes" });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(EnvError);
    const msg = (err as Error).message;
    expect(msg).toContain('PORT="70000": must be 0..65535');
    expect(msg).toContain('LOG_LEVEL="loud": must be one of fatal, error');
    expect(msg).toContain('DATABASE_URL="mysql://x": must be postgres://');
    expect(msg).toContain('LVS_DEMO="yes": must be 0 or 1');
    expect(() => loadEnv({ PORT: "abc" })).toThrow(/PORT="abc": must be a number/);
    expect(loadEnv({ LVS_HEALTH_RETENTION_DAYS: "30" }).LVS_HEALTH_RETENTION_DAYS).toBe(30);
    expect(() => loadEnv({ LVS_HEALTH_RETENTION_DAYS: "0" })).toThrow(/LVS_HEALTH_RETENTION_DAYS="0": must be at least 1 day/);
  });
});
