import { describe, expect, it } from "vitest";
import { overviewOrder } from "./overviewOrder.ts";

const t = (name: string, updated: number, enrolled = 0, online = 0) => ({
  id: name, name, updatedAt: new Date(updated).toISOString(), enrolledDirectors: enrolled, onlineDirectors: online,
});

describe("overviewOrder", () => {
  it("puts a running cluster before a dozen drafts whose names sort before it", () => {
    const drafts = Array.from({ length: 20 }, (_, i) => t(`a-draft-${i}`, 5_000 + i));
    const order = overviewOrder([...drafts, t("zz-prod", 1_000, 2, 1)]);
    expect(order[0]!.name).toBe("zz-prod");
  });
  it("online before enrolled-but-offline, then the most recently changed, then the name", () => {
    const order = overviewOrder([t("b", 1), t("c", 9), t("off", 1, 1, 0), t("on", 1, 1, 1), t("a", 1)]);
    expect(order.map((x) => x.name)).toEqual(["on", "off", "c", "a", "b"]);
  });
});
