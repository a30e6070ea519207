/**
 * /metrics names directors, VIPs and backends: it can require a bearer token (LVS_METRICS_TOKEN) and/or
 * move to its own listen address (LVS_METRICS_LISTEN), keeping node_exporter's metric names.
 */
import { afterAll, describe, expect, it } from "vitest";
import { startServer, type RunningServer } from "./app.ts";
import { loadEnv } from "./env.ts";

const base = { DATABASE_URL: "pglite:memory", LOG_LEVEL: "silent", LVS_NEXT: "0", PORT: "0", HOST: "127.0.0.1", LVS_DEMO: "0" };

describe("/metrics access", () => {
  const servers: RunningServer[] = [];
  afterAll(async () => {
    for (const s of servers) await s.close();
  });

  it("LVS_METRICS_TOKEN: only a scrape with the bearer token gets the metrics", async () => {
    const s = await startServer({ env: loadEnv({ ...base, LVS_METRICS_TOKEN: "scrape-secret-0123456789" }) });
    servers.push(s);
    const none = await fetch(`${s.url}/metrics`);
    expect(none.status).toBe(401);
    expect(none.headers.get("www-authenticate")).toMatch(/^Bearer/);
    expect(await none.text()).not.toContain("lvs_director_up");
    expect((await fetch(`${s.url}/metrics`, { headers: { authorization: "Bearer wrong" } })).status).toBe(401);
    const ok = await fetch(`${s.url}/metrics`, { headers: { authorization: "Bearer scrape-secret-0123456789" } });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain("# TYPE");
  }, 120_000);

  it("LVS_METRICS_LISTEN: metrics only on their own address, not on the console's port", async () => {
    const s = await startServer({ env: loadEnv({ ...base, LVS_METRICS_LISTEN: "127.0.0.1:0" }) });
    servers.push(s);
    expect((await fetch(`${s.url}/metrics`)).status).toBe(404);
    expect(s.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const ok = await fetch(`${s.metricsUrl}/metrics`);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain("# TYPE");
    expect((await fetch(`${s.metricsUrl}/api/trpc/auth.status`)).status).toBe(404);
  }, 120_000);

  it("bad values stop the server at start naming the variable", () => {
    expect(() => loadEnv({ ...base, LVS_METRICS_LISTEN: "nowhere" })).toThrow(/LVS_METRICS_LISTEN/);
    expect(() => loadEnv({ ...base, LVS_METRICS_TOKEN: "short" })).toThrow(/LVS_METRICS_TOKEN/);
  });
});
