/**
 * Where a frame of the 500-node whole-graph pan goes: a CPU profile (Chrome DevTools protocol) of
 * bench:editor's pan gesture, summarised as self time per function (top 25) and per script.
 *
 *   LVS_SKIP_BUILD=1 node --import tsx bench/editorProfile.ts [--nodes 500 --edges 1000 --ms 3000]
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { chromium } from "@playwright/test";
import { startServer } from "../server/app.ts";
import { sessionCookieFor } from "../server/auth/testing.ts";
import { loadEnv } from "../server/env.ts";
import { pan, trpc } from "./editorPage.ts";
import { benchTopology } from "./editorTopology.ts";

interface ProfileNode { id: number; callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number }; hitCount?: number }
interface Profile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] }

const { values: o } = parseArgs({ options: { nodes: { type: "string", default: "500" }, edges: { type: "string", default: "1000" }, ms: { type: "string", default: "3000" } } });

async function main() {
  const dir = mkdtempSync(path.join(os.tmpdir(), "bench-profile-"));
  const env = loadEnv({ DATABASE_URL: `pglite:${path.join(dir, "pglite")}`, LVS_DATA_DIR: dir, LVS_DEMO: "0", LOG_LEVEL: "warn", NODE_ENV: "production" });
  const server = await startServer({ env, port: 0, host: "127.0.0.1", next: true, dev: false });
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking"] });
  try {
    const cookie = await sessionCookieFor(server.db, "admin");
    const doc = benchTopology(Number(o.nodes), Number(o.edges));
    const created = (await trpc(server.url, cookie, "topology.create", { name: doc.name })) as { id: string; revision: number };
    await trpc(server.url, cookie, "topology.save", { id: created.id, expectedRevision: created.revision, document: doc, message: "bench" });
    const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
    const [name, ...rest] = cookie.split("=");
    await context.addCookies([{ name: name!, value: rest.join("="), url: server.url }]);
    const page = await context.newPage();
    await page.goto(`${server.url}/topology/${created.id}`);
    await page.locator(".react-flow__node").first().waitFor({ timeout: 120_000 });
    await page.waitForTimeout(1000);
    const cdp = await context.newCDPSession(page);
    await cdp.send("Profiler.enable");
    await cdp.send("Profiler.setSamplingInterval", { interval: 200 });
    await cdp.send("Profiler.start");
    await pan(page, Number(o.ms));
    const { profile } = (await cdp.send("Profiler.stop")) as unknown as { profile: Profile };
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    const self = new Map<number, number>();
    profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000));
    const fn = new Map<string, number>();
    const script = new Map<string, number>();
    let total = 0;
    for (const [id, ms] of self) {
      const n = byId.get(id)!;
      const f = n.callFrame;
      const key = `${f.functionName || "(anonymous)"} ${f.url.split("/").pop()}:${f.lineNumber}:${f.columnNumber}`;
      fn.set(key, (fn.get(key) ?? 0) + ms);
      const s = f.url ? f.url.split("/").pop()! : f.functionName;
      script.set(s, (script.get(s) ?? 0) + ms);
      total += ms;
    }
    const top = (m: Map<string, number>, k: number) => [...m].sort((a, b) => b[1] - a[1]).slice(0, k).map(([n, ms]) => `${ms.toFixed(0).padStart(7)} ms  ${n}`);
    process.stdout.write([`profile of a ${o.ms} ms pan, ${total.toFixed(0)} ms sampled, load ${os.loadavg()[0]!.toFixed(2)}`, "by function (self):", ...top(fn, 25), "by script:", ...top(script, 10)].join("\n") + "\n");
  } finally {
    await browser.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(() => process.exit(0), (e: unknown) => { process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`); process.exit(1); });
