/**
 * The kernel lab by hand:  npm run lab -- <command> ...
 *
 *   info                         kernel, ipvsadm and modules of the built lab
 *   shell-script FILE [--net]    run FILE (busybox sh) in a fresh VM, print its output
 *   exec 'COMMANDS' [--net]      the same with an inline script
 *   ipvsadm-roundtrip RULES...   ipvsadm -R each file, print ipvsadm -S -n / -Ln --thresholds and
 *                                whether the save equals the file (as a set of lines, -x/-y ignored)
 *
 * --net gives the VM QEMU user networking: the host's 127.0.0.1:PORT is 10.0.2.2:PORT.
 * Needs `bash lab/build.sh` first (or LVS_LAB_DIR).
 */
import { readFileSync } from "node:fs";
import { runRestoreCases, sortedLines, withoutThresholds } from "./restoreCases.ts";
import { defaultLabDir, labManifest, runInVm, VmError } from "./vm.ts";

const USAGE = `usage: npm run lab -- info
       npm run lab -- shell-script FILE [--net]
       npm run lab -- exec 'COMMANDS' [--net]
       npm run lab -- ipvsadm-roundtrip RULES_FILE...`;

async function main(argv: string[]): Promise<number> {
  const net = argv.includes("--net") ? ("user" as const) : ("none" as const);
  const args = argv.filter((a) => a !== "--net");
  const [cmd, ...rest] = args;
  switch (cmd) {
    case "info": {
      console.log(`lab dir: ${defaultLabDir()}`);
      console.log(JSON.stringify(labManifest(), null, 2));
      return 0;
    }
    case "shell-script":
    case "exec": {
      if (rest.length !== 1) break;
      const script = cmd === "exec" ? rest[0]! : readFileSync(rest[0]!, "utf8");
      const r = await runInVm({ script, net, timeoutMs: 300_000 });
      process.stdout.write(r.output);
      console.error(`[lab] exit ${r.exitCode}; boot ${r.bootMs} ms, total ${r.durationMs} ms${r.kvm ? " (KVM)" : ""}`);
      return r.exitCode;
    }
    case "ipvsadm-roundtrip": {
      if (rest.length === 0) break;
      const texts = rest.map((f) => readFileSync(f, "utf8"));
      const { results, vm } = await runRestoreCases(texts.map((t) => ({ streams: [t] })));
      let bad = 0;
      results.forEach((r, i) => {
        const stream = r.streams[0]!;
        const same =
          JSON.stringify(sortedLines(r.saved)) === JSON.stringify(sortedLines(withoutThresholds(texts[i]!)));
        if (!same || stream.exitCode !== 0 || stream.output !== "") bad++;
        console.log(`==== ${rest[i]}: ipvsadm -R exit ${stream.exitCode}${same ? ", save == input" : ", save DIFFERS from input"}`);
        if (stream.output) console.log(`---- ipvsadm -R said:\n${stream.output.trimEnd()}`);
        console.log(`---- ipvsadm -S -n\n${r.saved.trimEnd()}`);
        console.log(`---- ipvsadm -Ln --thresholds\n${r.thresholds.trimEnd()}`);
      });
      console.error(`[lab] ${results.length} file(s), ${bad} with differences; boot ${vm.bootMs} ms, total ${vm.durationMs} ms`);
      return bad ? 1 : 0;
    }
    default:
      break;
  }
  console.error(USAGE);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof VmError ? `[lab] ${err.kind}: ${err.message}` : err);
    process.exit(1);
  },
);
