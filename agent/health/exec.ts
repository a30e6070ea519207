/**
 * Exec check: run a shell command; up on exit code 0. The target is passed as environment
 * (LVS_RS_ADDRESS, LVS_RS_PORT) and as positional arguments $1 $2, like keepalived's MISC_CHECK.
 */
import { spawn } from "node:child_process";
import type { Checker, CheckResult } from "./checker.ts";

export const execChecker: Checker = {
  check(target, check, timeoutMs) {
    if (check.kind !== "exec") return Promise.resolve({ ok: false, message: `exec checker given a ${check.kind} check` });
    return new Promise<CheckResult>((resolve) => {
      let settled = false;
      const child = spawn("/bin/sh", ["-c", check.command, "lvs-check", target.address, String(target.port)], {
        env: { ...process.env, LVS_RS_ADDRESS: target.address, LVS_RS_PORT: String(target.port) },
        stdio: "ignore",
      });
      const done = (r: CheckResult) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(r);
      };
      const timer = setTimeout(() => {
        child.kill("SIGKILL");
        done({ ok: false, message: `timeout after ${timeoutMs} ms` });
      }, timeoutMs);
      child.once("error", (e) => done({ ok: false, message: e.message }));
      child.once("exit", (code, signal) => done(code === 0
        ? { ok: true, message: "exit 0" }
        : { ok: false, message: signal ? `killed by ${signal}` : `exit ${code}` }));
    });
  },
};
