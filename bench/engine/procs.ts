/** Child processes, readiness, CPU and memory of the benchmark's proxies (Linux /proc). */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";

export function start(cmd: string, args: string[], log: string, env?: Record<string, string>): ChildProcess {
  const out = fs.openSync(log, "a");
  return spawn(cmd, args, { stdio: ["pipe", out, out], ...(env ? { env: { ...process.env, ...env } } : {}) });
}

export async function waitPort(host: string, port: number, ms = 15000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const ok = await new Promise<boolean>((r) => {
      const s = net.connect({ host, port }, () => { s.destroy(); r(true); });
      s.on("error", () => r(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${host}:${port} did not come up`);
}

/** utime + stime in ms */
export function cpuMs(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(f[11]) + Number(f[12])) * 10;
}

/**
 * cpuMs of a process and all its descendants: the multi-core engine's workers and every native TCP
 * relay (lvs-tcp-relay, a child of the engine or of each worker) count as the engine's CPU.
 */
export function treeCpuMs(pid: number): number {
  const parent = new Map<number, number>();
  for (const d of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, "utf8");
      parent.set(Number(d), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
    } catch { /* gone */ }
  }
  const inTree = (p: number): boolean => {
    for (let q = p, n = 0; q > 1 && n < 64; q = parent.get(q) ?? 0, n++) if (q === pid) return true;
    return false;
  };
  let total = 0;
  for (const p of parent.keys()) {
    if (!inTree(p)) continue;
    try {
      total += cpuMs(p);
    } catch { /* gone */ }
  }
  return total;
}

export function rssKiB(pid: number): number {
  const m = /VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
  return Number(m?.[1] ?? 0);
}

/** The single worker of an nginx master. */
export function childPid(pid: number): number {
  for (const d of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === pid) return Number(d);
    } catch { /* gone */ }
  }
  return pid;
}

export function run(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    p.stdout.on("data", (d) => (out += d));
    p.stderr.on("data", (d) => (out += d));
    p.on("error", reject);
    p.on("close", () => resolve(out));
  });
}

export interface WrkResult {
  rps: number;
  p50ms: number;
  p99ms: number;
  requests: number;
  errors: number;
}

const toMs = (v: string, unit: string): number => Number(v) * (unit === "us" ? 0.001 : unit === "s" ? 1000 : 1);

export function parseWrk(text: string): WrkResult {
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(text)?.[1] ?? 0);
  const p50 = /50%\s+([\d.]+)(us|ms|s)/.exec(text);
  const p99 = /99%\s+([\d.]+)(us|ms|s)/.exec(text);
  const requests = Number(/(\d+) requests in/.exec(text)?.[1] ?? 0);
  const err = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(text)?.[1] ?? 0);
  const errors = (err ? Number(err[1]) + Number(err[2]) + Number(err[3]) + Number(err[4]) : 0) + non2xx;
  return { rps, p50ms: p50 ? toMs(p50[1]!, p50[2]!) : NaN, p99ms: p99 ? toMs(p99[1]!, p99[2]!) : NaN, requests, errors };
}
