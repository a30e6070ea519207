/**
 * Test helpers around the built agent: one build per test run (buildAgent is skipped when its inputs
 * did not change, so every test file can ask), a running-process wrapper, and a temp dir that no
 * node_modules can be reached from.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { buildAgent, type AgentBuild } from "./buildAgent.ts";

let built: Promise<AgentBuild> | null = null;
/** The artifact in dist/agent, built at most once per process (and only when its inputs changed). */
export function builtAgent(): Promise<AgentBuild> {
  return (built ??= buildAgent());
}

/** A fresh directory under the system temp dir with no node_modules in it or any parent. */
export async function isolatedDir(prefix: string): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), prefix));
  for (let d = dir; ; d = path.dirname(d)) {
    if (existsSync(path.join(d, "node_modules"))) throw new Error(`${d}/node_modules exists: the temp dir is not isolated`);
    if (path.dirname(d) === d) break;
  }
  return dir;
}

export interface Proc {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
  /** resolves once the output contains `text` (rejects on exit or after ms) */
  waitFor(text: string | RegExp, ms: number): Promise<void>;
  stop(): Promise<number | null>;
}

export function startProc(file: string, args: string[], o: { cwd: string; env?: Record<string, string> }): Proc {
  const env = (o.env ?? { PATH: "/usr/sbin:/usr/bin:/sbin:/bin" }) as NodeJS.ProcessEnv; // exactly these variables
  const child = spawn(file, args, { cwd: o.cwd, env, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout!.on("data", (b) => (out += b));
  child.stderr!.on("data", (b) => (out += b));
  const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  const waitFor = async (text: string | RegExp, ms: number) => {
    const end = Date.now() + ms;
    const has = () => (typeof text === "string" ? out.includes(text) : text.test(out));
    while (!has()) {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`exited (${child.exitCode ?? child.signalCode}) before printing ${text}:\n${out}`);
      if (Date.now() > end) throw new Error(`no ${text} within ${ms} ms:\n${out}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    const t = setTimeout(() => child.kill("SIGKILL"), 10_000);
    const code = await exited;
    clearTimeout(t);
    return code;
  };
  return { child, output: () => out, exited, waitFor, stop };
}
