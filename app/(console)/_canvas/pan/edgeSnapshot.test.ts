import { describe, expect, it } from "vitest";
import { groupPaths, type DrawnPath } from "./edgeSnapshot.ts";

const p = (d: string, stroke = "#2563eb", extra: Partial<DrawnPath> = {}): DrawnPath => ({ d, stroke, strokeWidth: "1.75", strokeDasharray: "", opacity: "1", ...extra });

describe("groupPaths", () => {
  it("joins the edges of one look into one path, one subpath per edge, looks in first-seen order", () => {
    const out = groupPaths([
      p("M0,0 C10,0 10,10 20,10"),
      p("M5,5 L6,6", "#ea580c"),
      p("M1,1 L2,2"),
      p("M3,3 L4,4", "#2563eb", { strokeDasharray: "6 4" }),
      p("M7,7 L8,8", "#2563eb", { strokeWidth: "3" }),
    ]);
    expect(out.map((g) => [g.stroke, g.strokeWidth, g.strokeDasharray, g.edges])).toEqual([
      ["#2563eb", "1.75", "", 2], ["#ea580c", "1.75", "", 1], ["#2563eb", "1.75", "6 4", 1], ["#2563eb", "3", "", 1],
    ]);
    expect(out[0]!.d).toBe("M0,0 C10,0 10,10 20,10 M1,1 L2,2");
  });

  it("skips empty paths and paths that do not start with a moveto (they would join the previous subpath)", () => {
    expect(groupPaths([p(""), p("L1,1"), p("  M1,1 L2,2 ")])).toEqual([{ ...p(""), d: "M1,1 L2,2", edges: 1 }]);
    expect(groupPaths([])).toEqual([]);
  });
});
