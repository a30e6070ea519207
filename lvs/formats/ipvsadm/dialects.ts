/**
 * Options of forked ipvsadm builds that mainline ipvsadm and the kernel do not have: FULLNAT from
 * Alibaba LVS and iQIYI DPVS (`-b` as a forwarding method, local addresses `-P/-Q/-G/-z`, synproxy `-j`).
 * Recognised so that an import fails with a clear reason instead of a generic "unknown option".
 */

const FORK = "forked ipvsadm builds (Alibaba LVS/DPVS); mainline ipvsadm does not support it";

const SHORT: Record<string, string> = {
  z: `-z is a FULLNAT local-address option of ${FORK}`,
  P: `-P (add local address) is a FULLNAT command of ${FORK}`,
  Q: `-Q (delete local address) is a FULLNAT command of ${FORK}`,
  G: `-G (list local addresses) is a FULLNAT command of ${FORK}`,
  j: `-j is the SYN-proxy option of ${FORK}`,
};

const LONG: Record<string, string> = {
  "--fullnat": `--fullnat is the FULLNAT forwarding method of ${FORK}`,
  "--laddr": `--laddr is a FULLNAT local-address option of ${FORK}`,
  "--add-laddr": `--add-laddr is a FULLNAT command of ${FORK}`,
  "--del-laddr": `--del-laddr is a FULLNAT command of ${FORK}`,
  "--get-laddr": `--get-laddr is a FULLNAT command of ${FORK}`,
  "--synproxy": `--synproxy is the SYN-proxy option of ${FORK}`,
};

/** The message for the first foreign-dialect option on a line, or null. */
export function foreignDialect(words: readonly string[]): string | null {
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
        return "-b used as a forwarding method is FULLNAT from forked ipvsadm builds (Alibaba LVS/DPVS); mainline IPVS forwards only with -g (DR), -i (TUN) and -m (NAT), and mainline -b takes scheduler flags on -A/-E";
      }
    }
  }
  return null;
}
