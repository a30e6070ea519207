/**
 * The console's folder directions (issue 11): the shared folders (_canvas, _live, _ui) import none of
 * the views, and the Design (topology/) and Live (live/) views never import each other.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = import.meta.dirname;
const VIEWS = ["topology", "live", "deploy", "directors", "topologies", "account", "audit", "users"];
const SHARED = ["_canvas", "_live", "_ui"];

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory() ? sources(p) : /\.tsx?$/.test(f) ? [p] : [];
  });
}

/** Top-level folder under (console)/ of every file `file` imports (relative or @/app/(console)/...). */
function importedFolders(file: string, text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/(?:from|import)\s*\(?\s*"([^"]+)"/g)) {
    const spec = m[1]!;
    const target = spec.startsWith("@/app/(console)/")
      ? path.join(ROOT, spec.slice("@/app/(console)/".length))
      : spec.startsWith(".") ? path.resolve(path.dirname(file), spec) : null;
    if (!target) continue;
    const rel = path.relative(ROOT, target);
    if (!rel.startsWith("..")) out.push(rel.split(path.sep)[0]!);
  }
  return out;
}

const folderOf = (file: string) => path.relative(ROOT, file).split(path.sep)[0]!;
const edges = sources(ROOT).flatMap((file) =>
  importedFolders(file, readFileSync(file, "utf8")).map((to) => ({ file: path.relative(ROOT, file), from: folderOf(file), to })),
);

describe("import directions inside app/(console)", () => {
  it("finds imports at all (the scan is not vacuous)", () => {
    expect(edges.some((e) => e.from === "topology" && e.to === "_canvas")).toBe(true);
    expect(edges.some((e) => e.from === "live" && e.to === "_live")).toBe(true);
  });

  it("shared folders import no view", () => {
    expect(edges.filter((e) => SHARED.includes(e.from) && VIEWS.includes(e.to))).toEqual([]);
  });

  it("_live (data) does not import _canvas (views of it)", () => {
    expect(edges.filter((e) => e.from === "_live" && e.to === "_canvas")).toEqual([]);
  });

  it("Design and Live do not import each other", () => {
    expect(edges.filter((e) => (e.from === "topology" && e.to === "live") || (e.from === "live" && e.to === "topology"))).toEqual([]);
  });
});
