/**
 * Exec.serve (agent/engines/ipvs/answerServer.ts) inside the lab VM, over the job channel: the helper
 * runs in the VM in the background reading a FIFO (a `sleep` holds its write end open between jobs);
 * each request is one job that writes the line into the FIFO, waits for the helper's next status line
 * and prints it, then the answer file. Slow (a job per read) but the helper is the real one, on the
 * real kernel, kept running between reads exactly as the agent keeps it.
 */
import type { AnswerServer } from "../agent/engines/ipvs/answerServer.ts";
import { shq, type VmExecChannel } from "./vmExecChannel.ts";

export function vmAnswerServer(channel: VmExecChannel, argv: readonly string[], tag = "nlserve"): AnswerServer {
  const f = (n: string) => `/tmp/${tag}.${n}`;
  const started = channel.shell(`
rm -f ${f("in")} ${f("out")} ${f("err")} ${f("ans")}; mkfifo ${f("in")}; : > ${f("out")}
sleep 100000 > ${f("in")} &
echo $! > ${f("holder")}
${argv.map(shq).join(" ")} ${f("ans")} < ${f("in")} > ${f("out")} 2> ${f("err")} &
echo $! > ${f("pid")}
echo started
`).then((r) => {
    if (r.stdout.trim() !== "started") throw new Error(`cannot start ${argv.join(" ")} in the VM: ${r.stderr}`);
  });
  started.catch(() => {}); // a request reports it
  let closed = false;
  let busy = false;
  return {
    get closed() { return closed; },
    pid: undefined,
    close() {
      if (closed) return;
      closed = true;
      void channel.shell(`kill $(cat ${f("pid")}) $(cat ${f("holder")}) 2>/dev/null; true`);
    },
    async request(line: string): Promise<Uint8Array> {
      if (closed) throw new Error(`${argv.join(" ")}: not running`);
      if (busy) throw new Error(`${argv.join(" ")}: a request is still running`);
      busy = true;
      try {
        await started;
        const r = await channel.shell(`
n=$(wc -l < ${f("out")})
echo ${shq(line)} > ${f("in")}
until [ "$(wc -l < ${f("out")})" -gt "$n" ]; do kill -0 $(cat ${f("pid")}) 2>/dev/null || break; sleep 0.05; done
st=$(sed -n "$((n + 1))p" ${f("out")})
echo "$st"
case "$st" in ok*) cat ${f("ans")};; *) cat ${f("err")} >&2;; esac
`);
        const nl = r.stdout.indexOf("\n");
        const status = r.stdout.slice(0, nl);
        const ok = /^ok (\d+)$/.exec(status);
        if (ok) {
          const answer = Buffer.from(r.stdout.slice(nl + 1), "latin1");
          if (answer.length !== Number(ok[1])) throw new Error(`the answer has ${answer.length} of ${ok[1]} bytes`);
          return answer;
        }
        const err = /^error (.+)$/.exec(status);
        if (err) throw new Error(`${argv.join(" ")}: ${err[1]}`);
        closed = true;
        throw new Error(`${argv.join(" ")}: exited: ${r.stderr.trim()}`);
      } finally {
        busy = false;
      }
    },
  };
}
