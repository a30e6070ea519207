import { describe, expect, it } from "vitest";
import { topologyToGraph } from "../../_canvas/graph.ts";
import { sampleTopology } from "../../_canvas/fixtures.ts";
import { tableRows } from "./tableRows.ts";

describe("tableRows", () => {
  const g = topologyToGraph(sampleTopology());

  it("one row per service in document order, with directors and real server counts", () => {
    const rows = tableRows(g.nodes, g.edges, "", new Set());
    expect(rows.map((r) => [r.kind, r.id])).toEqual([["service", "svc-web"], ["service", "svc-dns"]]);
    expect(rows[0]).toMatchObject({ directors: "lb1, lb2", realServers: 2, open: false, line: "TCP  10.0.0.100:80 wlc persistent 360" });
  });

  it("an open service lists its memberships as ipvsadm lines, with their state", () => {
    const rows = tableRows(g.nodes, g.edges, "", new Set(["svc-web"]));
    expect(rows.map((r) => r.id)).toEqual(["svc-web", "m-1", "m-2", "svc-dns"]);
    expect(rows[2]).toMatchObject({ kind: "membership", serviceId: "svc-web", state: "draining", line: "-> 10.0.0.8:80 Route 0" });
  });

  it("the filter matches a service's own text or one of its real servers", () => {
    expect(tableRows(g.nodes, g.edges, "10.0.0.53", new Set()).map((r) => r.id)).toEqual(["svc-dns"]);
    expect(tableRows(g.nodes, g.edges, "10.0.0.8", new Set()).map((r) => r.id)).toEqual(["svc-web"]);
    expect(tableRows(g.nodes, g.edges, "nothing-like-this", new Set())).toEqual([]);
  });
});
