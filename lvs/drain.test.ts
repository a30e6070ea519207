import { describe, expect, it } from "vitest";
import { forceDrained, observeDrain, rampWeights, startDrain, tickDrain } from "./drain.ts";

describe("drain", () => {
  it("is drained once ActiveConn and InActConn both reach zero", () => {
    let s = startDrain(5, 0, 60_000);
    s = observeDrain(s, 3, 10, 1000);
    expect(s.status).toBe("draining");
    s = observeDrain(s, 0, 4, 2000);
    expect(s.status).toBe("draining"); // TIME_WAIT entries still count, like ipvsadm -Ln InActConn
    s = observeDrain(s, 0, 0, 3000);
    expect(s).toMatchObject({ status: "drained", since: 3000, previousWeight: 5 });
    expect(observeDrain(s, 1, 0, 4000).status).toBe("drained");
  });

  it("times out, can still complete later, and can be forced", () => {
    let s = startDrain(1, 0, 10_000);
    expect(tickDrain(s, 9_999).status).toBe("draining");
    s = observeDrain(s, 2, 0, 10_000);
    expect(s.status).toBe("timed-out");
    expect(observeDrain(s, 0, 0, 12_000).status).toBe("drained");
    expect(forceDrained(s, 11_000)).toMatchObject({ status: "drained", since: 11_000 });
    expect(() => startDrain(1, 0, 0)).toThrow(RangeError);
  });
});

describe("rampWeights", () => {
  it("ramps linearly to the target", () => {
    expect(rampWeights(100, 4, 60_000)).toEqual([
      { offsetMs: 0, weight: 25 }, { offsetMs: 20_000, weight: 50 }, { offsetMs: 40_000, weight: 75 }, { offsetMs: 60_000, weight: 100 },
    ]);
  });

  it("never starts at 0 and never has more steps than weight units", () => {
    expect(rampWeights(3, 10, 9_000)).toEqual([
      { offsetMs: 0, weight: 1 }, { offsetMs: 4_500, weight: 2 }, { offsetMs: 9_000, weight: 3 },
    ]);
  });

  it("restores at once when asked", () => {
    expect(rampWeights(7, 1, 60_000)).toEqual([{ offsetMs: 0, weight: 7 }]);
    expect(rampWeights(7, 5, 0)).toEqual([{ offsetMs: 0, weight: 7 }]);
    expect(rampWeights(0, 5, 1000)).toEqual([{ offsetMs: 0, weight: 0 }]);
    expect(() => rampWeights(70000, 2, 1)).toThrow(RangeError);
  });
});
