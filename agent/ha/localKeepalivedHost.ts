/**
 * keepalived on this host (Debian's `keepalived` package): config, pid files and the notify log in
 * `dir` (default /run/lvs-agent/keepalived), started VRRP-only (`-P`) and detached, so it keeps
 * running when the agent restarts or the control plane is away. The notify log is watched with
 * fs.watch (inotify): a state change reaches the agent as soon as keepalived runs the script.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import fsp from "node:fs/promises";
import path from "node:path";
import type { KeepalivedHost } from "./keepalivedHost.ts";

export interface LocalKeepalivedOptions {
  dir?: string;
  /** keepalived binary (default: first of /usr/sbin/keepalived, /sbin/keepalived, "keepalived" on PATH) */
  binary?: string;
  /** extra argv before keepalived (e.g. ["ip", "netns", "exec", "dir1"]) */
  wrap?: string[];
}

function run(argv: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const c = spawn(argv[0]!, argv.slice(1), { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    c.stdout.on("data", (b: Buffer) => (out += b.toString()));
    c.stderr.on("data", (b: Buffer) => (out += b.toString()));
    c.on("error", (e) => resolve({ code: 127, out: e.message }));
    c.on("close", (code) => resolve({ code: code ?? 1, out }));
  });
}

export function localKeepalivedHost(o: LocalKeepalivedOptions = {}): KeepalivedHost {
  const dir = o.dir ?? "/run/lvs-agent/keepalived";
  const conf = path.join(dir, "keepalived.conf");
  const pidFile = path.join(dir, "keepalived.pid");
  const vrrpPid = path.join(dir, "vrrp.pid");
  const notifyScript = path.join(dir, "notify.sh");
  const notifyLog = path.join(dir, "notify.log");
  let binary: string | null = o.binary ?? null;
  const listeners = new Set<(line: string, replayed: boolean) => void>();
  let watcher: fs.FSWatcher | null = null;
  let offset = 0;
  let partial = "";
  let reading = false;

  const findBinary = async (): Promise<string | null> => {
    if (binary) return binary;
    for (const c of ["/usr/sbin/keepalived", "/sbin/keepalived"]) {
      try { await fsp.access(c, fs.constants.X_OK); return (binary = c); } catch { /* next */ }
    }
    const r = await run(["keepalived", "--version"]);
    return r.code === 0 ? (binary = "keepalived") : null;
  };
  const readPid = async (): Promise<number | null> => {
    try {
      const pid = Number((await fsp.readFile(pidFile, "utf8")).trim());
      if (!Number.isInteger(pid) || pid <= 1) return null;
      process.kill(pid, 0);
      return pid;
    } catch {
      return null;
    }
  };
  const drain = async (replayed: boolean) => {
    if (reading) return;
    reading = true;
    try {
      const fh = await fsp.open(notifyLog, "r").catch(() => null);
      if (!fh) return;
      try {
        const { size } = await fh.stat();
        if (size < offset) offset = 0; // truncated / rotated
        if (size === offset) return;
        const buf = Buffer.alloc(size - offset);
        await fh.read(buf, 0, buf.length, offset);
        offset = size;
        const text = partial + buf.toString("utf8");
        const lines = text.split("\n");
        partial = lines.pop() ?? "";
        for (const l of lines) if (l.trim()) for (const cb of listeners) cb(l, replayed);
      } finally {
        await fh.close();
      }
    } finally {
      reading = false;
    }
  };
  const watch = async () => {
    if (watcher) return;
    await fsp.mkdir(dir, { recursive: true, mode: 0o755 });
    const fh = await fsp.open(notifyLog, "a", 0o644);
    await fh.close();
    await drain(true);
    watcher = fs.watch(notifyLog, () => void drain(false));
    watcher.on("error", () => {});
  };

  return {
    notifyScript,
    notifyLog,
    async version() {
      const bin = await findBinary();
      if (!bin) return null;
      const r = await run([bin, "--version"]);
      const m = /Keepalived v(\d+\.\d+(?:\.\d+)?)/.exec(r.out);
      return m ? m[1]! : r.code === 0 ? "unknown" : null;
    },
    async writeFiles(config, script) {
      await fsp.mkdir(dir, { recursive: true, mode: 0o755 });
      await fsp.writeFile(`${conf}.tmp`, config, { mode: 0o644 });
      await fsp.rename(`${conf}.tmp`, conf);
      await fsp.writeFile(`${notifyScript}.tmp`, script, { mode: 0o755 });
      await fsp.rename(`${notifyScript}.tmp`, notifyScript);
    },
    async running() {
      return (await readPid()) !== null;
    },
    async start() {
      const bin = await findBinary();
      if (!bin) throw new Error("keepalived binary not found");
      const check = await run([...(o.wrap ?? []), bin, "-t", "-f", conf]);
      if (check.code !== 0) throw new Error(`config refused by keepalived -t: ${check.out.trim().slice(0, 1500)}`);
      const r = await run([...(o.wrap ?? []), bin, "-P", "-f", conf, "-p", pidFile, "-r", vrrpPid]);
      if (r.code !== 0) throw new Error(`keepalived exited ${r.code}: ${r.out.trim().slice(0, 1500)}`);
      for (let i = 0; i < 50 && !(await readPid()); i++) await new Promise((res) => setTimeout(res, 100));
      if (!(await readPid())) throw new Error("keepalived did not stay up (see its log in the system journal)");
    },
    async reload() {
      const pid = await readPid();
      if (!pid) throw new Error("keepalived is not running");
      process.kill(pid, "SIGHUP");
    },
    async stop() {
      const pid = await readPid();
      if (!pid) return;
      process.kill(pid, "SIGTERM");
      for (let i = 0; i < 50 && (await readPid()); i++) await new Promise((res) => setTimeout(res, 100));
    },
    onNotify(cb) {
      listeners.add(cb);
      void watch().catch(() => {});
      return () => listeners.delete(cb);
    },
    async close() {
      watcher?.close();
      watcher = null;
      listeners.clear();
    },
  };
}
