/**
 * The lab's KeepalivedHost and Exec for one director namespace of the HA lab VM: the agent runs on
 * the host and reaches the VM through VmExecChannel (as in lab/agentIpvs.test.ts), every command
 * wrapped in `ip netns exec dirN`. keepalived is Debian's real binary started in that namespace; its
 * notify script is the agent's own (it appends to a log file), and a `tail -f | nc` in the VM streams
 * that log to a TCP port on the host (10.0.2.2), where the lines reach the supervisor as they are
 * written.
 */
import net from "node:net";
import type { AddressInfo } from "node:net";
import type { Exec } from "../../agent/engines/ipvs/exec.ts";
import type { KeepalivedHost } from "../../agent/ha/keepalivedHost.ts";
import { shq, type VmExecChannel } from "../vmExecChannel.ts";

export function nsExec(channel: VmExecChannel, ns: string): Exec {
  return { run: (argv, stdin) => channel.run(["/usr/sbin/ip", "netns", "exec", ns, ...argv], stdin) };
}

export class VmKeepalivedHost implements KeepalivedHost {
  readonly dir: string;
  readonly notifyScript: string;
  readonly notifyLog: string;
  private server: net.Server | null = null;
  private listeners = new Set<(line: string, replayed: boolean) => void>();
  private sockets = new Set<net.Socket>();
  /** keepalived's own log in the VM (-l -D), for diagnosis */
  readonly logFile: string;

  constructor(private readonly channel: VmExecChannel, readonly ns: string) {
    this.dir = `/run/ha/${ns}`;
    this.notifyScript = `${this.dir}/notify.sh`;
    this.notifyLog = `${this.dir}/notify.log`;
    this.logFile = `/tmp/keepalived-${ns}.log`;
  }

  private async sh(script: string): Promise<string> {
    const r = await this.channel.shell(script);
    if (r.code !== 0) throw new Error(`${script.split("\n")[0]}: exit ${r.code}: ${r.stderr.trim() || r.stdout.trim()}`);
    return r.stdout;
  }

  async version(): Promise<string | null> {
    const r = await this.channel.shell("keepalived --version 2>&1");
    const m = /Keepalived v(\d+\.\d+(?:\.\d+)?)/.exec(r.stdout);
    return m ? m[1]! : null;
  }

  async writeFiles(config: string, script: string): Promise<void> {
    await this.sh(`mkdir -p ${this.dir} && cat > ${this.dir}/keepalived.conf <<'@@CONF@@'\n${config}@@CONF@@\ncat > ${this.notifyScript} <<'@@NOTIFY@@'\n${script}@@NOTIFY@@\nchmod 755 ${this.notifyScript}\n`);
  }

  async running(): Promise<boolean> {
    const r = await this.channel.shell(`p=$(cat ${this.dir}/keepalived.pid 2>/dev/null) && [ -n "$p" ] && kill -0 "$p" 2>/dev/null && echo yes`);
    return r.stdout.trim() === "yes";
  }

  async start(): Promise<void> {
    await this.sh(`/usr/sbin/ip netns exec ${this.ns} keepalived -t -f ${this.dir}/keepalived.conf`);
    await this.sh(`/usr/sbin/ip netns exec ${this.ns} keepalived -P -l -D -f ${this.dir}/keepalived.conf -p ${this.dir}/keepalived.pid -r ${this.dir}/vrrp.pid >> ${this.logFile} 2>&1
n=0; until [ -s ${this.dir}/keepalived.pid ] || [ $n -ge 50 ]; do sleep 0.1; n=$((n+1)); done
[ -s ${this.dir}/keepalived.pid ] || { tail -20 ${this.logFile}; exit 1; }`);
  }

  async reload(): Promise<void> {
    await this.sh(`kill -HUP $(cat ${this.dir}/keepalived.pid)`);
  }

  async stop(): Promise<void> {
    await this.sh(`p=$(cat ${this.dir}/keepalived.pid 2>/dev/null) || exit 0; kill -TERM $p 2>/dev/null || exit 0
n=0; while kill -0 $p 2>/dev/null && [ $n -lt 50 ]; do sleep 0.1; n=$((n+1)); done`);
  }

  onNotify(cb: (line: string, replayed: boolean) => void): () => void {
    this.listeners.add(cb);
    void this.stream().catch(() => {});
    return () => this.listeners.delete(cb);
  }

  /** One long-lived `{ cat log; echo @@LIVE@@; tail -n 0 -f log; } | nc 10.0.2.2 PORT` from the VM's root namespace. */
  private async stream(): Promise<void> {
    if (this.server) return;
    this.server = net.createServer((s) => {
      this.sockets.add(s);
      s.on("close", () => this.sockets.delete(s));
      s.on("error", () => {});
      s.setEncoding("utf8");
      let buf = "";
      let live = false;
      s.on("data", (chunk: string) => {
        buf += chunk;
        const lines = buf.split("\n");
        buf = lines.pop() ?? "";
        for (const l of lines) {
          if (l === "@@LIVE@@") { live = true; continue; }
          if (l.trim()) for (const cb of this.listeners) cb(l, !live);
        }
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, "127.0.0.1", r));
    const port = (this.server.address() as AddressInfo).port;
    await this.sh(`mkdir -p ${this.dir} && touch ${this.notifyLog}
( { cat ${this.notifyLog}; echo @@LIVE@@; tail -n 0 -f ${this.notifyLog}; } | nc 10.0.2.2 ${port} >/dev/null 2>&1 & ) </dev/null >/dev/null 2>&1`);
  }

  async close(): Promise<void> {
    this.listeners.clear();
    for (const s of this.sockets) s.destroy();
    await new Promise((r) => (this.server ? this.server.close(r) : r(null)));
    this.server = null;
  }
}

export { shq };
