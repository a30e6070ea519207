import { describe, expect, it } from "vitest";
import type { TraceEvent } from "./editorTrace.ts";
import { threadTimes } from "./traceThreads.ts";

const x = (tid: number, name: string, ms: number, durMs: number, cpuMs?: number): TraceEvent => ({
  name, ph: "X", pid: 2, tid, ts: 1_000_000 + ms * 1000, dur: durMs * 1000, ...(cpuMs === undefined ? {} : { tdur: cpuMs * 1000 }),
});

describe("threadTimes", () => {
  it("sums top-level busy time per named thread and each slice's self time (children subtracted)", () => {
    const events: TraceEvent[] = [
      { name: "process_name", ph: "M", pid: 2, tid: 0, ts: 0, args: { name: "Renderer" } },
      { name: "thread_name", ph: "M", pid: 2, tid: 1, ts: 0, args: { name: "CrRendererMain" } },
      { name: "thread_name", ph: "M", pid: 2, tid: 5, ts: 0, args: { name: "Compositor" } },
      // main: a 10 ms task = 4 ms script (1 ms of it a nested GC) + 3 ms paint + 3 ms own time; then a 2 ms task
      x(1, "RunTask", 0, 10, 8), x(1, "FunctionCall", 1, 4), x(1, "MinorGC", 2, 1), x(1, "Paint", 6, 3), x(1, "RunTask", 20, 2, 2),
      x(5, "ProxyMain::BeginMainFrame", 0, 1),
    ];
    const [main, comp] = threadTimes(events);
    expect(main!.thread).toBe("Renderer/CrRendererMain");
    expect(main!.busyMs).toBe(12);
    expect(main!.cpuMs).toBe(10);
    expect(Object.fromEntries(main!.self)).toEqual({ RunTask: 5, FunctionCall: 3, MinorGC: 1, Paint: 3 });
    expect(comp!.thread).toBe("Renderer/Compositor");
    expect(comp!.busyMs).toBe(1);
  });
});
