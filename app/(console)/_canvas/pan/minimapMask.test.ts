import { describe, expect, it } from "vitest";
import { maskWithViewport } from "./minimapMask.ts";

// as @xyflow/react 12's MiniMap writes it: the drawn area, a line break, the viewport box
const miniMapMask = (x: number, y: number, w: number, h: number, offset: number, vb: { x: number; y: number; width: number; height: number }) =>
  `M${x - offset},${y - offset}h${w + offset * 2}v${h + offset * 2}h${-w - offset * 2}z
        M${vb.x},${vb.y}h${vb.width}v${vb.height}h${-vb.width}z`;

describe("maskWithViewport", () => {
  it("cuts the moved viewport out of the drawn area MiniMap drew, in MiniMap's own text", () => {
    const pane = { width: 1600, height: 1000 };
    const before = miniMapMask(-120.5, -80, 2400, 1800, 12.5, { x: 0, y: 0, width: 1600, height: 1000 });
    // zoom 0.25, panned 100 px right and 40 px up: the viewport shows flow x from -400
    const vp = { x: 100, y: -40, zoom: 0.25 };
    const after = maskWithViewport(before, pane, vp);
    expect(after).toBe(miniMapMask(-120.5, -80, 2400, 1800, 12.5, { x: -400, y: 160, width: 6400, height: 4000 }));
  });

  it("draws just the viewport box when there is no drawn area to keep", () => {
    expect(maskWithViewport("", { width: 100, height: 50 }, { x: -10, y: 0, zoom: 2 })).toBe("M5,0h50v25h-50z");
  });
});
