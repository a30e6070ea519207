import { describe, expect, it } from "vitest";
import type { LivePoint } from "@/lvs/protocol/live.ts";
import { backfillRange, withBackfill } from "./SeriesCharts.tsx";

const p = (at: number, cps = 1): LivePoint => ({ at, cps, inPps: 0, outPps: 0, inBps: 0, outBps: 0, activeConns: 0, inactConns: 0 });

describe("withBackfill (the live chart starts full)", () => {
  it("puts the server's older points before the socket's, no duplicate seconds", () => {
    const history = [p(1000), p(2000), p(3000), p(4000)];
    const live = [p(3000, 9), p(4000, 9), p(5000, 9)];
    expect(withBackfill(history, live).map((x) => [x.at, x.cps])).toEqual([[1000, 1], [2000, 1], [3000, 9], [4000, 9], [5000, 9]]);
  });
  it("before the first live frame the history alone fills the chart", () => {
    expect(withBackfill([p(1000), p(2000)], []).length).toBe(2);
  });
  it("keeps only the 5-minute window ending at the newest live point", () => {
    const now = 10 * 60_000;
    const history = [p(now - 6 * 60_000), p(now - 4 * 60_000)];
    expect(withBackfill(history, [p(now)]).map((x) => x.at)).toEqual([now - 4 * 60_000, now]);
  });
  it("asks for one point per second over its whole span (the server averages into 2 s steps otherwise)", () => {
    const r = backfillRange(1_000_000_000);
    // live.history's step for a ring query: max(1000, ceil(span / maxPoints / 1000) * 1000)
    expect(Math.max(1000, Math.ceil((r.to - r.from) / r.maxPoints / 1000) * 1000)).toBe(1000);
    expect(r.maxPoints).toBeLessThanOrEqual(2000);
    expect(r.from).toBeLessThanOrEqual(1_000_000_000 - 5 * 60_000);
  });
});
