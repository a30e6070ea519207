/**
 * `--engine auto`: ipvs when the kernel has IPVS (/proc/net/ip_vs), ipvsadm is installed and this
 * process may use it (`ipvsadm -Ln` succeeds — it fails without CAP_NET_ADMIN); else userspace.
 * /proc/net/ip_vs appears only once the ip_vs module is loaded, and ipvsadm loads it on first use
 * (it runs `modprobe ip_vs` when the kernel does not answer), so on a freshly booted director the
 * file is checked again after `ipvsadm -Ln`.
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

const PROC = "/proc/net/ip_vs";

export async function detectEngine(p: AutoProbe): Promise<AutoDecision> {
  const loadedBefore = await p.exists(PROC);
  let r;
  try {
    r = await p.exec.run([p.ipvsadm, "-Ln"]);
  } catch (e) {
    if (!loadedBefore) return { engine: "userspace", reason: `the kernel has no IPVS (${PROC} missing) and ${p.ipvsadm} is not usable: ${(e as Error).message}` };
    return { engine: "userspace", reason: `${p.ipvsadm} is not usable: ${(e as Error).message}` };
  }
  const loaded = loadedBefore || (await p.exists(PROC));
  if (!loaded) return { engine: "userspace", reason: `the kernel has no IPVS (${PROC} missing, also after ${p.ipvsadm} -Ln)` };
  if (r.code !== 0) return { engine: "userspace", reason: `${p.ipvsadm} -Ln failed (exit ${r.code}: ${r.stderr.trim().slice(0, 200)}); not permitted?` };
  return { engine: "ipvs", reason: loadedBefore ? "kernel IPVS present and ipvsadm usable" : "kernel IPVS (the ip_vs module was loaded by ipvsadm) and ipvsadm usable" };
}
