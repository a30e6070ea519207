/**
 * Compiles the native TCP relay (lvs-tcp-relay.c) with the host's C compiler, statically linked like
 * lvs-ipvs-nl. Used by build:agent (the .deb), the relay's tests and bench:engine. Needs gcc (or $CC).
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

export const RELAY_SOURCE = path.join(import.meta.dirname, "lvs-tcp-relay.c");

/** Builds into `out` (skipped when `out` is newer than the source); returns `out`. */
export function buildTcpRelay(out: string): string {
  const cc = process.env.CC || "gcc";
  if (fs.existsSync(out) && fs.statSync(out).mtimeMs >= fs.statSync(RELAY_SOURCE).mtimeMs) return out;
  fs.mkdirSync(path.dirname(out), { recursive: true });
  const tmp = `${out}.${process.pid}.tmp`; // concurrent builders (test files in parallel) never see half a file
  const r = spawnSync(cc, ["-O2", "-Wall", "-Wextra", "-Werror", "-static", "-o", tmp, RELAY_SOURCE], { encoding: "utf8" });
  if (r.error) throw new Error(`cannot build lvs-tcp-relay: ${cc}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`cannot build lvs-tcp-relay: ${cc} exit ${r.status}: ${r.stderr.trim()}`);
  fs.renameSync(tmp, out);
  return out;
}
