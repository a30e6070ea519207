/**
 * Compiles the lvs-ipvs-nl helper (lvs-ipvs-nl.c) with the host's C compiler, statically linked so
 * the same file runs on any director and in the lab VM. Used by build:agent, the lab tests and
 * bench:scale. Needs gcc (or $CC) and the Linux UAPI headers (linux-libc-dev).
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

export const HELPER_SOURCE = path.join(import.meta.dirname, "lvs-ipvs-nl.c");

/** Builds into `out` (skipped when `out` is newer than the source); returns `out`. */
export function buildIpvsHelper(out: string): string {
  const cc = process.env.CC || "gcc";
  if (fs.existsSync(out) && fs.statSync(out).mtimeMs >= fs.statSync(HELPER_SOURCE).mtimeMs) return out;
  fs.mkdirSync(path.dirname(out), { recursive: true });
  const r = spawnSync(cc, ["-O2", "-Wall", "-Wextra", "-Werror", "-static", "-o", out, HELPER_SOURCE], { encoding: "utf8" });
  if (r.error) throw new Error(`cannot build lvs-ipvs-nl: ${cc}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`cannot build lvs-ipvs-nl: ${cc} exit ${r.status}: ${r.stderr.trim()}`);
  return out;
}
