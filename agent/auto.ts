/**
 * `--engine auto`: ipvs when the kernel has IPVS (/proc/net/ip_vs), ipvsadm is installed and this
 * process may use it (`ipvsadm -Ln` succeeds — it fails without CAP_NET_ADMIN); else userspace.
 * Filesystem and exec are injected so the decision is unit-testable.
 */
import fs from "node:fs/promises";
import type { Exec } from "./engines/ipvs/exec.ts";

export interface AutoProbe {
  exists(path: string): Promise<boolean>;
  exec: Exec;
  ipvsadm: string;
}

export interface AutoDecision {
  engine: "ipvs" | "userspace";
  reason: string;
}

export const fsExists = async (p: string) => fs.access(p).then(() => true, () => false);

export async function detectEngine(p: AutoProbe): Promise<AutoDecision> {
  if (!(await p.exists("/proc/net/ip_vs"))) return { engine: "userspace", reason: "the kernel has no IPVS (/proc/net/ip_vs missing)" };
  let r;
  try {
    r = await p.exec.run([p.ipvsadm, "-Ln"]);
  } catch (e) {
    return { engine: "userspace", reason: `${p.ipvsadm} is not usable: ${(e as Error).message}` };
  }
  if (r.code !== 0) return { engine: "userspace", reason: `${p.ipvsadm} -Ln failed (exit ${r.code}: ${r.stderr.trim().slice(0, 200)}); not permitted?` };
  return { engine: "ipvs", reason: "kernel IPVS present and ipvsadm usable" };
}
