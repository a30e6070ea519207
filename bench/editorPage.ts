/**
 * Browser-side measuring shared by bench:editor and bench:scale's UI line: pan and zoom gestures, a
 * Chromium trace around them (compositor frames, main-thread work) cross-checked with a
 * requestAnimationFrame counter, and a tRPC call helper for setting up documents.
 */
import type { Page } from "@playwright/test";
import { frameStats, type TraceEvent } from "./editorTrace.ts";

export async function trpc(url: string, cookie: string, route: string, input: unknown): Promise<unknown> {
  const res = await fetch(`${url}/api/trpc/${route}`, { method: "POST", headers: { "content-type": "application/json", cookie }, body: JSON.stringify(input) });
  const body = (await res.json()) as { result?: { data?: unknown }; error?: { message?: string } };
  if (body.error) throw new Error(`${route}: ${body.error.message ?? res.status}`);
  return body.result?.data;
}

/** Starts a rAF counter in the page; RAF_STOP returns the frame timestamps (ms). Strings: tsx would wrap named functions. */
const RAF_START = `(() => {
  window.__rafTimes = [];
  window.__rafOn = true;
  const tick = (t) => { window.__rafTimes.push(t); if (window.__rafOn) requestAnimationFrame(tick); };
  requestAnimationFrame(tick);
})()`;
const RAF_STOP = `(() => { window.__rafOn = false; return window.__rafTimes; })()`;

/** A USB mouse reports its moves at 125 Hz (gaming mice 500-1 000 Hz): one every 8 ms. */
export const MOUSE_REPORT_MS = 8;
/** moves sent and not yet handled by the page, at most (the page coalesces them into its next frame) */
const MOVES_IN_FLIGHT = 4;

/**
 * A drag pan of the pane as a mouse drives it: a move every MOUSE_REPORT_MS along a circle (the
 * position a function of time, so the speed does not depend on the machine), each sent through
 * Chromium's input pipeline (CDP Input.dispatchMouseEvent) without waiting for the page to handle
 * the one before, up to MOVES_IN_FLIGHT ahead. Chromium hands the renderer its mouse moves once a
 * frame, coalesced, as with a real mouse. (Before: each move waited for the previous one's
 * acknowledgement, which comes when the page's next frame handled it, so a round trip through
 * Playwright and the browser sat between frames and the page drew at most one frame per move:
 * at load 6 the trace had exactly as many frames as mouse moves, 40 a second, with the renderer's
 * main thread idle ~40 % of the time.)
 */
export async function pan(page: Page, ms: number) {
  const box = (await page.locator(".react-flow__pane").boundingBox())!;
  const cx = box.x + box.width / 2, cy = box.y + box.height / 2;
  await page.mouse.move(cx, cy);
  await page.mouse.down();
  const t0 = Date.now();
  const inFlight: Promise<void>[] = [];
  for (let i = 0; i < 100_000 && Date.now() - t0 < ms; i++) {
    const sent = Date.now();
    const a = (sent - t0) / 400; // a turn every 2.5 s
    inFlight.push(page.mouse.move(cx + Math.cos(a) * 200, cy + Math.sin(a) * 150));
    if (inFlight.length >= MOVES_IN_FLIGHT) await inFlight.shift();
    const wait = sent + MOUSE_REPORT_MS - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
  await Promise.all(inFlight);
  await page.mouse.up();
}

export async function zoom(page: Page, ms: number) {
  const box = (await page.locator(".react-flow__pane").boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  const end = Date.now() + ms;
  for (let i = 0; Date.now() < end && i < 100_000; i++) {
    await page.mouse.wheel(0, i % 20 < 10 ? -60 : 60);
    await page.waitForTimeout(8);
  }
}

export async function measure(page: Page, label: string, act: (p: Page, ms: number) => Promise<void>, ms: number) {
  const browser = page.context().browser()!;
  await browser.startTracing(page, { categories: ["devtools.timeline", "disabled-by-default-devtools.timeline.frame", "toplevel"] });
  await page.evaluate(RAF_START);
  const t0 = Date.now();
  await act(page, ms);
  const wallMs = Date.now() - t0;
  const raf = await page.evaluate<number[]>(RAF_STOP);
  const trace = JSON.parse((await browser.stopTracing()).toString("utf8")) as { traceEvents: TraceEvent[] };
  const rendered = await page.evaluate(() => ({
    nodes: document.querySelectorAll(".react-flow__node").length,
    edges: document.querySelectorAll(".react-flow__edge").length,
  }));
  const rafIntervals = raf.slice(1).map((t, i) => t - raf[i]!);
  return { label, wallMs, rendered, trace: frameStats(trace.traceEvents), raf: summarize(rafIntervals) };
}

export function summarize(intervals: number[]) {
  const sorted = [...intervals].sort((a, b) => a - b);
  const total = intervals.reduce((a, b) => a + b, 0);
  const q = (p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]! : 0);
  return { frames: intervals.length, fps: total ? (intervals.length * 1000) / total : 0, p50Ms: q(0.5), p95Ms: q(0.95), maxMs: sorted.at(-1) ?? 0 };
}

export type Measured = Awaited<ReturnType<typeof measure>>;
