import { describe, expect, it } from "vitest";
import { averagePoints, PointRing, type Point } from "./pointRing.ts";

const p = (at: number, cps: number, active = 0): Point => ({ at, cps, inPps: cps * 2, outPps: 0, inBps: cps * 100, outBps: 0, activeConns: active, inactConns: at / 1000 });

describe("PointRing", () => {
  it("keeps the newest `capacity` points in time order and answers ranges by binary search", () => {
    const r = new PointRing(5);
    for (let i = 0; i < 8; i++) r.push(p(i * 1000, i));
    expect(r.size).toBe(5);
    expect(r.oldest()).toBe(3000);
    expect(r.range(0, 100_000).map((x) => x.cps)).toEqual([3, 4, 5, 6, 7]);
    expect(r.range(4000, 6000).map((x) => x.at)).toEqual([4000, 5000]);
    expect(r.range(4500, 100_000, 2).map((x) => x.at)).toEqual([6000, 7000]);
    expect(r.range(0, 3000)).toEqual([]);
  });

  it("drops a point that is not newer than the last one", () => {
    const r = new PointRing(3);
    r.push(p(2000, 1));
    r.push(p(1000, 9));
    r.push(p(2000, 9));
    expect(r.range(0, 10_000).map((x) => x.cps)).toEqual([1]);
  });

  it("stores values as float32 (rates within 1e-7, counts exact)", () => {
    const r = new PointRing(1);
    r.push({ at: 1, cps: 1234.5678, inPps: 0, outPps: 0, inBps: 1.25e9 + 3, outBps: 0, activeConns: 16_000_000, inactConns: 7 });
    const [x] = r.range(0, 2);
    expect(Math.abs(x!.cps - 1234.5678) / 1234.5678).toBeLessThan(1e-7);
    expect(Math.abs(x!.inBps - (1.25e9 + 3)) / 1.25e9).toBeLessThan(1e-7);
    expect(x!.activeConns).toBe(16_000_000);
  });

  it("rejects a bad capacity naming it", () => {
    expect(() => new PointRing(0)).toThrow(/capacity must be a positive integer, got 0/);
  });
});

describe("averagePoints", () => {
  it("averages rates and ActiveConn per aligned step and keeps the last InActConn", () => {
    const pts = [p(0, 1, 2), p(1000, 3, 4), p(2000, 5, 6), p(3000, 7, 8), p(4000, 9, 10)];
    const out = averagePoints(pts, 2000);
    expect(out.map((x) => x.at)).toEqual([0, 2000, 4000]);
    expect(out.map((x) => x.cps)).toEqual([2, 6, 9]);
    expect(out.map((x) => x.activeConns)).toEqual([3, 7, 10]);
    expect(out.map((x) => x.inactConns)).toEqual([1, 3, 4]);
  });
});
