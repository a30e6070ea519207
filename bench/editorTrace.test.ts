import { describe, expect, it } from "vitest";
import { frameStats, type TraceEvent } from "./editorTrace.ts";

const meta = (pid: number, tid: number, name: string): TraceEvent => ({ name: "thread_name", ph: "M", pid, tid, ts: 0, args: { name } });
const draw = (pid: number, ms: number): TraceEvent => ({ name: "DrawFrame", ph: "I", pid, tid: 9, ts: 1_000_000 + ms * 1000 });
const task = (pid: number, tid: number, ms: number, durMs: number): TraceEvent => ({
  name: "RunTask", ph: "X", pid, tid, ts: 1_000_000 + ms * 1000, dur: durMs * 1000, tdur: durMs * 500,
});

describe("frameStats", () => {
  it("counts the drawing process's frames over the traced window; long tasks on the busiest renderer main thread", () => {
    const events: TraceEvent[] = [
      meta(2, 1, "CrRendererMain"), meta(3, 1, "CrRendererMain"), meta(2, 5, "Compositor"),
      // 1 s window: pid 2 draws every 20 ms (50 frames) except one 100 ms gap; pid 4 draws 3 frames
      ...Array.from({ length: 47 }, (_, i) => draw(2, i < 20 ? i * 20 : i * 20 + 80)),
      draw(4, 10), draw(4, 20), draw(4, 30),
      { name: "DroppedFrame", ph: "I", pid: 2, tid: 9, ts: 1_400_000 }, { name: "DroppedFrame", ph: "I", pid: 4, tid: 9, ts: 1_400_000 },
      task(2, 1, 0, 5), task(2, 1, 100, 80), { ...task(2, 1, 300, 60), name: "ThreadControllerImpl::RunTask" }, task(2, 1, 999, 1),
      task(3, 1, 0, 40), // another renderer, less busy
      task(2, 5, 0, 500), // not a main thread
      { name: "FunctionCall", ph: "X", pid: 2, tid: 1, ts: 1_100_000, dur: 30_000 },
      { name: "Paint", ph: "X", pid: 2, tid: 1, ts: 1_140_000, dur: 20_000 },
      { name: "Paint", ph: "X", pid: 3, tid: 1, ts: 1_140_000, dur: 20_000 }, // other renderer
      { name: "RasterTask", ph: "X", pid: 2, tid: 7, ts: 1_150_000, dur: 9_000 },
    ];
    const s = frameStats(events);
    expect(s.frames).toBe(47);
    expect(s.dropped).toBe(1);
    expect(s.windowMs).toBe(1000);
    expect(s.fps).toBeCloseTo(47, 5);
    expect(s.p50Ms).toBe(20);
    expect(s.maxMs).toBe(100);
    expect(s.longTasks).toBe(2);
    expect(s.longestTaskMs).toBe(80);
    expect(s.mainBusyMs).toBe(146);
    expect(s.mainCpuMs).toBe(73);
    expect(s.breakdown).toEqual({ script: 30, style: 0, layout: 0, paint: 20, raster: 9 });
  });

  it("measures the window over thread events: an async slice Chromium reports with a begin from before tracing started does not widen it", () => {
    const events: TraceEvent[] = [
      meta(2, 1, "CrRendererMain"),
      ...Array.from({ length: 30 }, (_, i) => draw(2, i * 33.3)),
      task(2, 1, 0, 5), task(2, 1, 995, 5),
      // a frame's PipelineReporter begun 0.9 s before the trace (it once made a 3 s pan's window 4.4 s)
      { name: "PipelineReporter", ph: "b", pid: 2, tid: 5, ts: 100_000 },
      { name: "PipelineReporter", ph: "e", pid: 2, tid: 5, ts: 117_000 },
    ];
    const s = frameStats(events);
    expect(s.windowMs).toBe(1000);
    expect(s.fps).toBeCloseTo(30, 5);
  });

  it("refuses a trace without timed events", () => {
    expect(() => frameStats([meta(1, 1, "CrRendererMain")])).toThrow(/no timed events/);
  });
});
