/**
 * Compiles the lvs-ipvs-nl helper (lvs-ipvs-nl.c) with the host's C compiler, statically linked so
 * the same file runs on any director and in the lab VM. Used by build:agent, the lab tests and
 * bench:scale. Needs gcc (or $CC) and the Linux UAPI headers (linux-libc-dev).
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

export const HELPER_SOURCE = path.join(import.meta.dirname, "lvs-ipvs-nl.c");
/** included by HELPER_SOURCE */
const INCLUDED = [path.join(import.meta.dirname, "statsServe.c")];

/** Builds into `out` (skipped when `out` is newer than the source); returns `out`. */
export function buildIpvsHelper(out: string): string {
  const cc = process.env.CC || "gcc";
  const newest = Math.max(...[HELPER_SOURCE, ...INCLUDED].map((f) => fs.statSync(f).mtimeMs));
  if (fs.existsSync(out) && fs.statSync(out).mtimeMs >= newest) return out;
  fs.mkdirSync(path.dirname(out), { recursive: true });
  // built beside and renamed: test files building the same path at once never run a half-written binary
  const tmp = `${out}.${process.pid}.tmp`;
  const r = spawnSync(cc, ["-O2", "-Wall", "-Wextra", "-Werror", "-static", "-o", tmp, HELPER_SOURCE], { encoding: "utf8" });
  if (r.error) throw new Error(`cannot build lvs-ipvs-nl: ${cc}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`cannot build lvs-ipvs-nl: ${cc} exit ${r.status}: ${r.stderr.trim()}`);
  fs.renameSync(tmp, out);
  return out;
}
