/**
 * Real kernel: reconcile's plan against ipvsadm 1.31 + Linux 6.1 IPVS, in ONE VM boot.
 * For seeded pairs (A, B): load A (`ipvsadm -R < render(A)`), feed renderBatch(plan(A, B)) to
 * `ipvsadm -R`, then `ipvsadm -S -n` must equal render(B) (as a set of lines, -x/-y aside) and
 * `ipvsadm -Ln --thresholds` must show B's thresholds. The kernel accepting every -E/-e proves the
 * in-place edits are real edits, not silent no-ops or errors.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderBatch, renderRules } from "../lvs/formats/ipvsadm/render.ts";
import { listToTable, parseList, parseThresholds } from "../lvs/formats/listings/index.ts";
import type { IpvsTable } from "../lvs/model.ts";
import type { Op } from "../lvs/ops.ts";
import { plan } from "../lvs/reconcile.ts";
import { runRestoreCases, sortedLines, unsignedFwmarks, withoutThresholds, type RestoreCaseResult } from "./restoreCases.ts";
import { tablePairArbitrary } from "./tablePairs.ts";
import { listingView } from "./tableCompare.ts";
import { labManifest } from "./vm.ts";

const LAB = process.env.LVS_LAB_DIR;
const SEED = 4242;
const PAIRS = 50;

interface PairCase {
  a: IpvsTable;
  b: IpvsTable;
  ops: Op[];
}

describe.skipIf(!LAB)("real kernel: ipvsadm -R of renderBatch(plan(A, B)) on top of A gives B", () => {
  const cases: PairCase[] = LAB
    ? fc
        .sample(tablePairArbitrary({ schedulers: labManifest().schedulers, maxServices: 5, maxDestinations: 4 }), { seed: SEED, numRuns: PAIRS })
        .map(([a, b]) => ({ a, b, ops: plan(a, b) }))
    : [];
  const rows = cases.map((c, i) => [`pair#${i} (seed ${SEED}, ${c.ops.length} ops)`, i] as const);
  let results: RestoreCaseResult[] = [];
  let timing = "";

  beforeAll(async () => {
    const { results: r, vm } = await runRestoreCases(cases.map((c) => ({ streams: [renderRules(c.a), renderBatch(c.ops)] })));
    results = r;
    timing = `plan: ${cases.length} pairs in one VM, boot ${vm.bootMs} ms, total ${vm.durationMs} ms`;
  }, 300_000);
  afterAll(() => {
    const kinds = new Map<string, number>();
    for (const c of cases) for (const o of c.ops) kinds.set(o.kind, (kinds.get(o.kind) ?? 0) + 1);
    console.log(`[lab] ${timing}; ops applied by the kernel: ${[...kinds].map(([k, n]) => `${k} ${n}`).join(", ")}`);
  });

  it.each(rows)("%s: the kernel accepts A and the batch without errors", (_name, i) => {
    expect(results[i]!.streams).toEqual([
      { output: "", exitCode: 0 },
      { output: "", exitCode: 0 },
    ]);
  });

  it.each(rows)("%s: ipvsadm -S -n after the batch equals render(B)", (_name, i) => {
    expect(sortedLines(unsignedFwmarks(results[i]!.saved))).toEqual(sortedLines(withoutThresholds(renderRules(cases[i]!.b))));
  });

  it.each(rows)("%s: -Ln --thresholds after the batch shows B's weights, methods and thresholds", (_name, i) => {
    const r = results[i]!;
    const listed = listToTable(parseList(unsignedFwmarks(r.listing)), parseThresholds(unsignedFwmarks(r.thresholds)));
    expect(listingView(listed)).toEqual(listingView(cases[i]!.b));
  });

  it("the sample exercises in-place edits of services (-E) and real servers (-e), never -C", () => {
    const all = cases.flatMap((c) => c.ops.map((o) => o.kind));
    expect(all.filter((k) => k === "edit-service").length).toBeGreaterThanOrEqual(10);
    expect(all.filter((k) => k === "edit-destination").length).toBeGreaterThanOrEqual(10);
    expect(all).not.toContain("clear");
  });
});
