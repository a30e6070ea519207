import { describe, expect, it } from "vitest";
import { auditFacts, summaryKey } from "./auditWords.ts";

describe("audit rows in words", () => {
  it("turns the diff into label/value facts: from → to, lists, nested values; change lines and the message are shown apart", () => {
    expect(auditFacts({ role: { from: "viewer", to: "operator" }, memberships: ["a", "b"], revision: 12, changes: ["+ x"], changeCount: 1, message: "m" })).toEqual([
      { key: "role", value: "viewer → operator" },
      { key: "memberships", value: "a, b" },
      { key: "revision", value: "12" },
    ]);
    expect(auditFacts({ error: "internal error", code: "INTERNAL" })).toEqual([{ key: "error", value: "internal error" }, { key: "code", value: "INTERNAL" }]);
    expect(auditFacts(null)).toEqual([]);
    expect(auditFacts({ list: [1, 2, 3, 4, 5, 6, 7] })[0]!.value).toBe("1, 2, 3, 4, 5, … (+2)");
  });
  it("an action names its sentence", () => {
    expect(summaryKey("realServer.drain.force")).toBe("realServer_drain_force");
  });
});
