/**
 * An Exec (agent/engines/ipvs/exec.ts) that runs commands inside the lab VM: the host agent drives
 * the VM's real ipvsadm through it. Two loopback TCP ports on the host, reached from the VM (QEMU
 * user networking) as 10.0.2.2: the VM's loop fetches one job script from `jobPort`, runs it with
 * busybox sh and uploads "RC n\n<stdout>@@ERR@@\n<stderr>@@DONE@@" to `resultPort`.
 * `vmLoopScript` is the busybox sh side; put it in the VM script after the network setup.
 */
import net from "node:net";
import type { AddressInfo } from "node:net";
import type { Exec, ExecResult } from "../agent/engines/ipvs/exec.ts";

interface Job {
  script: string;
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
  jobPort = 0;
  resultPort = 0;
  /** every command run, for test assertions */
  readonly log: string[] = [];

  async listen(): Promise<void> {
    await new Promise<void>((r) => this.jobServer.listen(0, "127.0.0.1", r));
    await new Promise<void>((r) => this.resultServer.listen(0, "127.0.0.1", r));
    this.jobPort = (this.jobServer.address() as AddressInfo).port;
    this.resultPort = (this.resultServer.address() as AddressInfo).port;
  }

  /** The VM side: loops until a job says QUIT. */
  vmLoopScript(): string {
    return `
while true; do
  nc 10.0.2.2 ${this.jobPort} > /tmp/job 2>/dev/null </dev/null || { sleep 0.2; continue; }
  [ -s /tmp/job ] || { sleep 0.2; continue; }
  grep -q '^#QUIT' /tmp/job && break
  sh /tmp/job > /tmp/out 2> /tmp/err </dev/null; rc=$?
  { echo "RC $rc"; cat /tmp/out; echo "@@ERR@@"; cat /tmp/err; echo "@@DONE@@"; } > /tmp/res
  nc 10.0.2.2 ${this.resultPort} < /tmp/res >/dev/null 2>&1
done
`;
  }

  run(argv: readonly string[], stdin?: string): Promise<ExecResult> {
    const cmd = argv.map(shq).join(" ");
    this.log.push(stdin ? `${argv.join(" ")} <<stdin\n${stdin}` : argv.join(" "));
    const script = stdin == null ? `${cmd}\n` : `${cmd} <<'@@STDIN@@'\n${stdin.endsWith("\n") ? stdin : stdin + "\n"}@@STDIN@@\n`;
    return this.shell(script);
  }

  /** Runs an arbitrary busybox sh script in the VM. */
  shell(script: string): Promise<ExecResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ script, resolve, reject });
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    this.queue.push({ script: "#QUIT\n", resolve: () => {}, reject: () => {} });
    this.dispatch();
    await new Promise((r) => setTimeout(r, 300));
    this.jobServer.close();
    this.resultServer.close();
    for (const j of this.queue.splice(0)) j.reject(new Error("channel closed"));
  }

  private onFetch(s: net.Socket): void {
    s.on("error", () => {});
    s.on("close", () => { if (this.waitingFetch === s) this.waitingFetch = null; });
    if (this.waitingFetch) this.waitingFetch.destroy();
    this.waitingFetch = s;
    this.dispatch();
  }

  private dispatch(): void {
    if (this.current || !this.waitingFetch || this.queue.length === 0) return;
    const job = this.queue.shift()!;
    const s = this.waitingFetch;
    this.waitingFetch = null;
    if (job.script === "#QUIT\n") { s.end(job.script); return; }
    this.current = job;
    s.end(job.script);
  }

  private onResult(s: net.Socket): void {
    let buf = "";
    s.setEncoding("utf8");
    s.on("error", () => {});
    s.on("data", (c: string) => {
      buf += c;
      if (!buf.includes("@@DONE@@\n")) return;
      s.end();
      const job = this.current;
      this.current = null;
      const m = /^RC (\d+)\n([\s\S]*?)@@ERR@@\n([\s\S]*?)@@DONE@@\n/.exec(buf);
      if (job) {
        if (m) job.resolve({ code: Number(m[1]), stdout: m[2]!, stderr: m[3]! });
        else job.reject(new Error(`bad result frame from the VM: ${buf.slice(0, 200)}`));
      }
      this.dispatch();
    });
  }
}
