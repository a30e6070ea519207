/**
 * The demo's director agent as a CHILD PROCESS: the real `bin/lvs-agent.mjs` on the userspace engine,
 * enrolled like any director (its token comes from the normal enrollment), so the demo exercises the
 * path a user's director takes. The control plane does not link the agent.
 *  - The token goes in the environment (LVS_AGENT_TOKEN), not the command line (`ps` shows argv).
 *  - Its log lines ("<iso time> LEVEL message" on stderr) go to the server log at the same level.
 *  - It is restarted when it dies (1 s, doubling to 30 s; back to 1 s after a minute of running).
 *  - stop(): SIGTERM, SIGKILL after a grace period. A server that exits without stop() still sends
 *    SIGTERM from its `exit` handler; one killed outright leaves a pid file, and the next start ends
 *    that orphan (only if /proc shows it is an lvs-agent on this state dir) before spawning anew.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import readline from "node:readline";
import type { Logger } from "../log.ts";

export const AGENT_BIN = path.resolve(import.meta.dirname, "../../bin/lvs-agent.mjs");

export interface DemoAgentOptions {
  serverUrl: string;
  token: string;
  stateDir: string;
  log: Logger;
  /** the agent's entry point (tests); default bin/lvs-agent.mjs */
  bin?: string;
  graceMs?: number;
}

export interface DemoAgent {
  /** pid of the running child, null between restarts */
  pid(): number | null;
  /** how many times the child was started */
  starts(): number;
  stop(): Promise<void>;
}

const MIN_DELAY = 1000;
const MAX_DELAY = 30_000;
const HEALTHY_MS = 60_000;

function isOurAgent(pid: number, stateDir: string): boolean {
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
    return argv.some((a) => a.endsWith("lvs-agent.mjs")) && argv.includes(stateDir);
  } catch {
    return false;
  }
}

/** Ends an agent a killed server left behind (its pid file names it). */
async function endOrphan(pidFile: string, stateDir: string, log: Logger): Promise<void> {
  const pid = Number(await readFile(pidFile, "utf8").catch(() => ""));
  if (!Number.isInteger(pid) || pid <= 0 || !isOurAgent(pid, stateDir)) return;
  log.warn({ pid }, "demo agent of an earlier run still running: stopping it");
  process.kill(pid, "SIGTERM");
  for (let i = 0; i < 50 && isOurAgent(pid, stateDir); i++) await new Promise((r) => setTimeout(r, 100));
  if (isOurAgent(pid, stateDir)) process.kill(pid, "SIGKILL");
}

function forwardLog(child: ChildProcess, log: Logger): void {
  const lines = readline.createInterface({ input: child.stderr! });
  lines.on("line", (line) => {
    const m = /^\S+ (INFO|WARN|ERROR) (.*)$/.exec(line);
    const level = m?.[1] ?? "INFO";
    const text = m?.[2] ?? line;
    if (level === "ERROR") log.error(text);
    else if (level === "WARN") log.warn(text);
    else log.debug(text);
  });
  child.stdout!.resume();
}

export async function startDemoAgent(o: DemoAgentOptions): Promise<DemoAgent> {
  const stateDir = path.resolve(o.stateDir);
  const pidFile = path.join(stateDir, "agent.pid");
  await endOrphan(pidFile, stateDir, o.log);
  let child: ChildProcess | null = null;
  let stopping = false;
  let starts = 0;
  let delay = MIN_DELAY;
  let restartTimer: NodeJS.Timeout | null = null;
  const killOnExit = () => child?.kill("SIGTERM");
  process.on("exit", killOnExit);

  const launch = () => {
    restartTimer = null;
    const args = [o.bin ?? AGENT_BIN, "--server", o.serverUrl, "--engine", "userspace", "--state-dir", stateDir, "--boot-rules", "none"];
    const c = spawn(process.execPath, args, { env: { ...process.env, LVS_AGENT_TOKEN: o.token }, stdio: ["ignore", "pipe", "pipe"] });
    child = c;
    starts++;
    const startedAt = Date.now();
    forwardLog(c, o.log);
    if (c.pid) void writeFile(pidFile, String(c.pid), { mode: 0o600 }).catch(() => {});
    c.on("error", (err) => o.log.warn({ err: err.message }, "demo agent could not be spawned"));
    c.on("exit", (code, signal) => {
      if (child === c) child = null;
      if (stopping) return;
      if (Date.now() - startedAt > HEALTHY_MS) delay = MIN_DELAY;
      o.log.warn({ code, signal, restartInMs: delay }, "demo agent exited; restarting it");
      restartTimer = setTimeout(launch, delay);
      delay = Math.min(delay * 2, MAX_DELAY);
    });
  };
  launch();

  return {
    pid: () => child?.pid ?? null,
    starts: () => starts,
    async stop() {
      stopping = true;
      if (restartTimer) clearTimeout(restartTimer);
      const c = child;
      if (c && c.exitCode === null && c.signalCode === null) {
        const exited = new Promise((r) => c.once("exit", r));
        c.kill("SIGTERM");
        const timer = setTimeout(() => c.kill("SIGKILL"), o.graceMs ?? 5000);
        await exited;
        clearTimeout(timer);
      }
      process.off("exit", killOnExit);
      await rm(pidFile, { force: true });
    },
  };
}
