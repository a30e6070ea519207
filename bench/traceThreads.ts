/**
 * Where a traced interaction's time went, thread by thread (bench/panFrames.ts): for every thread of
 * a Chromium trace (renderer main, compositor, raster workers, the viz/GPU process's threads), its
 * busy wall time (top-level slices) and the self time of each slice name (a slice's duration minus
 * its children's on the same thread). Pure, unit-tested.
 */
import type { TraceEvent } from "./editorTrace.ts";

export interface ThreadTime {
  /** "<process name>/<thread name>" (pid:tid when the trace has no names) */
  thread: string;
  /** wall time covered by top-level slices, ms */
  busyMs: number;
  /** CPU time of the top-level slices (tdur), ms */
  cpuMs: number;
  /** self time per slice name, ms, largest first */
  self: [string, number][];
}

export function threadTimes(events: readonly TraceEvent[]): ThreadTime[] {
  const threadName = new Map<string, string>();
  const processName = new Map<number, string>();
  for (const e of events) {
    if (e.ph !== "M") continue;
    if (e.name === "thread_name") threadName.set(`${e.pid}:${e.tid}`, e.args?.name ?? "");
    if (e.name === "process_name") processName.set(e.pid, e.args?.name ?? "");
  }
  const byThread = new Map<string, TraceEvent[]>();
  for (const e of events) {
    if (e.ph !== "X" || !(e.dur! >= 0) || e.ts <= 0) continue;
    const key = `${e.pid}:${e.tid}`;
    const list = byThread.get(key) ?? [];
    list.push(e);
    byThread.set(key, list);
  }
  const out: ThreadTime[] = [];
  for (const [key, list] of byThread) {
    // parents first: earlier start, then the longer slice
    list.sort((a, b) => a.ts - b.ts || b.dur! - a.dur!);
    const self = new Map<string, number>();
    const stack: { end: number; name: string }[] = [];
    let busy = 0, cpu = 0;
    for (const e of list) {
      const end = e.ts + e.dur!;
      while (stack.length && stack.at(-1)!.end <= e.ts) stack.pop();
      const parent = stack.at(-1);
      if (parent) self.set(parent.name, (self.get(parent.name) ?? 0) - Math.min(e.dur!, parent.end - e.ts));
      else {
        busy += e.dur!;
        cpu += e.tdur ?? 0;
      }
      self.set(e.name, (self.get(e.name) ?? 0) + e.dur!);
      stack.push({ end, name: e.name });
    }
    const pid = Number(key.split(":")[0]);
    out.push({
      thread: `${processName.get(pid) ?? pid}/${threadName.get(key) ?? key}`,
      busyMs: busy / 1000,
      cpuMs: cpu / 1000,
      self: [...self].map(([n, us]): [string, number] => [n, us / 1000]).sort((a, b) => b[1] - a[1]),
    });
  }
  return out.sort((a, b) => b.busyMs - a.busyMs);
}
