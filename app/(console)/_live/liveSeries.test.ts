import { describe, expect, it } from "vitest";
import { PointRing, seriesId, toColumns } from "./liveSeries.ts";

const p = (at: number, cps: number) => ({ at, cps, inPps: 0, outPps: 0, inBps: 0, outBps: 0, activeConns: cps * 2, inactConns: 0 });

describe("PointRing", () => {
  it("keeps points in time order, drops older ones, replaces an equal time, bounded by capacity", () => {
    const r = new PointRing(3);
    r.push(p(1000, 1));
    r.push(p(2000, 2));
    r.push(p(1500, 9)); // late: dropped
    r.push(p(2000, 3)); // same second: replaced
    r.push(p(3000, 4));
    r.push(p(4000, 5));
    expect(r.toArray().map((x) => [x.at, x.cps])).toEqual([[2000, 3], [3000, 4], [4000, 5]]);
    expect(r.since(3000).map((x) => x.at)).toEqual([3000, 4000]);
    expect(r.since(9000)).toEqual([]);
    expect(r.since(0).length).toBe(3);
  });

  it("merges a resume's points into the gap, newest values win, capacity kept", () => {
    const r = new PointRing(5);
    for (const at of [1000, 2000, 6000]) r.push(p(at, at / 1000));
    r.merge([p(3000, 3), p(4000, 4), p(5000, 5), p(6000, 60)]);
    expect(r.toArray().map((x) => [x.at, x.cps])).toEqual([[2000, 2], [3000, 3], [4000, 4], [5000, 5], [6000, 60]]);
  });
});

describe("toColumns", () => {
  it("gives uPlot columns in seconds, with a null where a step is missing", () => {
    const pts = [p(1000, 1), p(2000, 2), p(6000, 6), p(7000, 7)];
    expect(toColumns(pts, ["cps", "activeConns"], 1000)).toEqual([
      [1, 2, 3, 6, 7],
      [1, 2, null, 6, 7],
      [2, 4, null, 12, 14],
    ]);
    // without a step: no gap detection
    expect(toColumns(pts, ["cps"])[1]).toEqual([1, 2, 6, 7]);
  });

  it("series ids match the server's recent ids", () => {
    expect(seriesId("dir", "tcp|127.0.0.1|80")).toBe("dir/tcp|127.0.0.1|80");
    expect(seriesId("dir", "tcp|127.0.0.1|80", "127.0.0.2|8080")).toBe("dir/tcp|127.0.0.1|80/127.0.0.2|8080");
  });
});
