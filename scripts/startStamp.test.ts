// scripts/start.mjs: the build stamp. A UI source edited while `next build` ran was stamped as built,
// so the next start served a UI without the edit (the fingerprint was taken only after the build).
import { describe, expect, it } from "vitest";
import { sourceFingerprint, stampAfterBuild } from "./start.mjs";

describe("stampAfterBuild", () => {
  it("stamps the inputs as they are after the build when only Next's own rewrite (tsconfig.json) changed", () => {
    expect(stampAfterBuild({ all: "a1", others: "o" }, { all: "a2", others: "o" })).toBe("a2");
  });

  it("an input edited during the build leaves a stamp that matches no fingerprint: the next start rebuilds", () => {
    const stamp = stampAfterBuild({ all: "a1", others: "o1" }, { all: "a2", others: "o2" });
    expect(stamp).not.toBe("a1");
    expect(stamp).not.toBe("a2");
    expect(stamp).not.toBe(sourceFingerprint());
  });

  it("the fingerprint without tsconfig.json differs from the whole one (the skip is applied)", () => {
    expect(sourceFingerprint(["tsconfig.json"])).not.toBe(sourceFingerprint());
    expect(sourceFingerprint()).toMatch(/^[0-9a-f]{64}$/);
  });
});
