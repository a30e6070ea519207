import { describe, expect, it } from "vitest";
import { emptyTopology, newDirector, newMembership, newRealServer, newVirtualService } from "@/lvs/defaults.ts";
import type { Topology } from "@/lvs/model.ts";
import { topologyToGraph } from "../graph.ts";
import { GROUP_PAGE, groupGraph, groupIdOf, poolIdOf, revealPlan, type GroupView, type PoolNode, type ServiceGroupNode } from "./groupGraph.ts";

/** directors a, b; `single` services on a, `pair` on a+b, one unplaced; each service has `per` real servers. */
function cluster(single: number, pair: number, per: number): Topology {
  const t = emptyTopology("big");
  t.directors.push(newDirector("a", "lb1"), newDirector("b", "lb2"), newDirector("c", "idle"));
  let rs = 0;
  const add = (id: string, directorIds: string[], i: number) => {
    t.services.push(newVirtualService(id, { protocol: "tcp", address: `10.${Math.floor(i / 250)}.${i % 250}.1`, port: 80 }, { directorIds }));
    for (let k = 0; k < per; k++) {
      const r = `rs-${rs++}`;
      t.realServers.push(newRealServer(r, `172.16.${Math.floor(rs / 250)}.${rs % 250}`));
      t.memberships.push(newMembership(`m-${r}`, id, r, { state: k === 0 ? "draining" : "active" }));
    }
  };
  for (let i = 0; i < single; i++) add(`s-${i}`, ["a"], i);
  for (let i = 0; i < pair; i++) add(`p-${i}`, ["b", "a"], single + i);
  add("lonely", [], single + pair);
  return t;
}

const view = (expanded: string[] = [], pinned: string[] = []): GroupView => ({ expanded: new Set(expanded), pinned: new Set(pinned) });
const graph = (t: Topology) => topologyToGraph(t);

describe("groupGraph", () => {
  it("collapsed: one node per director and per director set, with counts; no service or real server nodes", () => {
    const g = graph(cluster(30, 5, 4));
    const out = groupGraph(g.nodes, g.edges, view());
    expect(out.nodes.map((n) => n.type).sort()).toEqual(["director", "director", "director", "serviceGroup", "serviceGroup", "serviceGroup"]);
    const groups = Object.fromEntries(out.nodes.filter((n): n is ServiceGroupNode => n.type === "serviceGroup").map((n) => [n.id, n.data]));
    expect(groups[groupIdOf(["a"])]).toMatchObject({ shown: 0, realServers: 120, memberships: { active: 90, draining: 30, disabled: 0 } });
    expect(groups[groupIdOf(["a"])]!.serviceIds).toHaveLength(30);
    // the HA pair is one group linked from both directors, whatever the order of directorIds
    expect(groups["group:a+b"]!.serviceIds).toHaveLength(5);
    expect(out.edges.filter((e) => e.target === "group:a+b").map((e) => e.source).sort()).toEqual(["a", "b"]);
    expect(groups["group:unplaced"]!.serviceIds).toEqual(["lonely"]);
  });

  it("expanding a group draws its services with collapsed pools; expanding a pool draws the real membership edges", () => {
    const g = graph(cluster(3, 0, 2));
    const open = groupGraph(g.nodes, g.edges, view([groupIdOf(["a"])]));
    expect(open.nodes.filter((n) => n.type === "service").map((n) => n.id)).toEqual(["s-0", "s-1", "s-2"]);
    const pool = open.nodes.find((n): n is PoolNode => n.id === poolIdOf("s-1"))!;
    expect(pool.data).toMatchObject({ serviceId: "s-1", membershipIds: ["m-rs-2", "m-rs-3"], memberships: { active: 1, draining: 1, disabled: 0 }, expanded: false });
    expect(open.nodes.some((n) => n.type === "realServer")).toBe(false);

    const deeper = groupGraph(g.nodes, g.edges, view([groupIdOf(["a"]), poolIdOf("s-1")]));
    expect(deeper.nodes.filter((n) => n.type === "realServer").map((n) => n.id)).toEqual(["rs-2", "rs-3"]);
    const members = deeper.edges.filter((e) => e.type === "membership");
    // same ids and data as the document's edges: selection and the inspector keep working
    expect(members.map((e) => [e.id, e.source, e.target])).toEqual([["m-rs-2", poolIdOf("s-1"), "rs-2"], ["m-rs-3", poolIdOf("s-1"), "rs-3"]]);
    expect(members[0]!.data).toBe(g.edges.find((e) => e.id === "m-rs-2")!.data);
  });

  it("draws at most a page of a huge group, plus what search pinned", () => {
    const g = graph(cluster(GROUP_PAGE + 50, 0, 1));
    const out = groupGraph(g.nodes, g.edges, view([groupIdOf(["a"])], [`s-${GROUP_PAGE + 40}`]));
    const services = out.nodes.filter((n) => n.type === "service");
    expect(services).toHaveLength(GROUP_PAGE + 1);
    expect(services.at(-1)!.id).toBe(`s-${GROUP_PAGE + 40}`);
    expect(out.nodes.find((n): n is ServiceGroupNode => n.type === "serviceGroup" && n.id === groupIdOf(["a"]))!.data.shown).toBe(GROUP_PAGE + 1);
  });

  it("lays nodes out in columns without two nodes on one spot", () => {
    const g = graph(cluster(20, 3, 3));
    const out = groupGraph(g.nodes, g.edges, view([groupIdOf(["a"]), "group:a+b", poolIdOf("s-3"), poolIdOf("p-1")]));
    const spots = out.nodes.map((n) => `${n.position.x},${n.position.y}`);
    expect(new Set(spots).size).toBe(spots.length);
    const x = (type: string) => new Set(out.nodes.filter((n) => n.type === type).map((n) => n.position.x));
    for (const t of ["director", "serviceGroup", "service", "pool", "realServer"]) expect(x(t).size).toBe(1);
  });

  it("the two directors of an HA pair with no other services are stacked, not drawn on one spot", () => {
    const g = graph(cluster(0, 3, 1));
    const out = groupGraph(g.nodes, g.edges, view());
    const spots = out.nodes.map((n) => `${n.position.x},${n.position.y}`);
    expect(new Set(spots).size).toBe(spots.length);
    const y = (id: string) => out.nodes.find((n) => n.id === id)!.position.y;
    expect(y("a")).toBe(y("group:a+b")); // the first director beside its group, the second below it
    expect(y("b")).toBeGreaterThan(y("a"));
  });

  it("10 000 services and 50 000 memberships collapse to a handful of nodes", () => {
    const g = graph(cluster(9_000, 999, 5));
    expect(g.edges.filter((e) => e.type === "membership")).toHaveLength(50_000);
    const out = groupGraph(g.nodes, g.edges, view());
    expect(out.nodes).toHaveLength(6);
    expect(out.edges).toHaveLength(3); // a→{a}, a→{a,b}, b→{a,b}; the unplaced group has no director
  });
});

describe("revealPlan (search jumps into collapsed groups)", () => {
  const g = graph(cluster(3, 1, 2));
  it("a service: its group, pinned", () => {
    expect(revealPlan("p-0", g.nodes, g.edges)).toEqual({ expand: ["group:a+b"], pin: ["p-0"] });
  });
  it("a real server or a membership: its service's group and pool", () => {
    expect(revealPlan("rs-3", g.nodes, g.edges)).toEqual({ expand: [groupIdOf(["a"]), poolIdOf("s-1")], pin: ["s-1"] });
    expect(revealPlan("m-rs-3", g.nodes, g.edges)).toEqual({ expand: [groupIdOf(["a"]), poolIdOf("s-1")], pin: ["s-1"] });
  });
  it("a director is always drawn; an unknown id reveals nothing", () => {
    expect(revealPlan("a", g.nodes, g.edges)).toEqual({ expand: [], pin: [] });
    expect(revealPlan("nope", g.nodes, g.edges)).toEqual({ expand: [], pin: [] });
  });
  it("what it reveals is then drawn", () => {
    const plan = revealPlan("rs-3", g.nodes, g.edges);
    const out = groupGraph(g.nodes, g.edges, view(plan.expand, plan.pin));
    expect(out.nodes.some((n) => n.id === "rs-3")).toBe(true);
  });
});
