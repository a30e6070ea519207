/**
 * The one door the ipvs engine has to the system: run a command, optionally with stdin.
 * `nodeExec` spawns locally; tests use a fake; the lab can adapt it to a VM.
 */
import { spawn } from "node:child_process";

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface Exec {
  run(argv: readonly string[], stdin?: string): Promise<ExecResult>;
}

export function nodeExec(opts: { timeoutMs?: number } = {}): Exec {
  return {
    run(argv, stdin) {
      return new Promise((resolve, reject) => {
        const child = spawn(argv[0]!, argv.slice(1), { stdio: ["pipe", "pipe", "pipe"] });
        const out: Buffer[] = [];
        const err: Buffer[] = [];
        const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 30000);
        child.stdout.on("data", (b: Buffer) => out.push(b));
        child.stderr.on("data", (b: Buffer) => err.push(b));
        child.once("error", (e) => { clearTimeout(timer); reject(e); });
        child.once("close", (code, signal) => {
          clearTimeout(timer);
          resolve({ code: code ?? (signal ? 128 : 1), stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8") });
        });
        child.stdin.on("error", () => {});
        child.stdin.end(stdin ?? "");
      });
    },
  };
}
