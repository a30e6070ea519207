import { describe, expect, it } from "vitest";
import { autoLayout } from "./autoLayout.ts";
import { sampleTopology } from "../../_canvas/fixtures.ts";
import { topologyToGraph } from "../../_canvas/graph.ts";
import { LABEL_ROOM } from "../../_canvas/spacing.ts";

describe("autoLayout (elkjs, loaded on first use)", () => {
  it("puts directors, services and real servers in columns left to right, without overlaps, from the origin", async () => {
    const g = topologyToGraph({ ...sampleTopology(), layout: {} });
    for (const n of g.nodes) n.position = { x: 0, y: 0 }; // everything on one spot
    const at = await autoLayout(g.nodes, g.edges, { x: 100, y: 500 });
    expect(Object.keys(at).sort()).toEqual(g.nodes.map((n) => n.id).sort());
    const x = (ids: string[]) => ids.map((id) => at[id]!.x);
    const directors = x(["dir-a", "dir-b"]), services = x(["svc-web", "svc-dns"]), servers = x(["rs-1", "rs-2", "rs-3"]);
    expect(Math.max(...directors) + 224).toBeLessThan(Math.min(...services));
    expect(Math.max(...services) + 288).toBeLessThan(Math.min(...servers));
    // room for the membership labels between services and real servers (they sat under nodes at 120 px)
    expect(Math.min(...servers) - (Math.max(...services) + 288)).toBeGreaterThanOrEqual(LABEL_ROOM);
    const left = Math.min(...Object.values(at).map((p) => p.x));
    expect(left).toBeGreaterThanOrEqual(100); // elk's own padding on top of the origin
    expect(left).toBeLessThan(150);
    expect(Math.min(...Object.values(at).map((p) => p.y))).toBeGreaterThanOrEqual(500);
    const size = { director: 80, service: 70, realServer: 60 } as const;
    for (const a of g.nodes) for (const b of g.nodes) {
      if (a.id >= b.id || at[a.id]!.x !== at[b.id]!.x) continue;
      const [top, bottom] = at[a.id]!.y < at[b.id]!.y ? [a, b] : [b, a];
      expect(at[top.id]!.y + size[top.type]).toBeLessThanOrEqual(at[bottom.id]!.y);
    }
  });

  it("lays out only the nodes it is given (an import's new objects); edges to others are ignored", async () => {
    const g = topologyToGraph(sampleTopology());
    const some = g.nodes.filter((n) => n.id === "svc-dns" || n.id === "rs-3");
    const at = await autoLayout(some, g.edges);
    expect(Object.keys(at).sort()).toEqual(["rs-3", "svc-dns"]);
    expect(at["svc-dns"]!.x).toBeLessThan(at["rs-3"]!.x);
  });
});
