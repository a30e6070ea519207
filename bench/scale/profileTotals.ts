/**
 * Summarises a V8 .cpuprofile by function: self time and total (inclusive) time, top N by total.
 * Usage: node --import tsx bench/scale/profileTotals.ts FILE [N] [FILTER]
 */
import fs from "node:fs";

interface Node { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }
const [file = "", nText = "30", filter = ""] = process.argv.slice(2);
const prof = JSON.parse(fs.readFileSync(file, "utf8")) as { nodes: Node[]; samples: number[]; timeDeltas: number[] };
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const name = (n: Node): string => {
  const f = n.callFrame;
  return `${f.functionName || "(anonymous)"} ${f.url.replace(/^.*\/(node_modules|perf|main)\//, "")}:${f.lineNumber + 1}`;
};
const self = new Map<string, number>();
const total = new Map<string, number>();
let all = 0;
prof.samples.forEach((id, i) => {
  const dt = prof.timeDeltas[i] ?? 0;
  all += dt;
  const leaf = byId.get(id) as Node;
  self.set(name(leaf), (self.get(name(leaf)) ?? 0) + dt);
  const seen = new Set<string>();
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const k = name(byId.get(cur) as Node);
    if (seen.has(k)) continue;
    seen.add(k);
    total.set(k, (total.get(k) ?? 0) + dt);
  }
});
const pct = (v: number) => `${((v / all) * 100).toFixed(1).padStart(5)}%`;
process.stdout.write(`total sampled ${(all / 1e6).toFixed(2)} s\n  total   self  function\n`);
const rows = [...total.entries()].filter(([k]) => k.includes(filter)).sort((a, b) => b[1] - a[1]).slice(0, Number(nText));
for (const [k, v] of rows) process.stdout.write(`${pct(v)} ${pct(self.get(k) ?? 0)}  ${k}\n`);
