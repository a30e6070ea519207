/**
 * Many ipvsadm -R cases in ONE VM boot. Each case starts from an empty table (`ipvsadm -C`),
 * feeds its streams to `ipvsadm -R` in order (or runs them with `sh` for command scripts), then records `ipvsadm -S -n`, `ipvsadm -Ln` and
 * `ipvsadm -Ln --thresholds`.
 */
import { runInVm, splitSections, type VmResult } from "./vm.ts";

export interface RestoreCase {
  /** rule streams for `ipvsadm -R`, applied one after the other */
  streams: string[];
  /** the streams are shell scripts (renderCommands) run with `sh` instead of fed to `ipvsadm -R` */
  script?: boolean;
}

export interface StreamResult {
  /** stdout+stderr of `ipvsadm -R` (empty when every line was accepted) */
  output: string;
  exitCode: number;
}

export interface RestoreCaseResult {
  streams: StreamResult[];
  /** `ipvsadm -S -n` after the last stream */
  saved: string;
  /** `ipvsadm -Ln` */
  listing: string;
  /** `ipvsadm -Ln --thresholds` */
  thresholds: string;
}

const SCRIPT = `
# IPv4/IPv6 real servers are refused ("address not unicast") without a route to them
# (the dummy module creates dummy0 when it loads)
[ -e /sys/class/net/dummy0 ] || ip link add dummy0 type dummy
ip link set dummy0 up
ip addr add 10.255.255.1/32 dev dummy0
ip route add default dev dummy0
ip -6 addr add fd00:ffff::1/128 dev dummy0
ip -6 route add default dev dummy0
for dir in /lab/cases/*; do
  n=\${dir##*/}
  clear="-C"
  for f in "$dir"/*.rules "$dir"/*.sh; do
    [ -f "$f" ] || continue
    s=\${f##*/}; s=\${s%.*}
    section "restore-$n-$s"
    if [ "\${f%.sh}" != "$f" ]; then
      { [ -n "$clear" ] && ipvsadm -C; sh "$f"; } 2>&1
    else
      # the first stream starts with -C (one ipvsadm run less per case: each costs ~50 ms emulated)
      { [ -n "$clear" ] && echo "$clear"; cat "$f"; } | ipvsadm -R 2>&1
    fi
    echo "@@rc=$?"
    clear=""
  done
  [ -n "$clear" ] && ipvsadm -C
  section "save-$n"; ipvsadm -S -n 2>&1
  section "list-$n"; ipvsadm -Ln 2>&1
  section "thr-$n"; ipvsadm -Ln --thresholds 2>&1
done
section end
`;

const pad = (i: number): string => String(i).padStart(4, "0");

export async function runRestoreCases(
  cases: RestoreCase[],
  opts: { timeoutMs?: number } = {},
): Promise<{ results: RestoreCaseResult[]; vm: VmResult }> {
  const files: Record<string, string> = {};
  cases.forEach((c, i) => {
    c.streams.forEach((stream, j) => (files[`/lab/cases/${pad(i)}/${pad(j)}.${c.script ? "sh" : "rules"}`] = stream));
    if (c.streams.length === 0) files[`/lab/cases/${pad(i)}/.keep`] = "";
  });
  const vm = await runInVm({ script: SCRIPT, files, timeoutMs: opts.timeoutMs ?? 120_000 + cases.length * 2_000 });
  if (vm.exitCode !== 0) throw new Error(`restore cases: VM script exited ${vm.exitCode}:\n${vm.output.slice(-3000)}`);
  const sec = splitSections(vm.output);
  const get = (name: string): string => {
    const v = sec.get(name);
    if (v === undefined) throw new Error(`restore cases: section ${name} missing from the VM output`);
    return v;
  };
  const results = cases.map((c, i) => ({
    streams: c.streams.map((_, j) => {
      const raw = get(`restore-${pad(i)}-${pad(j)}`);
      const m = /@@rc=(\d+)\n?$/.exec(raw);
      if (!m) throw new Error(`restore cases: no exit status for case ${i} stream ${j}`);
      return { output: raw.slice(0, m.index), exitCode: Number(m[1]) };
    }),
    saved: get(`save-${pad(i)}`),
    listing: get(`list-${pad(i)}`),
    thresholds: get(`thr-${pad(i)}`),
  }));
  return { results, vm };
}

/** Drop ` -x N` / ` -y N` from -a lines: ipvsadm -S never prints thresholds. */
export function withoutThresholds(rules: string): string {
  return rules.replace(/ -[xy] \d+/g, "");
}

/** The lines of a rules text as a sorted multiset (ipvsadm's save order is not a total order). */
export function sortedLines(rules: string): string[] {
  return rules.split("\n").filter((l) => l !== "").sort();
}

/**
 * ipvsadm 1.31 prints fwmarks with %d: marks >= 2^31 come out negative (`-f -1` for 4294967295) in
 * -S and -L, and `ipvsadm -R` then refuses its own output ("invalid fwmark value"). Map them back.
 */
export function unsignedFwmarks(text: string): string {
  return text.replace(/(-f |FWM {2})(-\d+)/g, (_, p: string, n: string) => `${p}${Number(n) + 2 ** 32}`);
}
