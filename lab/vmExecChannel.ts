/**
 * An Exec (agent/engines/ipvs/exec.ts) that runs commands inside the lab VM: the host agent drives
 * the VM's real ipvsadm through it. Two loopback TCP ports on the host, reached from the VM (QEMU
 * user networking) as 10.0.2.2: the VM's loop fetches one job script from `jobPort`, runs it with
 * busybox sh and uploads "RC n ID j\n<stdout>@@ERR@@\n<stderr>@@DONE@@" to `resultPort`.
 * `vmLoopScript` is the busybox sh side; put it in the VM script after the network setup.
 * A job's stdin (run's `stdin`) comes over a third port into a file before the job's clock starts, and
 * the job reads it from there: as a here-document in the job script, busybox sh parsed a 6 MB batch
 * char by char for ~4 s of emulated time that `vmSeconds` counted as the command's own (the agent
 * writes to the helper's pipe; no shell parses it).
 *
 * Jobs run one at a time. A lost result must not stall every later job (under heavy host load an
 * upload was seen to vanish): the VM retries its upload, and when the VM asks for the next job while
 * a result is still missing, the missing one is failed after `lostResultMs` with a plain error.
 */
import net from "node:net";
import type { AddressInfo } from "node:net";
import type { Exec, ExecResult } from "../agent/engines/ipvs/exec.ts";

interface Job {
  id: number;
  script: string;
  /** sent to the VM's stdin fetch, then the job's stdin */
  stdin?: string;
  resolve: (r: ExecResult) => void;
  reject: (e: Error) => void;
}

/** Quote for sh single quotes. */
export const shq = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export class VmExecChannel implements Exec {
  private readonly queue: Job[] = [];
  private waitingFetch: net.Socket | null = null;
  private current: Job | null = null;
  // allowHalfOpen: busybox nc half-closes once its stdin (/dev/null) is at EOF; keep our side open for the job
  private jobServer = net.createServer({ allowHalfOpen: true }, (s) => this.onFetch(s));
  private resultServer = net.createServer((s) => this.onResult(s));
  private stdinServer = net.createServer({ allowHalfOpen: true }, (s) => this.onStdin(s));
  jobPort = 0;
  resultPort = 0;
  stdinPort = 0;
  private seq = 0;
  private lostTimer: ReturnType<typeof setTimeout> | null = null;
  /** how long a result may lag behind the VM's next fetch before the job is failed */
  lostResultMs = 5000;
  /** jobs failed because their result never arrived (printed by tests; 0 on a quiet machine) */
  lostResults = 0;
  /** every command run, for test assertions */
  readonly log: string[] = [];
  /** seconds each job ran inside the VM (its own clock), in job order: the lab's transport excluded */
  readonly vmSeconds: number[] = [];
  /** when set, every job's host times (queued, sent to the VM, result back) are recorded here */
  trace: Array<{ id: number; what: string; queuedAt: number; sentAt: number; doneAt: number }> | null = null;
  private sentAt = new Map<number, { queuedAt: number; sentAt: number }>();

  async listen(): Promise<void> {
    await new Promise<void>((r) => this.jobServer.listen(0, "127.0.0.1", r));
    await new Promise<void>((r) => this.resultServer.listen(0, "127.0.0.1", r));
    await new Promise<void>((r) => this.stdinServer.listen(0, "127.0.0.1", r));
    this.jobPort = (this.jobServer.address() as AddressInfo).port;
    this.resultPort = (this.resultServer.address() as AddressInfo).port;
    this.stdinPort = (this.stdinServer.address() as AddressInfo).port;
  }

  /**
   * The VM side: loops until a job says QUIT. `tag` names its scratch files, so several channels'
   * loops can run side by side in one VM (each a separate lane: one's slow jobs never delay another's).
   */
  vmLoopScript(tag = ""): string {
    const f = (n: string) => `/tmp/${n}${tag}`;
    return `
while true; do
  nc 10.0.2.2 ${this.jobPort} > ${f("job")} 2>/dev/null </dev/null || { sleep 0.2; continue; }
  [ -s ${f("job")} ] || { sleep 0.2; continue; }
  grep -q '^#QUIT' ${f("job")} && break
  set -- $(sed -n '1s/^#JOB //p' ${f("job")}); id=\${1:-}; sz=""; [ "\${2:-}" = STDIN ] && sz=\${3:-}
  in=/dev/null
  if [ -n "$sz" ]; then
    in=${f("stdin")}; n=0
    until { nc 10.0.2.2 ${this.stdinPort} > $in 2>/dev/null </dev/null; [ "$(stat -c %s $in)" = "$sz" ]; } || [ $n -ge 25 ]; do n=$((n+1)); sleep 0.2; done
  fi
  read t0 x < /proc/uptime
  if [ -n "$sz" ] && [ "$(stat -c %s $in)" != "$sz" ]; then
    : > ${f("out")}; echo "lab channel: the job's stdin did not arrive ($sz bytes)" > ${f("err")}; rc=125
  else
    sh ${f("job")} > ${f("out")} 2> ${f("err")} < $in; rc=$?
  fi
  read t1 x < /proc/uptime
  { echo "RC $rc ID $id T $t0 $t1"; cat ${f("out")}; echo "@@ERR@@"; cat ${f("err")}; echo "@@DONE@@"; } > ${f("res")}
  n=0; until nc 10.0.2.2 ${this.resultPort} < ${f("res")} >/dev/null 2>&1 || [ $n -ge 25 ]; do n=$((n+1)); sleep 0.2; done
done
`;
  }

  run(argv: readonly string[], stdin?: string): Promise<ExecResult> {
    const cmd = argv.map(shq).join(" ");
    this.log.push(stdin ? `${argv.join(" ")} <<stdin\n${stdin}` : argv.join(" "));
    if (stdin == null) return this.shell(`${cmd}\n`);
    return this.enqueue(`${cmd}\n`, stdin === "" || stdin.endsWith("\n") ? stdin : `${stdin}\n`);
  }

  /** Runs an arbitrary busybox sh script in the VM. */
  shell(script: string): Promise<ExecResult> {
    return this.enqueue(script);
  }

  private enqueue(script: string, stdin?: string): Promise<ExecResult> {
    return new Promise((resolve, reject) => {
      const id = ++this.seq;
      if (this.trace) {
        const queuedAt = Date.now();
        this.sentAt.set(id, { queuedAt, sentAt: 0 });
        const done = (r: ExecResult) => {
          const t = this.sentAt.get(id);
          this.sentAt.delete(id);
          this.trace?.push({ id, what: script.split("\n").find((l) => l.trim() && !l.startsWith(". /lab"))?.slice(0, 100) ?? "", queuedAt, sentAt: t?.sentAt ?? 0, doneAt: Date.now() });
          resolve(r);
        };
        this.queue.push({ id, script, stdin, resolve: done, reject });
      } else this.queue.push({ id, script, stdin, resolve, reject });
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    // QUIT ends the VM's loop (and so the VM); it must really reach the VM, after any job in flight,
    // or QEMU outlives the test process (it was seen running on, orphaned, after vitest exited)
    const delivered = new Promise<void>((resolve) => this.queue.push({ id: 0, script: "#QUIT\n", resolve: () => resolve(), reject: () => resolve() }));
    this.dispatch();
    await Promise.race([delivered, new Promise((r) => setTimeout(r, 15_000))]);
    await new Promise((r) => setTimeout(r, 300));
    this.jobServer.close();
    this.resultServer.close();
    this.stdinServer.close();
    for (const j of this.queue.splice(0)) j.reject(new Error("channel closed"));
  }

  private onFetch(s: net.Socket): void {
    s.on("error", () => {});
    s.on("close", () => { if (this.waitingFetch === s) this.waitingFetch = null; });
    if (this.waitingFetch) this.waitingFetch.destroy();
    this.waitingFetch = s;
    // the VM only fetches after uploading: a job still without result here may have lost it
    const job = this.current;
    if (job && !this.lostTimer) {
      this.lostTimer = setTimeout(() => {
        this.lostTimer = null;
        if (this.current !== job) return;
        this.current = null;
        this.lostResults++;
        job.reject(new Error(`lab VM finished job ${job.id} but its result never arrived: ${job.script.split("\n")[0]?.slice(0, 120)}`));
        this.dispatch();
      }, this.lostResultMs);
    }
    this.dispatch();
  }

  private dispatch(): void {
    if (this.current || !this.waitingFetch || this.queue.length === 0) return;
    const job = this.queue.shift()!;
    const s = this.waitingFetch;
    this.waitingFetch = null;
    if (job.script === "#QUIT\n") { s.end(job.script, () => job.resolve({ code: 0, stdout: "", stderr: "" })); return; }
    this.current = job;
    const t = this.sentAt.get(job.id);
    if (t) t.sentAt = Date.now();
    s.end(`#JOB ${job.id}${job.stdin == null ? "" : ` STDIN ${Buffer.byteLength(job.stdin)}`}\n${job.script}`);
  }

  /** The VM fetches the current job's stdin (again, if a transfer came short). */
  private onStdin(s: net.Socket): void {
    s.on("error", () => {});
    s.end(this.current?.stdin ?? "");
  }

  private onResult(s: net.Socket): void {
    const chunks: string[] = [];
    let tail = "";
    s.setEncoding("utf8");
    s.on("error", () => {});
    s.on("data", (c: string) => {
      chunks.push(c);
      // look for the end marker in the new text only (a 10 MB result comes in hundreds of chunks)
      const seen = tail + c;
      tail = seen.slice(-16);
      if (!seen.includes("@@DONE@@\n")) return;
      s.end();
      const buf = chunks.join("");
      const head = /^RC (\d+) ID (\d*)(?: T ([\d.]+) ([\d.]+))?\n/.exec(buf);
      const errAt = buf.lastIndexOf("@@ERR@@\n");
      const doneAt = buf.lastIndexOf("@@DONE@@\n");
      const m = head && errAt >= head[0].length && doneAt >= errAt
        ? [buf, head[1], head[2], buf.slice(head[0].length, errAt), buf.slice(errAt + 8, doneAt)] as const
        : null;
      if (head?.[3] && head[4]) this.vmSeconds.push(Number(head[4]) - Number(head[3]));
      const job = this.current;
      if (m && job && Number(m[2]) !== job.id) return; // a late result of a job already failed as lost
      this.current = null;
      if (this.lostTimer) { clearTimeout(this.lostTimer); this.lostTimer = null; }
      if (job) {
        if (m) job.resolve({ code: Number(m[1]), stdout: m[3]!, stderr: m[4]! });
        else job.reject(new Error(`bad result frame from the VM: ${buf.slice(0, 200)}`));
      }
      this.dispatch();
    });
  }
}
