/**
 * bench:editor — the topology editor at the issue's scale goal (500 nodes, 1 000 edges) in Chromium:
 *  - first load: time to a rendered canvas, and the JavaScript the page loaded (resource timing:
 *    bytes on the wire and decoded);
 *  - pan and zoom frame rate from a Chromium performance trace (compositor DrawFrame events, main
 *    thread tasks > 50 ms), cross-checked with a requestAnimationFrame counter in the page; once with
 *    the whole graph in view (fit view: everything rendered) and once at zoom 1 (culled by
 *    onlyRenderVisibleElements);
 *  - a field edit in the inspector: input event → the node's ipvsadm line updated (in-page clock).
 *
 * Runs the production build (scripts/start.mjs --build-only rebuilds it when sources changed; set
 * LVS_SKIP_BUILD=1 to reuse a stale one) on an ephemeral port with a throwaway PGlite database, signed
 * in with a test session. Options: --nodes N --edges N --ms N (per interaction) --json.
 *
 *   npm run bench:editor
 */
import os from "node:os";
import { parseArgs } from "node:util";
import type { Page } from "@playwright/test";
import { benchTopology } from "./editorTopology.ts";
import { measure, pan, trpc, zoom, type Measured } from "./editorPage.ts";
import { startBenchConsole } from "./benchConsole.ts";

const { values: opts } = parseArgs({
  options: {
    nodes: { type: "string", default: "500" },
    edges: { type: "string", default: "1000" },
    ms: { type: "string", default: "3000" },
    json: { type: "boolean", default: false },
  },
});
const intArg = (name: string, v: string, min: number, max: number) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new RangeError(`--${name} ${v}: must be an integer in ${min}..${max}`);
  return n;
};
const NODES = intArg("nodes", opts.nodes, 10, 20_000);
const EDGES = intArg("edges", opts.edges, 10, 50_000);
const MS = intArg("ms", opts.ms, 500, 60_000);

function log(s: string) {
  process.stderr.write(`[bench:editor] ${s}\n`);
}

async function focusBySearch(page: Page, query: string, id: string) {
  await page.getByTestId("search").fill(query);
  await page.getByTestId(`search-hit-${id}`).click();
  await page.getByTestId(`node-${id}`).waitFor();
  await page.waitForTimeout(500); // the focus animation
}

async function editLatency(page: Page, serviceId: string): Promise<number[]> {
  await page.getByTestId("inspector-object").and(page.locator(`[data-object="${serviceId}"]`)).waitFor();
  await page.getByTestId("inspector-field-port").waitFor();
  const out: number[] = [];
  for (let i = 0; i < 7; i++) {
    const port = String(8000 + i);
    out.push(
      await page.evaluate(
        ({ id, port }) =>
          new Promise<number>((resolve, reject) => {
            const line = document.querySelector(`[data-testid="node-${id}-line"]`)!;
            const input = document.querySelector<HTMLInputElement>('[data-testid="inspector-field-port"]')!;
            const t0 = performance.now();
            const obs = new MutationObserver(() => {
              if (!line.textContent?.includes(`:${port} `)) return;
              obs.disconnect();
              requestAnimationFrame(() => resolve(performance.now() - t0));
            });
            obs.observe(line, { characterData: true, childList: true, subtree: true });
            setTimeout(() => reject(new Error(`node ${id} did not show port ${port} within 5 s`)), 5000);
            Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, "value")!.set!.call(input, port);
            input.dispatchEvent(new Event("input", { bubbles: true }));
          }),
        { id: serviceId, port },
      ),
    );
  }
  return out;
}

async function main() {
  if (process.env.LVS_SKIP_BUILD !== "1") log("checking the production build (rebuilds when sources changed)");
  const { server, browser, cookie, close } = await startBenchConsole("editor");
  try {
    const doc = benchTopology(NODES, EDGES);
    const created = (await trpc(server.url, cookie, "topology.create", { name: doc.name })) as { id: string; revision: number };
    await trpc(server.url, cookie, "topology.save", { id: created.id, expectedRevision: created.revision, document: doc, message: "bench" });
    const jsonBytes = Buffer.byteLength(JSON.stringify(doc));

    const context = await browser.newContext({ viewport: { width: 1600, height: 1000 }, locale: "en-US" });
    const [name, ...rest] = cookie.split("=");
    await context.addCookies([{ name: name!, value: rest.join("="), url: server.url }]);
    const page = await context.newPage();
    const t0 = Date.now();
    await page.goto(`${server.url}/topology/${created.id}`);
    await page.getByTestId("topology-editor").waitFor({ timeout: 120_000 });
    await page.locator(".react-flow__node").first().waitFor({ timeout: 120_000 });
    const loadMs = Date.now() - t0;
    await page.waitForTimeout(500);
    const js = await page.evaluate(() => {
      const scripts = performance.getEntriesByType("resource").filter((e) => (e as PerformanceResourceTiming).initiatorType === "script" || /\.js(\?|$)/.test(e.name)) as PerformanceResourceTiming[];
      return { files: scripts.length, transferBytes: scripts.reduce((a, e) => a + e.transferSize, 0), decodedBytes: scripts.reduce((a, e) => a + e.decodedBodySize, 0) };
    });

    const fitPan = await measure(page, "pan, fit view (whole graph)", pan, MS);
    const fitZoom = await measure(page, "zoom, fit view (whole graph)", zoom, MS);
    // the search box focuses one service at zoom 1.2: most of the graph is off screen
    await focusBySearch(page, "10.100.0.1", "svc-1");
    const closePan = await measure(page, "pan, zoom 1.2 (culled)", pan, MS);
    await focusBySearch(page, "10.100.0.1", "svc-1");
    const edits = await editLatency(page, "svc-1");
    const editSorted = [...edits].sort((a, b) => a - b);

    const result = {
      nodes: NODES, edges: EDGES, documentJsonBytes: jsonBytes, loadMs, firstLoadJs: js,
      interactions: [fitPan, fitZoom, closePan], fieldEditMs: { median: editSorted[Math.floor(editSorted.length / 2)]!, max: editSorted.at(-1)!, all: edits },
      chromium: browser.version(),
      machine: { cpus: os.cpus().length, loadAvg1m: os.loadavg()[0]! },
    };
    if (opts.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    else print(result);
  } finally {
    await close();
  }
}

function print(r: {
  nodes: number; edges: number; documentJsonBytes: number; loadMs: number; firstLoadJs: { files: number; transferBytes: number; decodedBytes: number };
  interactions: Measured[]; fieldEditMs: { median: number; max: number }; chromium: string;
  machine: { cpus: number; loadAvg1m: number };
}) {
  const kb = (b: number) => `${(b / 1024).toFixed(0)} KiB`;
  const f = (n: number, d = 1) => n.toFixed(d);
  const lines = [
    `topology editor, ${r.nodes} nodes / ${r.edges} edges (document ${kb(r.documentJsonBytes)} JSON), Chromium ${r.chromium}, 1600×1000, --disable-gpu`,
    `machine: ${r.machine.cpus} CPUs, load average ${f(r.machine.loadAvg1m, 2)} (figures in wall time suffer on a loaded machine; CPU ms per frame less so)`,
    `first load: canvas rendered in ${r.loadMs} ms; JavaScript ${r.firstLoadJs.files} files, ${kb(r.firstLoadJs.transferBytes)} transferred, ${kb(r.firstLoadJs.decodedBytes)} decoded`,
    "interaction                       rendered n/e   trace fps  dropped  frame p50/p95/max ms   long tasks (max ms)   rAF fps  rAF p95 ms",
    ...r.interactions.flatMap((i) => [
      `${i.label.padEnd(33)} ${`${i.rendered.nodes}/${i.rendered.edges}`.padStart(12)}   ${f(i.trace.fps).padStart(9)}  ${String(i.trace.dropped).padStart(7)}  ${`${f(i.trace.p50Ms)}/${f(i.trace.p95Ms)}/${f(i.trace.maxMs)}`.padStart(19)}   ${`${i.trace.longTasks} (${f(i.trace.longestTaskMs, 0)})`.padStart(19)}   ${f(i.raf.fps).padStart(6)}  ${f(i.raf.p95Ms).padStart(10)}`,
      `${"".padEnd(33)} main thread busy ${f(i.trace.mainBusyMs, 0)} ms (CPU ${f(i.trace.mainCpuMs, 0)} ms, ${f(i.trace.mainCpuMs / Math.max(1, i.trace.frames))} ms/frame) of ${f(i.trace.windowMs, 0)} ms;` +
        ` script ${f(i.trace.breakdown.script, 0)}, style ${f(i.trace.breakdown.style, 0)}, layout ${f(i.trace.breakdown.layout, 0)}, paint ${f(i.trace.breakdown.paint, 0)}, raster ${f(i.trace.breakdown.raster, 0)} ms`,
    ]),
    `field edit (inspector input → node line updated, next frame): median ${f(r.fieldEditMs.median)} ms, max ${f(r.fieldEditMs.max)} ms`,
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`bench:editor failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
