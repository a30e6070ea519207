import { describe, expect, it } from "vitest";
import { availability, formatAvailability, serviceAvailability } from "./availability.ts";

const H = 3_600_000;

describe("availability", () => {
  it("always up: A = 1, no MTBF/MTTR", () => {
    const a = availability("up", [], 0, 24 * H);
    expect(a).toMatchObject({ uptimeMs: 24 * H, downtimeMs: 0, failures: 0, repairs: 0, mtbfMs: null, mttrMs: null, availability: 1 });
    expect(a.nines).toBe(Infinity);
  });

  it("two outages of 30 min in 24 h", () => {
    const a = availability("up", [
      { at: 2 * H, to: "down" }, { at: 2.5 * H, to: "up" },
      { at: 10 * H, to: "down" }, { at: 10.5 * H, to: "up" },
    ], 0, 24 * H);
    expect(a.failures).toBe(2);
    expect(a.repairs).toBe(2);
    expect(a.downtimeMs).toBe(H);
    expect(a.mtbfMs).toBe(11.5 * H);
    expect(a.mttrMs).toBe(0.5 * H);
    // A = MTBF / (MTBF + MTTR) when every failure was repaired
    expect(a.availability).toBeCloseTo(11.5 / 12, 12);
    expect(a.availability).toBeCloseTo(a.mtbfMs! / (a.mtbfMs! + a.mttrMs!), 12);
  });

  it("an outage still open at the end counts as downtime", () => {
    const a = availability("up", [{ at: 20 * H, to: "down" }], 0, 24 * H);
    expect(a).toMatchObject({ failures: 1, repairs: 0, downtimeMs: 4 * H, mttrMs: 4 * H, mtbfMs: 20 * H });
  });

  it("folds transitions before the range into the initial state and ignores repeats", () => {
    const a = availability("up", [{ at: -5, to: "down" }, { at: 5, to: "down" }, { at: 10, to: "up" }], 0, 20);
    expect(a).toMatchObject({ uptimeMs: 10, downtimeMs: 10, failures: 0, repairs: 1 });
  });

  it("rejects an empty range", () => {
    expect(() => availability("up", [], 5, 5)).toThrow(RangeError);
  });
});

describe("serviceAvailability", () => {
  it("is down only while every real server is down (quorum 1)", () => {
    const a = serviceAvailability([
      { initial: "up", transitions: [{ at: 10, to: "down" }, { at: 40, to: "up" }] },
      { initial: "up", transitions: [{ at: 20, to: "down" }, { at: 30, to: "up" }] },
    ], 0, 100);
    expect(a).toMatchObject({ downtimeMs: 10, failures: 1, repairs: 1 });
  });

  it("honours a quorum", () => {
    const a = serviceAvailability([
      { initial: "up", transitions: [{ at: 10, to: "down" }, { at: 40, to: "up" }] },
      { initial: "up", transitions: [] },
    ], 0, 100, 2);
    expect(a.downtimeMs).toBe(30);
  });
});

describe("formatAvailability", () => {
  it.each([
    [1, "100 %"],
    [0.999, "99.900 %"],
    [0.95, "95.00 %"],
    [0.999949, "99.9949 %"],
  ])("%s → %s", (a, text) => expect(formatAvailability(a)).toBe(text));
});
