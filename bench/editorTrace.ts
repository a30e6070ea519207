/**
 * Frame statistics from a Chromium performance trace (Trace Event Format, as Playwright's
 * browser.startTracing/stopTracing returns it). Pure, unit-tested.
 *  - frames: the compositor's DrawFrame events (category disabled-by-default-devtools.timeline.frame)
 *    of the process that drew the most; fps = frames per second of the traced window, the span of
 *    the threads' slices and instant events: async slices (ph b/e/n, e.g. PipelineReporter) are left
 *    out, Chromium reports some with a begin from before tracing started (a frame drawn 1.2 s earlier
 *    stretched a 3.2 s pan's window to 4.4 s and cut its fps by a quarter);
 *  - frame intervals between consecutive DrawFrames (p50/p95/max);
 *  - dropped frames: DroppedFrame events of that process (the compositor gave up on a frame);
 *  - main thread busy wall time and CPU time (tdur), a figure less sensitive to a loaded machine;
 *  - a breakdown of the renderer's slices: script, style, layout, paint, raster;
 *  - long tasks: RunTask slices (ThreadControllerImpl::RunTask in current Chromium) over 50 ms on the
 *    busiest renderer main thread (CrRendererMain).
 */
export interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  /** thread (CPU) time of a complete event, when Chromium recorded it */
  tdur?: number;
  cat?: string;
  args?: { name?: string };
}

/** Where the renderer's time went (ms of wall time summed per kind of slice). */
export interface Breakdown {
  script: number;
  style: number;
  layout: number;
  paint: number;
  raster: number;
}

export interface FrameStats {
  frames: number;
  dropped: number;
  windowMs: number;
  fps: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
  longTasks: number;
  longestTaskMs: number;
  /** renderer main thread: task wall time and CPU time over the window, ms */
  mainBusyMs: number;
  mainCpuMs: number;
  breakdown: Breakdown;
}

const KIND: Record<string, keyof Breakdown> = {
  FunctionCall: "script", EvaluateScript: "script", "v8.callFunction": "script",
  UpdateLayoutTree: "style", Layout: "layout",
  Paint: "paint", PrePaint: "paint", Layerize: "paint", "LocalFrameView::RunPaintLifecyclePhase": "paint",
  RasterTask: "raster",
};

const LONG_TASK_US = 50_000;
/** async (nestable) slices and flow events: not bound to a thread's timeline */
const ASYNC = new Set(["b", "e", "n", "S", "T", "p", "F", "s", "t", "f"]);
const TASK_NAMES = new Set(["RunTask", "ThreadControllerImpl::RunTask"]);

function quantile(sorted: number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]! : 0;
}

export function frameStats(events: readonly TraceEvent[]): FrameStats {
  const timed = events.filter((e) => e.ph !== "M" && e.ts > 0);
  const threadTimed = timed.filter((e) => !ASYNC.has(e.ph));
  if (!threadTimed.length) throw new Error("the trace has no timed events (was tracing started on the page?)");
  let start = Infinity, end = -Infinity;
  for (const e of threadTimed) {
    start = Math.min(start, e.ts);
    end = Math.max(end, e.ts + (e.dur ?? 0));
  }
  const windowUs = end - start;

  const drawsByPid = new Map<number, number[]>();
  for (const e of timed) {
    if (e.name !== "DrawFrame") continue;
    const list = drawsByPid.get(e.pid) ?? [];
    list.push(e.ts);
    drawsByPid.set(e.pid, list);
  }
  const [drawPid, draws] = [...drawsByPid].sort((a, b) => b[1].length - a[1].length)[0] ?? [-1, []];
  const dropped = timed.filter((e) => e.name === "DroppedFrame" && e.pid === drawPid).length;
  draws.sort((a, b) => a - b);
  const intervals = draws.slice(1).map((t, i) => (t - draws[i]!) / 1000).sort((a, b) => a - b);

  const mainThreads = new Set(
    events.filter((e) => e.ph === "M" && e.name === "thread_name" && e.args?.name === "CrRendererMain").map((e) => `${e.pid}:${e.tid}`),
  );
  const tasksByThread = new Map<string, TraceEvent[]>();
  for (const e of timed) {
    const key = `${e.pid}:${e.tid}`;
    if (!TASK_NAMES.has(e.name) || e.ph !== "X" || !mainThreads.has(key)) continue;
    const list = tasksByThread.get(key) ?? [];
    list.push(e);
    tasksByThread.set(key, list);
  }
  const busy = (l: TraceEvent[]) => l.reduce((a, e) => a + (e.dur ?? 0), 0);
  const [mainKey, busiest] = [...tasksByThread].sort((a, b) => busy(b[1]) - busy(a[1]))[0] ?? ["", []];
  const long = busiest.filter((e) => (e.dur ?? 0) > LONG_TASK_US);
  const mainPid = Number(mainKey.split(":")[0]);
  const breakdown: Breakdown = { script: 0, style: 0, layout: 0, paint: 0, raster: 0 };
  for (const e of timed) {
    const kind = KIND[e.name];
    if (!kind || e.ph !== "X" || e.pid !== mainPid) continue;
    if (kind !== "raster" && `${e.pid}:${e.tid}` !== mainKey) continue;
    breakdown[kind] += (e.dur ?? 0) / 1000;
  }

  return {
    frames: draws.length,
    dropped,
    windowMs: windowUs / 1000,
    fps: windowUs > 0 ? draws.length / (windowUs / 1e6) : 0,
    p50Ms: quantile(intervals, 0.5),
    p95Ms: quantile(intervals, 0.95),
    maxMs: intervals.at(-1) ?? 0,
    longTasks: long.length,
    longestTaskMs: Math.max(0, ...busiest.map((e) => e.dur ?? 0)) / 1000,
    mainBusyMs: busy(busiest) / 1000,
    mainCpuMs: busiest.reduce((a, e) => a + (e.tdur ?? 0), 0) / 1000,
    breakdown,
  };
}
