/**
 * Options of forked ipvsadm builds that mainline ipvsadm and the kernel do not have: FULLNAT from
 * Alibaba LVS and iQIYI DPVS (`-b` as a forwarding method, local addresses `-P/-Q/-G/-z`, synproxy `-j`).
 * Recognised so that an import fails with a clear reason instead of a generic "unknown option".
 */

import { coded, type Coded } from "../diagnostics.ts";

const fork = (option: string, kind: "laddr" | "command" | "synproxy" | "fullnat"): Coded => coded("ipvsadm.fork-option", { option, kind });

const SHORT: Record<string, Coded> = {
  z: fork("-z", "laddr"),
  P: fork("-P (add local address)", "command"),
  Q: fork("-Q (delete local address)", "command"),
  G: fork("-G (list local addresses)", "command"),
  j: fork("-j", "synproxy"),
};

const LONG: Record<string, Coded> = {
  "--fullnat": fork("--fullnat", "fullnat"),
  "--laddr": fork("--laddr", "laddr"),
  "--add-laddr": fork("--add-laddr", "command"),
  "--del-laddr": fork("--del-laddr", "command"),
  "--get-laddr": fork("--get-laddr", "command"),
  "--synproxy": fork("--synproxy", "synproxy"),
};

/** The message for the first foreign-dialect option on a line, or null. */
export function foreignDialect(words: readonly string[]): Coded | null {
  const first = words[0] ?? "";
  const isServerCmd = /^-[ae]/.test(first) || first === "--add-server" || first === "--edit-server";
  for (let i = 0; i < words.length; i++) {
    const w = words[i] as string;
    if (w === "--") break;
    if (w.startsWith("--")) {
      const name = w.split("=")[0] as string;
      const m = LONG[name];
      if (m) return m;
      continue;
    }
    if (!w.startsWith("-") || w.length < 2) continue;
    const c = w[1] as string;
    const m = SHORT[c];
    if (m) return m;
    if (w === "-b" || w === "--sched-flags") {
      const next = words[i + 1];
      if (isServerCmd || next === undefined || next.startsWith("-")) {
        return coded("ipvsadm.fork-b-method");
      }
    }
  }
  return null;
}
