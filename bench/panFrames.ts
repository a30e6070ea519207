/**
 * Where a frame of the 500-node / 1 000-edge whole-graph pan goes (issue 17): bench:editor's document
 * and pan gesture under a Chromium trace with the compositor's categories, printed as
 *  - frameStats (trace fps, main-thread CPU per frame, script/style/layout/paint/raster), and
 *  - per thread (renderer main, compositor, raster workers, the viz/GPU threads): busy ms per drawn
 *    frame and the slices with the most self time.
 * Production build (LVS_SKIP_BUILD=1 reuses a stale one, as bench:editor), throwaway PGlite.
 *
 * --invalidations records the paint/style/layout invalidations (reasons, nodes) into the trace (--out).
 * --css adds a style sheet to the page before the pan: try a rendering change without a rebuild.
 *
 *   LVS_SKIP_BUILD=1 node --import tsx bench/panFrames.ts [--ms 3000 --top 8 --out trace.json --css '…']
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { chromium } from "@playwright/test";
import { startServer } from "../server/app.ts";
import { sessionCookieFor } from "../server/auth/testing.ts";
import { loadEnv } from "../server/env.ts";
import { pan, trpc } from "./editorPage.ts";
import { benchTopology } from "./editorTopology.ts";
import { frameStats, type TraceEvent } from "./editorTrace.ts";
import { threadTimes } from "./traceThreads.ts";

const ROOT = path.resolve(import.meta.dirname, "..");
const { values: o } = parseArgs({ options: { ms: { type: "string", default: "3000" }, top: { type: "string", default: "8" }, out: { type: "string" }, css: { type: "string" }, invalidations: { type: "boolean", default: false } } });
const CATEGORIES = ["toplevel", "devtools.timeline", "disabled-by-default-devtools.timeline.frame", "cc", "viz", "blink", "v8"];

async function main() {
  if (process.env.LVS_SKIP_BUILD !== "1" && spawnSync(process.execPath, ["scripts/start.mjs", "--build-only"], { cwd: ROOT, stdio: ["ignore", "ignore", "inherit"] }).status !== 0) {
    throw new Error("the UI build failed (scripts/start.mjs --build-only)");
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), "bench-pan-frames-"));
  const env = loadEnv({ DATABASE_URL: `pglite:${path.join(dir, "pglite")}`, LVS_DATA_DIR: dir, LVS_DEMO: "0", LOG_LEVEL: "warn", NODE_ENV: "production" });
  const server = await startServer({ env, port: 0, host: "127.0.0.1", next: true, dev: false });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
  try {
    const cookie = await sessionCookieFor(server.db, "admin");
    const doc = benchTopology(500, 1000);
    const created = (await trpc(server.url, cookie, "topology.create", { name: doc.name })) as { id: string; revision: number };
    await trpc(server.url, cookie, "topology.save", { id: created.id, expectedRevision: created.revision, document: doc, message: "bench" });
    const context = await browser.newContext({ viewport: { width: 1600, height: 1000 }, locale: "en-US" });
    const [name, ...rest] = cookie.split("=");
    await context.addCookies([{ name: name!, value: rest.join("="), url: server.url }]);
    const page = await context.newPage();
    await page.goto(`${server.url}/topology/${created.id}`);
    await page.locator('[data-testid="canvas"] .react-flow__node').first().waitFor({ timeout: 120_000 });
    if (o.css) await page.addStyleTag({ content: o.css });
    await page.waitForTimeout(1000);
    const load0 = os.loadavg()[0]!;
    await browser.startTracing(page, { categories: o.invalidations ? [...CATEGORIES, "disabled-by-default-devtools.timeline.invalidationTracking"] : CATEGORIES });
    await pan(page, Number(o.ms));
    const raw = await browser.stopTracing();
    if (o.out) writeFileSync(o.out, raw);
    const events = (JSON.parse(raw.toString("utf8")) as { traceEvents: TraceEvent[] }).traceEvents;
    const s = frameStats(events);
    const f = (n: number, d = 1) => n.toFixed(d);
    const per = (ms: number) => f(ms / Math.max(1, s.frames));
    const lines = [
      `500-node whole-graph pan, ${o.ms} ms${o.css ? ` (with ${o.css})` : ""}, load ${f(load0, 2)} → ${f(os.loadavg()[0]!, 2)}`,
      `trace ${f(s.fps)} fps (${s.frames} frames, ${s.dropped} dropped, p50/p95 ${f(s.p50Ms)}/${f(s.p95Ms)} ms); main CPU ${per(s.mainCpuMs)} ms/frame;` +
        ` per frame: script ${per(s.breakdown.script)}, style ${per(s.breakdown.style)}, layout ${per(s.breakdown.layout)}, paint ${per(s.breakdown.paint)}, raster ${per(s.breakdown.raster)} ms`,
      "thread: busy ms/frame (CPU) — top self-time slices ms/frame",
      ...threadTimes(events)
        .filter((t) => t.busyMs / Math.max(1, s.frames) >= 0.3)
        .map((t) => `${t.thread}: ${per(t.busyMs)} (${per(t.cpuMs)}) — ${t.self.slice(0, Number(o.top)).map(([n, ms]) => `${n} ${per(ms)}`).join(", ")}`),
    ];
    process.stdout.write(`${lines.join("\n")}\n`);
  } finally {
    await browser.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(() => process.exit(0), (e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
