import { describe, expect, it } from "vitest";
import { bytesPerSecond, compact, duration, trafficWidth } from "./format.ts";

describe("live number formats", () => {
  it("compacts with SI prefixes", () => {
    expect([0, 7, 999, 1000, 1234, 15_500, 2_000_000, 3.14159].map((n) => compact(n))).toEqual(["0", "7", "999", "1k", "1.23k", "15.5k", "2M", "3.14"]);
    expect(bytesPerSecond(125_000)).toBe("125kB/s");
    expect(compact(Number.NaN)).toBe("–");
  });
  it("edge width grows with traffic, bounded", () => {
    expect(trafficWidth(0, 10)).toBe(1.5);
    expect(trafficWidth(10, 10)).toBe(7);
    expect(trafficWidth(2.5, 10)).toBe(4.3);
    expect(trafficWidth(50, 10)).toBe(7);
    expect(trafficWidth(5, 0)).toBe(1.5);
  });
  it("durations", () => {
    expect([null, 42_000, 210_000, 7_560_000, 345_600_000].map(duration)).toEqual(["–", "42 s", "3.5 min", "2.1 h", "4.0 d"]);
  });
});
