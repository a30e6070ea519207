/**
 * Exec check: run a program the director's administrator installed in the checks directory
 * (default /etc/lvs-agent/checks.d/) and count exit 0 as up. The console only NAMES the program; it
 * never sends a path or a shell string. Like keepalived's `script_user` + `enable_script_security`:
 *  - no shell: execFile(dir/NAME, [address, port, ...args]);
 *  - the program and every directory above it must be owned by root and not writable by group or
 *    others (a sticky, root-owned directory such as /tmp is accepted as an ancestor), else refused;
 *  - it runs as an unprivileged user (default `nobody`; root only with allowRoot) in its own process
 *    group, with a clean environment: PATH, LVS_RS_ADDRESS, LVS_RS_PORT, LVS_CHECK_TIMEOUT_MS;
 *  - on timeout the whole process group is killed (SIGKILL).
 * An agent that does not run as root cannot change user: checks then run as the agent's own user.
 */
import { execFileSync, spawn, type SpawnOptions } from "node:child_process";
import fs from "node:fs/promises";
import path from "node:path";
import { EXEC_CHECK_ARG, EXEC_CHECK_NAME, MAX_EXEC_CHECK_ARGS } from "../../lvs/model.ts";
import type { Checker, CheckResult } from "./checker.ts";

export const DEFAULT_CHECKS_DIR = "/etc/lvs-agent/checks.d";
export const DEFAULT_CHECK_USER = "nobody";
export const CHECK_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

export interface ExecCheckerOptions {
  /** the checks directory (absolute) */
  dir?: string;
  /** user name the checks run as (resolved with `id`) */
  user?: string;
  /** permit user root (uid 0); refused otherwise */
  allowRoot?: boolean;
}

interface Identity { uid: number; gid: number }

function resolveUser(user: string): Identity | string {
  try {
    const uid = Number(execFileSync("id", ["-u", user], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim());
    const gid = Number(execFileSync("id", ["-g", user], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim());
    if (!Number.isInteger(uid) || !Number.isInteger(gid)) return `check user ${user}: not found`;
    return { uid, gid };
  } catch {
    return `check user ${user}: no such user`;
  }
}

/** null when `file` and each directory above it are owned by root and not writable by group/others. */
async function insecurity(file: string): Promise<string | null> {
  let st = await fs.stat(file);
  if (!st.isFile()) return `${file} is not a regular file`;
  if ((st.mode & 0o111) === 0) return `${file} is not executable`;
  let p = file;
  for (;;) {
    if (st.uid !== 0) return `${p} is not owned by root`;
    const sticky = st.isDirectory() && (st.mode & 0o1000) !== 0 && p !== path.dirname(file);
    if ((st.mode & 0o022) !== 0 && !sticky) return `${p} is writable by group or others`;
    const up = path.dirname(p);
    if (up === p) return null;
    p = up;
    st = await fs.stat(p);
  }
}

/** The names of the secure, executable programs in `dir` (what the agent offers to the console). */
export async function listChecks(dir: string = DEFAULT_CHECKS_DIR): Promise<string[]> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch {
    return [];
  }
  const ok: string[] = [];
  for (const n of names.sort()) {
    if (!EXEC_CHECK_NAME.test(n)) continue;
    try {
      if ((await insecurity(path.join(dir, n))) === null) ok.push(n);
    } catch { /* vanished */ }
  }
  return ok;
}

function killGroup(pid: number | undefined): void {
  if (!pid) return;
  try {
    process.kill(-pid, "SIGKILL");
  } catch { /* already gone */ }
}

export function createExecChecker(o: ExecCheckerOptions = {}): Checker {
  const dir = path.resolve(o.dir ?? DEFAULT_CHECKS_DIR);
  const user = o.user ?? DEFAULT_CHECK_USER;
  const asRoot = process.getuid?.() === 0;
  let identity: Identity | string | null = null;
  const who = (): Identity | string | null => {
    if (!asRoot) return null; // cannot switch users: run as ourselves
    identity ??= resolveUser(user);
    if (typeof identity !== "string" && identity.uid === 0 && !o.allowRoot) {
      return `refusing to run checks as root (user ${user}); pick an unprivileged user or allow root explicitly`;
    }
    return identity;
  };
  return {
    async check(target, check, timeoutMs) {
      if (check.kind !== "exec") return { ok: false, message: `exec checker given a ${check.kind} check` };
      if (!EXEC_CHECK_NAME.test(check.check)) return { ok: false, message: `"${check.check}" is not a check name` };
      const args = check.args ?? [];
      if (args.length > MAX_EXEC_CHECK_ARGS || !args.every((a) => EXEC_CHECK_ARG.test(a))) return { ok: false, message: "invalid check arguments" };
      const id = who();
      if (typeof id === "string") return { ok: false, message: id };
      const file = path.join(dir, check.check);
      try {
        const bad = await insecurity(file);
        if (bad) return { ok: false, message: `check ${check.check} refused: ${bad}` };
      } catch {
        return { ok: false, message: `check ${check.check} is not installed in ${dir}` };
      }
      return run(file, [target.address, String(target.port), ...args], id, target, timeoutMs);
    },
  };
}

function run(file: string, argv: string[], id: Identity | null, target: { address: string; port: number }, timeoutMs: number): Promise<CheckResult> {
  return new Promise<CheckResult>((resolve) => {
    let settled = false;
    const env = { PATH: CHECK_PATH, LVS_RS_ADDRESS: target.address, LVS_RS_PORT: String(target.port), LVS_CHECK_TIMEOUT_MS: String(timeoutMs) };
    const options: SpawnOptions = {
      env: env as unknown as NodeJS.ProcessEnv,
      cwd: "/",
      stdio: "ignore",
      detached: true, // own process group: a timeout kills everything the check started
      shell: false,
      ...(id ? { uid: id.uid, gid: id.gid } : {}),
    };
    const child = spawn(file, argv, options);
    const done = (r: CheckResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(r);
    };
    const timer = setTimeout(() => {
      killGroup(child.pid);
      done({ ok: false, message: `timeout after ${timeoutMs} ms` });
    }, timeoutMs);
    child.once("error", (e) => done({ ok: false, message: e.message }));
    child.once("exit", (code, signal) => done(code === 0
      ? { ok: true, message: "exit 0" }
      : { ok: false, message: signal ? `killed by ${signal}` : `exit ${code}` }));
  });
}

/** Kept for callers that do not configure: the default directory and user. */
export const execChecker: Checker = createExecChecker();
