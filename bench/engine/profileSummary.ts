/** Summarises a V8 .cpuprofile: self time by function (top N). Usage: profileSummary.ts FILE [N] */
import fs from "node:fs";

interface Node { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }
const [file = "", nText = "25"] = process.argv.slice(2);
const prof = JSON.parse(fs.readFileSync(file, "utf8")) as { nodes: Node[]; samples: number[]; timeDeltas: number[] };
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const self = new Map<string, number>();
let total = 0;
prof.samples.forEach((id, i) => {
  const n = byId.get(id)!;
  const dt = prof.timeDeltas[i] ?? 0;
  total += dt;
  const f = n.callFrame;
  const key = `${f.functionName || "(anonymous)"} ${f.url.replace(/^.*\/(node_modules|work\/main)\//, "")}:${f.lineNumber + 1}`;
  self.set(key, (self.get(key) ?? 0) + dt);
});
const rows = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, Number(nText));
for (const [k, v] of rows) process.stdout.write(`${((v / total) * 100).toFixed(1).padStart(5)}%  ${k}\n`);
