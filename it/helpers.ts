/**
 * The shared helpers of tests that run parts together (it/, lab/, and any test that needs them):
 * free loopback ports, waiting for a condition, and spawning a Node entry point of this repository.
 * Node built-ins only, so every test folder may import it (it links neither server/ nor agent/).
 */
import { spawn, type ChildProcess } from "node:child_process";
import dgram from "node:dgram";
import http from "node:http";
import net from "node:net";
import path from "node:path";

export const ROOT = path.resolve(import.meta.dirname, "..");

/** Polls `cond` every `intervalMs` until it holds; throws "timed out after N ms waiting for WHAT" (+ diag()). */
export async function until(
  cond: () => boolean | Promise<boolean>,
  ms: number,
  what: string,
  o: { intervalMs?: number; diag?: () => string } = {},
): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}${o.diag ? `\n${o.diag()}` : ""}`);
    await new Promise((r) => setTimeout(r, o.intervalMs ?? 25));
  }
}

/** A port that was free on `address` a moment ago (tcp by default). */
export async function freePort(address = "127.0.0.1", type: "tcp" | "udp" = "tcp"): Promise<number> {
  if (type === "udp") {
    const s = dgram.createSocket(address.includes(":") ? "udp6" : "udp4");
    await new Promise<void>((r) => s.bind(0, address, () => r()));
    const port = s.address().port;
    await new Promise<void>((r) => s.close(() => r()));
    return port;
  }
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, address, () => r()));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

export interface Proc {
  child: ChildProcess;
  /** stdout and stderr so far */
  output: () => string;
  /** the exit code (null after a signal) */
  exited: Promise<number | null>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code */
  stop(graceMs?: number): Promise<number | null>;
}

/** Runs `node ...args` in the repository root (e.g. ["bin/lvs-agent.mjs", "--server", url]) with output captured. */
export function spawnNode(args: string[], env: Record<string, string> = {}): Proc {
  const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout!.on("data", (b) => (out += b));
  child.stderr!.on("data", (b) => (out += b));
  const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  return {
    child,
    output: () => out,
    exited,
    async stop(graceMs = 5000) {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/** One GET / on a fresh connection; resolves with the body, or null on any failure or timeout. */
export function httpGet(address: string, port: number, timeoutMs = 1000): Promise<string | null> {
  return new Promise((resolve) => {
    const req = http.get({ host: address, port, path: "/", agent: false, timeout: timeoutMs }, (res) => {
      let body = "";
      res.on("data", (c) => (body += c));
      res.on("end", () => resolve(body));
    });
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", () => resolve(null));
  });
}
