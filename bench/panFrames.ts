/**
 * Where a frame of the 500-node / 1 000-edge whole-graph pan goes (issue 17): bench:editor's document
 * and pan gesture under a Chromium trace with the compositor's categories, printed as
 *  - frameStats (trace fps, main-thread CPU per frame, script/style/layout/paint/raster), and
 *  - per thread (renderer main, compositor, raster workers, the viz/GPU threads): busy ms per drawn
 *    frame and the slices with the most self time.
 * Production build (LVS_SKIP_BUILD=1 reuses a stale one, as bench:editor), throwaway PGlite.
 *
 * --invalidations records the paint/style/layout invalidations (reasons, nodes) into the trace (--out).
 * --css adds a style sheet to the page before the pan: try a rendering change without a rebuild;
 * --js runs a script in the page before the pan (e.g. an event listener) for the same purpose.
 *
 *   LVS_SKIP_BUILD=1 node --import tsx bench/panFrames.ts [--ms 3000 --top 8 --out trace.json --css '…' --js '…']
 */
import { writeFileSync } from "node:fs";
import os from "node:os";
import { parseArgs } from "node:util";
import { pan, trpc } from "./editorPage.ts";
import { startBenchConsole } from "./benchConsole.ts";
import { benchTopology } from "./editorTopology.ts";
import { frameStats, type TraceEvent } from "./editorTrace.ts";
import { threadTimes } from "./traceThreads.ts";

const { values: o } = parseArgs({ options: { ms: { type: "string", default: "3000" }, top: { type: "string", default: "8" }, out: { type: "string" }, css: { type: "string" }, js: { type: "string" }, invalidations: { type: "boolean", default: false } } });
const CATEGORIES = ["toplevel", "devtools.timeline", "disabled-by-default-devtools.timeline.frame", "cc", "viz", "blink", "v8"];

async function main() {
  const { server, browser, cookie, close } = await startBenchConsole("pan-frames");
  try {
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
    if (o.js) await page.evaluate(o.js);
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
      `500-node whole-graph pan, ${o.ms} ms${o.css ? ` (with ${o.css})` : ""}${o.js ? ` (after ${o.js})` : ""}, load ${f(load0, 2)} → ${f(os.loadavg()[0]!, 2)}`,
      `trace ${f(s.fps)} fps (${s.frames} frames, ${s.dropped} dropped, p50/p95 ${f(s.p50Ms)}/${f(s.p95Ms)} ms); main CPU ${per(s.mainCpuMs)} ms/frame;` +
        ` per frame: script ${per(s.breakdown.script)}, style ${per(s.breakdown.style)}, layout ${per(s.breakdown.layout)}, paint ${per(s.breakdown.paint)}, raster ${per(s.breakdown.raster)} ms`,
      "thread: busy ms/frame (CPU) — top self-time slices ms/frame",
      ...threadTimes(events)
        .filter((t) => t.busyMs / Math.max(1, s.frames) >= 0.3)
        .map((t) => `${t.thread}: ${per(t.busyMs)} (${per(t.cpuMs)}) — ${t.self.slice(0, Number(o.top)).map(([n, ms]) => `${n} ${per(ms)}`).join(", ")}`),
    ];
    process.stdout.write(`${lines.join("\n")}\n`);
  } finally {
    await close();
  }
}

main().then(() => process.exit(0), (e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
