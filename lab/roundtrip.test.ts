/**
 * Real kernel: our ipvsadm renderer against ipvsadm 1.31 + Linux 6.1 IPVS (one VM boot for all cases).
 * For every table: `ipvsadm -R < render(table)`, then `ipvsadm -S -n` must equal the render without
 * the -x/-y that ipvsadm-save drops, and `ipvsadm -Ln --thresholds` / `-Ln` must parse back to it.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseRules } from "../lvs/formats/ipvsadm/parse.ts";
import { renderRules } from "../lvs/formats/ipvsadm/render.ts";
import { listToTable, parseList, parseThresholds } from "../lvs/formats/listings/index.ts";
import type { IpvsTable } from "../lvs/model.ts";
import { ipvsadmOrderDetermined, totallySorted } from "./tableCompare.ts";
import { runRestoreCases, sortedLines, unsignedFwmarks, withoutThresholds, type RestoreCaseResult } from "./restoreCases.ts";

const LAB = process.env.LVS_LAB_DIR;
const CORPUS = path.join(import.meta.dirname, "corpus");

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

/** What -Ln/--thresholds can show: no tunnel type, no persistence engine details beyond "pe sip". */
function listingView(t: IpvsTable): IpvsTable {
  return totallySorted({
    services: t.services.map((s) => ({
      ...s,
      destinations: s.destinations.map((d) => ({ ...d, tunnel: d.method === "tun" ? { type: "ipip", port: null, checksum: null } : null })),
    })),
  });
}

describe.skipIf(!LAB)("real kernel: ipvsadm -R / -S round trip of our render", () => {
  const cases: Case[] = LAB ? corpusCases() : [];
  let results: RestoreCaseResult[] = [];
  let timing = "";

  beforeAll(async () => {
    const { results: r, vm } = await runRestoreCases(cases.map((c) => ({ streams: [c.rendered] })));
    results = r;
    timing = `round trip: ${cases.length} tables in one VM, boot ${vm.bootMs} ms, total ${vm.durationMs} ms`;
  }, 300_000);
  afterAll(() => console.log(`[lab] ${timing}`));

  it.each(cases.map((c, i) => [c.name, i] as const))("%s: ipvsadm -R accepts the render", (_name, i) => {
    expect(results[i]!.streams[0]).toEqual({ output: "", exitCode: 0 });
  });

  it.each(cases.map((c, i) => [c.name, i] as const))("%s: ipvsadm -S -n equals the render (as a set of lines)", (_name, i) => {
    const want = withoutThresholds(cases[i]!.rendered);
    expect(sortedLines(unsignedFwmarks(results[i]!.saved))).toEqual(sortedLines(want));
  });

  const ordered = cases.map((c, i) => [c.name, i] as const).filter(([, i]) => ipvsadmOrderDetermined(cases[i]!.table));
  it.each(ordered)("%s: ipvsadm -S -n equals the render byte for byte (order determined)", (_name, i) => {
    expect(unsignedFwmarks(results[i]!.saved)).toBe(withoutThresholds(cases[i]!.rendered));
  });

  it.each(cases.map((c, i) => [c.name, i] as const))("%s: -Ln and -Ln --thresholds parse back to the table", (_name, i) => {
    const r = results[i]!;
    const listed = listToTable(parseList(unsignedFwmarks(r.listing)), parseThresholds(unsignedFwmarks(r.thresholds)));
    expect(listingView(listed)).toEqual(listingView(cases[i]!.table));
  });

  it("ipvsadm 1.31 prints fwmarks >= 2^31 as negative numbers (and cannot restore them)", () => {
    const i = cases.findIndex((c) => c.name === "corpus/ordering.rules");
    expect(results[i]!.saved).toContain("-A -f -1294967296 -s rr\n");
    expect(results[i]!.listing).toContain("FWM  -2147483648 rr\n");
  });
});
