/**
 * Real kernel: our ipvsadm renderer against ipvsadm 1.31 + Linux 6.1 IPVS, in ONE VM boot for the
 * hand-written corpus (lab/corpus/*.rules) plus seeded property-generated tables. For every table:
 * `ipvsadm -R < render(table)`, then `ipvsadm -S -n` must equal the render without the -x/-y that
 * ipvsadm-save drops (byte for byte where ipvsadm's sort order is determined, else as a set of
 * lines), and `ipvsadm -Ln` + `-Ln --thresholds` must parse back to the table.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseRules } from "../lvs/formats/ipvsadm/parse.ts";
import { renderCommands, renderRules } from "../lvs/formats/ipvsadm/render.ts";
import { listToTable, parseList, parseThresholds } from "../lvs/formats/listings/index.ts";
import type { IpvsTable } from "../lvs/model.ts";
import { ipvsTableArbitrary } from "../lvs/testing/arbitraries.ts";
import { runRestoreCases, sortedLines, unsignedFwmarks, withoutThresholds, type RestoreCaseResult } from "./restoreCases.ts";
import { ipvsadmOrderDetermined, listingView } from "./tableCompare.ts";
import { labManifest } from "./vm.ts";

const LAB = process.env.LVS_LAB_DIR;
const CORPUS = path.join(import.meta.dirname, "corpus");
const SEED = 20261125;
const GENERATED = 80;

interface Case {
  name: string;
  table: IpvsTable;
  rendered: string;
}

function corpusCases(): Case[] {
  return readdirSync(CORPUS)
    .filter((f) => f.endsWith(".rules"))
    .sort()
    .map((f) => {
      const parsed = parseRules(readFileSync(path.join(CORPUS, f), "utf8"));
      if (parsed.errors.length) throw new Error(`lab/corpus/${f}: ${parsed.errors.map((e) => `line ${e.line}: ${e.message}`).join("; ")}`);
      return { name: `corpus/${f}`, table: parsed.table, rendered: renderRules(parsed.table) };
    });
}

function generatedCases(): Case[] {
  const arb = ipvsTableArbitrary({ schedulers: labManifest().schedulers, maxServices: 6, maxDestinations: 5 });
  return fc.sample(arb, { seed: SEED, numRuns: GENERATED }).map((table, i) => ({ name: `generated#${i} (seed ${SEED})`, table, rendered: renderRules(table) }));
}

describe.skipIf(!LAB)("real kernel: ipvsadm -R / -S round trip of our render", () => {
  const cases: Case[] = LAB ? [...corpusCases(), ...generatedCases()] : [];
  const rows = cases.map((c, i) => [c.name, i] as const);
  let results: RestoreCaseResult[] = [];
  let timing = "";

  // the corpus again as `lvsctl convert --to commands` shell scripts (ipvsadm -A/-a lines, with -x/-y)
  const scripts: Case[] = LAB ? corpusCases().map((c) => ({ ...c, name: c.name.replace("corpus/", "commands/"), rendered: renderCommands(c.table) })) : [];
  let scriptResults: RestoreCaseResult[] = [];

  beforeAll(async () => {
    const { results: r, vm } = await runRestoreCases([
      ...cases.map((c) => ({ streams: [c.rendered] })),
      ...scripts.map((c) => ({ streams: [c.rendered], script: true })),
    ]);
    results = r.slice(0, cases.length);
    scriptResults = r.slice(cases.length);
    const lines = cases.reduce((n, c) => n + sortedLines(c.rendered).length, 0);
    timing = `round trip: ${cases.length} tables (${lines} rule lines) + ${scripts.length} command scripts in one VM, boot ${vm.bootMs} ms, total ${vm.durationMs} ms`;
  }, 300_000);
  afterAll(() => console.log(`[lab] ${timing}`));

  it.each(rows)("%s: ipvsadm -R accepts the render", (_name, i) => {
    expect(results[i]!.streams[0]).toEqual({ output: "", exitCode: 0 });
  });

  it.each(rows)("%s: ipvsadm -S -n equals the render (as a set of lines)", (_name, i) => {
    const want = withoutThresholds(cases[i]!.rendered);
    expect(sortedLines(unsignedFwmarks(results[i]!.saved))).toEqual(sortedLines(want));
  });

  const ordered = rows.filter(([, i]) => ipvsadmOrderDetermined(cases[i]!.table));
  it.each(ordered)("%s: ipvsadm -S -n equals the render byte for byte (order determined)", (_name, i) => {
    expect(unsignedFwmarks(results[i]!.saved)).toBe(withoutThresholds(cases[i]!.rendered));
  });

  it.each(rows)("%s: -Ln and -Ln --thresholds parse back to the table", (_name, i) => {
    const r = results[i]!;
    const listed = listToTable(parseList(unsignedFwmarks(r.listing)), parseThresholds(unsignedFwmarks(r.thresholds)));
    expect(listingView(listed)).toEqual(listingView(cases[i]!.table));
  });

  const scriptRows = scripts.map((c, i) => [c.name, i] as const);
  it.each(scriptRows)("%s: the command script runs under sh and builds the table, thresholds included", (_name, i) => {
    const r = scriptResults[i]!;
    expect(r.streams[0]).toEqual({ output: "", exitCode: 0 });
    expect(sortedLines(unsignedFwmarks(r.saved))).toEqual(sortedLines(withoutThresholds(renderRules(scripts[i]!.table))));
    const listed = listToTable(parseList(unsignedFwmarks(r.listing)), parseThresholds(unsignedFwmarks(r.thresholds)));
    expect(listingView(listed)).toEqual(listingView(scripts[i]!.table));
  });

  it("ipvsadm 1.31 prints fwmarks >= 2^31 as negative numbers (and -R refuses them)", () => {
    const i = cases.findIndex((c) => c.name === "corpus/ordering.rules");
    expect(results[i]!.saved).toContain("-A -f -1294967296 -s rr\n");
    expect(results[i]!.listing).toContain("FWM  -2147483648 rr\n");
  });
});
