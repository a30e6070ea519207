import { describe, expect, it } from "vitest";
import { mergeServices } from "./mergeServices.ts";
import type { LiveService } from "../../lvs/protocol/live.ts";

const c = (n: number) => ({ conns: n, inPkts: n, outPkts: n, inBytes: n, outBytes: n });
const r = (n: number) => ({ cps: n, inPps: n, outPps: n, inBps: n, outBps: n });
const d = (address: string, active: number) => ({ address, port: 80, weight: 1, activeConns: active, inactConns: 0, persistConns: 0, counters: c(active), rates: r(active) });
const s = (key: string, n: number, dests: ReturnType<typeof d>[], removed?: string[]): LiveService => ({ key, counters: c(n), rates: r(n), destinations: dests, ...(removed ? { removed } : {}) });

describe("mergeServices", () => {
  it("newer values win, destinations changed in either delta are kept, services are unioned", () => {
    const m = new Map<string, LiveService>();
    mergeServices(m, [s("a", 1, [d("10.0.0.1", 1), d("10.0.0.2", 1)]), s("b", 1, [])]);
    mergeServices(m, [s("a", 2, [d("10.0.0.2", 5)])]);
    expect(m.get("a")!.counters.conns).toBe(2);
    expect(m.get("a")!.destinations.map((x) => [x.address, x.activeConns])).toEqual([["10.0.0.1", 1], ["10.0.0.2", 5]]);
    expect(m.get("b")!.counters.conns).toBe(1);
  });

  it("a removed destination stays removed unless it comes back", () => {
    const m = new Map<string, LiveService>();
    mergeServices(m, [s("a", 1, [d("10.0.0.1", 1)])]);
    mergeServices(m, [s("a", 2, [], ["10.0.0.1|80", "10.0.0.3|80"])]);
    expect(m.get("a")!.destinations).toEqual([]);
    expect(m.get("a")!.removed).toEqual(["10.0.0.1|80", "10.0.0.3|80"]);
    mergeServices(m, [s("a", 3, [d("10.0.0.1", 9)])]);
    expect(m.get("a")!.destinations.map((x) => x.activeConns)).toEqual([9]);
    expect(m.get("a")!.removed).toEqual(["10.0.0.3|80"]);
  });
});
