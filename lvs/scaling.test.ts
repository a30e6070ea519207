/**
 * Complexity guards for the core at scale (issue 17): each operation runs on a generated table of
 * n and 4n services in one process, counting steps (property reads on the input, Array callbacks,
 * Map/Set operations: lvs/testing/workCounter.ts) instead of time. Linear or n·log n work grows
 * about 4×; the quadratic code this replaced (a findIndex per rules line, a walk over every
 * membership per service, a find per planned op) grew 12–16×.
 */
import { describe, expect, it } from "vitest";
import { canonicalTable } from "./canonical.ts";
import { compileDirector } from "./compile.ts";
import { observedFromStats, planDirector, detectDrift } from "./deployPlan.ts";
import { diffTopologies } from "./diff.ts";
import { parseRules } from "./formats/ipvsadm/parse.ts";
import { renderRules } from "./formats/ipvsadm/render.ts";
import { parseKeepalived, renderKeepalived } from "./formats/keepalived/index.ts";
import { parseList, parseStats, parseRate, renderList, renderStats, renderRate, listFromTable, mergeListings } from "./formats/listings/index.ts";
import { healthPlan } from "./healthPlan.ts";
import { importActualTable } from "./importActual.ts";
import type { IpvsTable, StatsSnapshot, Topology } from "./model.ts";
import { applyOps, op, type Op } from "./ops.ts";
import { TableBuilder } from "./tableBuilder.ts";
import { plan } from "./reconcile.ts";
import { tableToTopology } from "./tableToTopology.ts";
import { genTable, perturb } from "./testing/bigTable.ts";
import { scalingRatio, untracked } from "./testing/workCounter.ts";
import { validate, validateTable } from "./validate.ts";
import { serviceKeyOf } from "./tableKey.ts";

const N = 150;
const DESTS = 4;
/** linear: ~4; n·log n: ~4.5–5; quadratic: ~16 */
const MAX_RATIO = 6;

const ids = () => {
  let i = 0;
  return (kind: string) => `${kind}-${++i}`;
};
const topo = (t: IpvsTable): Topology => {
  const out = tableToTopology(t, { newId: ids(), director: { name: "lb1" } });
  const hc = { kind: "tcp" as const, intervalMs: 5000, timeoutMs: 2000, rise: 2, fall: 3, onFailure: "quiesce" as const };
  return { ...out, services: out.services.map((s) => ({ ...s, healthCheck: hc as never })) };
};
const zero = { conns: 0, inPkts: 0, outPkts: 0, inBytes: 0, outBytes: 0 };
const zr = { cps: 0, inPps: 0, outPps: 0, inBps: 0, outBps: 0 };
const stats = (t: IpvsTable): StatsSnapshot => ({
  at: 0,
  services: t.services.map((s) => ({
    key: serviceKeyOf(s), counters: zero, rates: zr,
    destinations: s.destinations.map((d) => ({ address: d.address, port: d.port, weight: d.weight, activeConns: 1, inactConns: 2, persistConns: 0, counters: zero, rates: zr })),
  })),
});

function expectLinear(name: string, prepare: (n: number) => unknown, run: (input: never) => unknown): void {
  const r = scalingRatio(prepare as (n: number) => never, run, N);
  expect(r.ratio, `${name}: ${r.small} steps at ${N} services, ${r.large} at ${4 * N}`).toBeLessThan(MAX_RATIO);
}

describe("the core scales (n log n at worst) in the number of services", () => {
  it("parses rules (ipvsadm -R replay)", () => {
    expectLinear("parseRules", (n) => renderRules(genTable(n, DESTS)), (text: string) => parseRules(text));
    // the general path (every line through parseArgv + interpretLine) too, and a file with edits and deletes
    expectLinear("parseRules (general path)", (n) => renderRules(genTable(n, DESTS)), (text: string) => parseRules(text, { fastPath: false }));
    expectLinear("parseRules (edits, deletes)", (n) => {
      const text = renderRules(genTable(n, DESTS));
      const edits = text.split("\n").filter((l) => l.startsWith("-a ")).map((l, i) => (i % 2 ? l.replace(/^-a /, "-e ").replace(/-w \d+/, "-w 7") : l.replace(/^-a /, "-d ").replace(/ -[gmi] .*$/, "")));
      return `${text}${edits.join("\n")}\n`;
    }, (text: string) => parseRules(text));
  });
  it("replays adds, edits and deletes on one service of many real servers (TableBuilder: scanned while small, indexed past that)", () => {
    const svc = { protocol: "tcp" as const, family: "inet" as const, address: "10.0.0.1", port: 80 };
    const ops = (n: number): Op[] => {
      const dests = Array.from({ length: n * DESTS }, (_, i) => ({ address: `172.16.${i >> 8}.${i & 255}`, port: 8080, method: "nat" as const, weight: 1, upperThreshold: 0, lowerThreshold: 0, tunnel: null }));
      return [
        op.addService({ ...svc, scheduler: "wlc", flags: [], persistence: null, persistenceEngine: null, onePacket: false }),
        ...dests.map((d) => op.addDestination(svc, d)),
        ...dests.filter((_, i) => i % 2).map((d) => op.editDestination(svc, { ...d, weight: 2 })),
        ...dests.filter((_, i) => i % 3 === 0).map((d) => op.deleteDestination(svc, d)),
      ];
    };
    expectLinear("TableBuilder.apply", ops, (o: Op[]) => {
      const b = new TableBuilder();
      for (const x of o) b.apply(x);
      return b.toTable();
    });
  });
  it("renders canonical rules and the canonical table", () => {
    expectLinear("renderRules", (n) => genTable(n, DESTS), (t: IpvsTable) => renderRules(t));
    expectLinear("canonicalTable", (n) => genTable(n, DESTS), (t: IpvsTable) => canonicalTable(t));
  });
  it("validates a table and a topology", () => {
    expectLinear("validateTable", (n) => genTable(n, DESTS), (t: IpvsTable) => validateTable(t));
    expectLinear("validate", (n) => topo(genTable(n, DESTS)), (t: Topology) => validate(t));
  });
  it("plans between two tables and replays the plan", () => {
    expectLinear("plan", (n) => { const a = genTable(n, DESTS); return { a, b: perturb(a, 0.05).table }; }, (x: { a: IpvsTable; b: IpvsTable }) => plan(x.a, x.b));
    expectLinear("applyOps", (n) => plan({ services: [] }, genTable(n, DESTS)), (ops: never) => applyOps({ services: [] }, ops));
  });
  it("plans for the deploy tab (with statistics) and detects drift (with health targets)", () => {
    const prep = (n: number) => {
      const a = genTable(n, DESTS);
      const b = perturb(a, 0.05).table;
      const t = topo(b);
      return { a, b, observed: observedFromStats(stats(a)), health: healthPlan(t, t.directors[0]!.id, b) };
    };
    type P = ReturnType<typeof prep>;
    expectLinear("planDirector", prep, (x: P) => planDirector(x.a, x.b, x.observed));
    expectLinear("detectDrift", prep, (x: P) => detectDrift(x.a, x.b, x.health, x.observed));
  });
  it("converts between tables and topologies", () => {
    expectLinear("tableToTopology", (n) => genTable(n, DESTS), (t: IpvsTable) => tableToTopology(t, { newId: ids(), director: { name: "lb1" } }));
    expectLinear("compileDirector", (n) => topo(genTable(n, DESTS)), (t: Topology) => compileDirector(t, t.directors[0]!.id));
    expectLinear("healthPlan", (n) => { const t = genTable(n, DESTS); return { t, topo: topo(t) }; }, (x: { t: IpvsTable; topo: Topology }) => healthPlan(x.topo, x.topo.directors[0]!.id, x.t));
    expectLinear("importActualTable", (n) => { const t = genTable(n, DESTS); return { topo: topo(t), actual: perturb(t, 0.05).table }; }, (x: { topo: Topology; actual: IpvsTable }) => importActualTable(untracked(x.topo), "director-1", x.actual, ids()));
  });
  it("diffs two topology revisions", () => {
    expectLinear("diffTopologies", (n) => {
      const t = genTable(n, DESTS);
      const a = topo(t);
      const b = importActualTable(a, "director-1", perturb(t, 0.05).table, ids());
      return { a, b };
    }, (x: { a: Topology; b: Topology }) => diffTopologies(x.a, x.b));
  });
  it("reads the agent's listings (-Ln, --stats, --rate) into a statistics snapshot", () => {
    expectLinear("listings", (n) => {
      const t = genTable(n, DESTS);
      const s = stats(t);
      return { ln: renderList(listFromTable(t)), st: renderStats(s as never, { exact: true }), rt: renderRate(s as never, { exact: true }) };
    }, (x: { ln: string; st: string; rt: string }) => mergeListings(parseList(x.ln), parseStats(x.st), parseRate(x.rt), 0));
  });
  it("parses and renders keepalived.conf", () => {
    expectLinear("keepalived", (n) => renderKeepalived({ table: canonicalTable(genTable(n, DESTS)) }), (text: string) => parseKeepalived(text));
  });
});
