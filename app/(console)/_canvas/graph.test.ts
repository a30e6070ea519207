import { describe, expect, it } from "vitest";
import { topologySchema } from "@/lvs/schemas.ts";
import { sampleTopology } from "./fixtures.ts";
import { COLUMN_X, connectionMeaning, graphToTopology, isValidConnection, topologyToGraph } from "./graph.ts";

describe("topologyToGraph / graphToTopology", () => {
  it("round-trips a topology (every object, order, placement and layout)", () => {
    const t = sampleTopology();
    const full = { ...t, layout: Object.fromEntries([...t.directors, ...t.services, ...t.realServers].map((o, i) => [o.id, { x: i * 10, y: i * 7 }])) };
    const g = topologyToGraph(full);
    expect(graphToTopology(full.name, g.nodes, g.edges)).toEqual(full);
  });

  it("draws one placement edge per director of a service and one edge per membership", () => {
    const g = topologyToGraph(sampleTopology());
    expect(g.nodes.map((n) => `${n.type}:${n.id}`)).toEqual([
      "director:dir-a", "director:dir-b", "service:svc-web", "service:svc-dns", "realServer:rs-1", "realServer:rs-2", "realServer:rs-3",
    ]);
    expect(g.edges.map((e) => `${e.type}:${e.source}->${e.target}`)).toEqual([
      "placement:dir-a->svc-web", "placement:dir-b->svc-web", "placement:dir-a->svc-dns",
      "membership:svc-web->rs-1", "membership:svc-web->rs-2", "membership:svc-dns->rs-3",
    ]);
  });

  it("places objects missing from the layout in their kind's column, and the result has a full layout", () => {
    const g = topologyToGraph(sampleTopology());
    expect(g.nodes.find((n) => n.id === "dir-b")!.position.x).toBe(COLUMN_X.director);
    expect(g.nodes.find((n) => n.id === "rs-3")!.position.x).toBe(COLUMN_X.realServer);
    const back = graphToTopology("x", g.nodes, g.edges);
    expect(Object.keys(back.layout).sort()).toEqual(g.nodes.map((n) => n.id).sort());
    expect(topologySchema.safeParse(back).success).toBe(true);
  });

  it("keeps a membership whose real server is missing (validate reports it, nothing is lost)", () => {
    const t = sampleTopology();
    t.memberships.push({ ...t.memberships[0]!, id: "m-x", realServerId: "gone" });
    const g = topologyToGraph(t);
    expect(graphToTopology(t.name, g.nodes, g.edges).memberships.map((m) => m.id)).toContain("m-x");
  });
});

describe("connection rules", () => {
  const g = topologyToGraph(sampleTopology());
  const valid = (source: string, target: string) => isValidConnection({ source, target }, g.nodes, g.edges);

  it("director ↔ service means placement, whichever end was dragged", () => {
    const kinds = new Map(g.nodes.map((n) => [n.id, n.type] as const));
    const k = (id: string) => kinds.get(id);
    expect(connectionMeaning({ source: "dir-b", target: "svc-dns" }, k)).toEqual({ kind: "placement", directorId: "dir-b", serviceId: "svc-dns" });
    expect(connectionMeaning({ source: "svc-dns", target: "dir-b" }, k)).toEqual({ kind: "placement", directorId: "dir-b", serviceId: "svc-dns" });
    expect(connectionMeaning({ source: "rs-1", target: "svc-dns" }, k)).toEqual({ kind: "membership", serviceId: "svc-dns", realServerId: "rs-1" });
    expect(valid("dir-b", "svc-dns")).toBe(true);
    expect(valid("svc-dns", "dir-b")).toBe(true);
  });

  it("service → real server is a membership; one real server may serve several services", () => {
    expect(valid("svc-dns", "rs-1")).toBe(true);
    expect(valid("svc-web", "rs-3")).toBe(true);
  });

  it("refuses duplicates, self loops and meaningless pairs", () => {
    expect(valid("dir-a", "svc-web")).toBe(false); // already placed
    expect(valid("svc-web", "rs-1")).toBe(false); // already a member
    expect(valid("dir-a", "dir-b")).toBe(false);
    expect(valid("dir-a", "rs-1")).toBe(false);
    expect(valid("svc-web", "svc-dns")).toBe(false);
    expect(valid("rs-1", "rs-2")).toBe(false);
    expect(valid("svc-web", "svc-web")).toBe(false);
    expect(isValidConnection({ source: null, target: "svc-web" }, g.nodes, g.edges)).toBe(false);
    expect(valid("nope", "svc-web")).toBe(false);
  });
});
