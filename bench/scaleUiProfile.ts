/**
 * Where the open of a big cluster goes (issue 17, bench:scale's `scale ui:` line): the generated
 * 10 000-service / 50 000-membership topology opened in Chromium against the production build, with
 *  - the phases: navigation → topology.get answered (server time, bytes) → editor mounted → grouped
 *    canvas drawn → idle;
 *  - a CPU profile (Chrome DevTools protocol) of the whole open, summarised as self time per
 *    function (minified names, with a snippet of the code at that position) and per script.
 *
 *   LVS_SKIP_BUILD=1 node --import tsx bench/scaleUiProfile.ts [--services 10000 --per 5 --top 30]
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { chromium } from "@playwright/test";
import { startServer } from "../server/app.ts";
import { sessionCookieFor } from "../server/auth/testing.ts";
import { loadEnv } from "../server/env.ts";
import { trpc } from "./editorPage.ts";
import { scaleTopology } from "./scaleTopology.ts";

interface ProfileNode { id: number; callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number } }
interface Profile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] }

const { values: o } = parseArgs({ options: { services: { type: "string", default: "10000" }, per: { type: "string", default: "5" }, top: { type: "string", default: "30" } } });

async function main() {
  const dir = mkdtempSync(path.join(os.tmpdir(), "bench-open-profile-"));
  const env = loadEnv({ DATABASE_URL: `pglite:${path.join(dir, "pglite")}`, LVS_DATA_DIR: dir, LVS_DEMO: "0", LOG_LEVEL: "warn", NODE_ENV: "production" });
  const server = await startServer({ env, port: 0, host: "127.0.0.1", next: true, dev: false });
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking"] });
  try {
    const cookie = await sessionCookieFor(server.db, "admin");
    const doc = scaleTopology(Number(o.services), Number(o.per));
    const created = (await trpc(server.url, cookie, "topology.create", { name: doc.name })) as { id: string; revision: number };
    await trpc(server.url, cookie, "topology.save", { id: created.id, expectedRevision: created.revision, document: doc, message: "bench" });
    // server side alone: topology.get as the browser calls it
    for (const route of ["topology.get", "topology.open", "topology.get", "topology.open"]) {
      const t0 = performance.now();
      const res = await fetch(`${server.url}/api/trpc/${route}?input=${encodeURIComponent(JSON.stringify({ id: created.id }))}`, { headers: { cookie } });
      const bytes = (await res.arrayBuffer()).byteLength;
      process.stdout.write(`${route} (server + transfer): ${(performance.now() - t0).toFixed(0)} ms, ${(bytes / 1e6).toFixed(1)} MB\n`);
    }
    const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
    const [name, ...rest] = cookie.split("=");
    await context.addCookies([{ name: name!, value: rest.join("="), url: server.url }]);
    const page = await context.newPage();
    // warm: scripts cached, as in bench/scaleUi.ts
    await page.goto(`${server.url}/topologies`);
    await page.waitForLoadState("networkidle");
    const cdp = await context.newCDPSession(page);
    await cdp.send("Profiler.enable");
    await cdp.send("Profiler.setSamplingInterval", { interval: 500 });
    await cdp.send("Profiler.start");
    const t0 = Date.now();
    const got = page.waitForResponse((r) => /topology\.(get|open)/.test(r.url()), { timeout: 300_000 }).then(() => Date.now() - t0);
    await page.goto(`${server.url}/topology/${created.id}`);
    const editor = page.getByTestId("topology-editor").waitFor({ timeout: 300_000 }).then(() => Date.now() - t0);
    await page.locator('[data-testid="canvas"] .react-flow__node').first().waitFor({ timeout: 300_000 });
    const drawn = Date.now() - t0;
    await page.evaluate(() => new Promise<void>((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0))));
    const idle = Date.now() - t0;
    const { profile } = (await cdp.send("Profiler.stop")) as unknown as { profile: Profile };
    process.stdout.write(`open: topology.get answered ${await got} ms, editor ${await editor} ms, canvas drawn ${drawn} ms, idle ${idle} ms; load ${os.loadavg()[0]!.toFixed(2)}\n`);
    // the page's own clock (Navigation and Resource Timing, ms after the navigation started): when the
    // document arrived, when each API request was sent, answered and read, and the JS chunks fetched
    const timing = await page.evaluate(() => {
      const nav = performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming;
      const res = (performance.getEntriesByType("resource") as PerformanceResourceTiming[]).map((r) => ({
        name: r.name.replace(location.origin, "").slice(0, 70), start: r.startTime, sent: r.requestStart, first: r.responseStart, end: r.responseEnd, bytes: r.encodedBodySize,
      }));
      return { html: nav.responseEnd, dcl: nav.domContentLoadedEventEnd, load: nav.loadEventEnd, res };
    });
    const f = (n: number) => n.toFixed(0).padStart(5);
    process.stdout.write(`page clock: html ${f(timing.html)} ms, DOMContentLoaded ${f(timing.dcl)}, load ${f(timing.load)}\n`);
    for (const r of timing.res.filter((x) => x.name.startsWith("/api/") || x.end - x.start > 20))
      process.stdout.write(`  ${f(r.start)} → sent ${f(r.sent)} first byte ${f(r.first)} end ${f(r.end)}  ${(r.bytes / 1e3).toFixed(0).padStart(6)} kB  ${r.name}\n`);

    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    const self = new Map<number, number>();
    profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000));
    const fn = new Map<string, { ms: number; f: ProfileNode["callFrame"] }>();
    const script = new Map<string, number>();
    let total = 0;
    for (const [id, ms] of self) {
      const f = byId.get(id)!.callFrame;
      const key = `${f.functionName || "(anon)"} ${f.url.split("/").pop()}:${f.lineNumber}:${f.columnNumber}`;
      const e = fn.get(key) ?? { ms: 0, f };
      e.ms += ms;
      fn.set(key, e);
      const s = f.url ? f.url.split("/").pop()! : f.functionName;
      script.set(s, (script.get(s) ?? 0) + ms);
      total += ms;
    }
    const sources = new Map<string, string>();
    const snippet = async (f: ProfileNode["callFrame"]) => {
      if (!f.url.startsWith("http")) return "";
      if (!sources.has(f.url)) sources.set(f.url, await (await fetch(f.url)).text());
      const line = sources.get(f.url)!.split("\n")[f.lineNumber] ?? "";
      return line.slice(f.columnNumber, f.columnNumber + 110).replace(/\s+/g, " ");
    };
    const lines = [`profile of the open, ${total.toFixed(0)} ms sampled`, "by function (self):"];
    for (const [k, e] of [...fn].sort((a, b) => b[1].ms - a[1].ms).slice(0, Number(o.top))) {
      lines.push(`${e.ms.toFixed(0).padStart(7)} ms  ${k}  ${await snippet(e.f)}`);
    }
    lines.push("by script:", ...[...script].sort((a, b) => b[1] - a[1]).slice(0, 10).map(([n, ms]) => `${ms.toFixed(0).padStart(7)} ms  ${n}`));
    process.stdout.write(lines.join("\n") + "\n");
  } finally {
    await browser.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(() => process.exit(0), (e: unknown) => { process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`); process.exit(1); });
