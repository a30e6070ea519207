import { describe, expect, it } from "vitest";
import { directorHealth, sumSeries } from "./directorHealth.ts";

const base = { enrolled: true, online: true, appliedRevision: 3, targetRevision: 3, drifted: false };

describe("directorHealth", () => {
  it("a director never enrolled is a draft, not an outage", () => {
    expect(directorHealth({ ...base, enrolled: false, online: false })).toBe("not-enrolled");
  });
  it("worst first: down, behind, drift, up", () => {
    expect(directorHealth({ ...base, online: false, drifted: true })).toBe("down");
    expect(directorHealth({ ...base, appliedRevision: 2, drifted: true })).toBe("behind");
    expect(directorHealth({ ...base, drifted: true })).toBe("drift");
    expect(directorHealth(base)).toBe("up");
    expect(directorHealth({ ...base, appliedRevision: null, targetRevision: null })).toBe("up");
  });
});

describe("sumSeries", () => {
  it("adds the services of a director per sample time", () => {
    expect(sumSeries([[{ at: 1, value: 2 }, { at: 2, value: 3 }], [{ at: 2, value: 4 }]])).toEqual([{ at: 1, value: 2 }, { at: 2, value: 7 }]);
  });
});
