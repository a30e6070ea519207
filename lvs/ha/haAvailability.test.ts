import { describe, expect, it } from "vitest";
import { directorAvailability, groupAvailability, splitBrain, type VrrpEvent } from "./haAvailability.ts";

const H = 3_600_000;
const ev = (directorId: string, at: number, to: VrrpEvent["to"]): VrrpEvent => ({ directorId, groupId: "g", at, to });

describe("HA availability, planned vs unplanned", () => {
  // d1 MASTER from 0; crash at 10 h (FAULT), d2 takes over 1 s later; d1 back at 11 h (preempts);
  // planned switchover of d1 at 20 h: the VIP is without MASTER for 0.2 s, handed back at 21 h (0.1 s gap)
  const events = [
    ev("d1", 0, "MASTER"), ev("d2", 0, "BACKUP"),
    ev("d1", 10 * H, "FAULT"), ev("d2", 10 * H + 1000, "MASTER"),
    ev("d1", 11 * H, "MASTER"), ev("d2", 11 * H, "BACKUP"),
    ev("d1", 20 * H, "STOP"), ev("d2", 20 * H + 200, "MASTER"),
    ev("d1", 21 * H, "MASTER"), ev("d2", 21 * H, "BACKUP"),
  ];
  const windows = [{ directorId: "d1", from: 20 * H - 5000, to: 21 * H + 5000 }];

  it("the group is down only while no director is MASTER; a gap inside a maintenance window is planned", () => {
    const a = groupAvailability("g", ["d1", "d2"], events, windows, 0, 24 * H);
    expect(a.outages).toEqual([
      { from: 10 * H, to: 10 * H + 1000, planned: false },
      { from: 20 * H, to: 20 * H + 200, planned: true },
    ]);
    expect(a.unplanned.downtimeMs).toBe(1000);
    expect(a.planned.downtimeMs).toBe(200);
    expect(a.total.downtimeMs).toBe(1200);
    expect(a.unplanned.failures).toBe(1);
    expect(a.unplanned.mttrMs).toBe(1000);
    expect(a.unplanned.mtbfMs).toBe(24 * H - 1000);
    expect(a.total.availability).toBeCloseTo(1 - 1200 / (24 * H), 12);
  });

  it("per director: the crash is unplanned downtime, the maintenance planned", () => {
    const a = directorAvailability("d1", events, windows, 0, 24 * H);
    expect(a.outages).toEqual([
      { from: 10 * H, to: 11 * H, planned: false },
      { from: 20 * H, to: 21 * H, planned: true },
    ]);
    expect(a.planned.downtimeMs).toBe(H);
    expect(a.unplanned.downtimeMs).toBe(H);
    const d2 = directorAvailability("d2", events, windows, 0, 24 * H);
    expect(d2.total.downtimeMs).toBe(0);
    expect(d2.total.availability).toBe(1);
  });

  it("an outage open at the end of the range counts until the end; history before the range sets the start state", () => {
    const a = groupAvailability("g", ["d1", "d2"], [ev("d1", -5, "MASTER"), ev("d1", 50, "FAULT"), ev("d2", 10, "BACKUP")], [], 0, 100);
    expect(a.outages).toEqual([{ from: 50, to: 100, planned: false }]);
    expect(a.total.downtimeMs).toBe(50);
    expect(() => groupAvailability("g", [], [], [], 5, 5)).toThrow(RangeError);
  });

  it("flags split brain", () => {
    expect(splitBrain([{ directorId: "d1", state: "MASTER" }, { directorId: "d2", state: "MASTER" }])).toEqual(["d1", "d2"]);
    expect(splitBrain([{ directorId: "d1", state: "MASTER" }, { directorId: "d2", state: "BACKUP" }])).toEqual([]);
  });
});
