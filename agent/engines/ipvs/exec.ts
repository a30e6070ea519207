/**
 * The one door the ipvs engine has to the system: run a command, optionally with stdin.
 * `nodeExec` spawns locally; tests use a fake; the lab can adapt it to a VM.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { startAnswerServer, type AnswerServer } from "./answerServer.ts";
import { KeptReader } from "./keptReader.ts";

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface BytesResult {
  code: number;
  stdout: Uint8Array;
  stderr: string;
}

export interface Exec {
  run(argv: readonly string[], stdin?: string): Promise<ExecResult>;
  /**
   * The same with stdout as bytes (a 14 MB stats answer is not made into a string), valid until the
   * next runBytes call (the memory is reused); optional.
   */
  runBytes?(argv: readonly string[], stdin?: string): Promise<BytesResult>;
  /** Starts a long-running helper that answers request lines (answerServer.ts; the answer file's path is appended to argv); optional. */
  serve?(argv: readonly string[]): AnswerServer;
}

export function nodeExec(opts: { timeoutMs?: number } = {}): Exec {
  const run = (argv: readonly string[], stdin: string | undefined, stdout: number | "pipe") =>
    new Promise<{ code: number; stdout: Buffer; stderr: string }>((resolve, reject) => {
      const child = spawn(argv[0]!, argv.slice(1), { stdio: ["pipe", stdout, "pipe"] });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 30000);
      child.stdout?.on("data", (b: Buffer) => out.push(b));
      child.stderr!.on("data", (b: Buffer) => err.push(b));
      child.once("error", (e) => { clearTimeout(timer); reject(e); });
      child.once("close", (code, signal) => {
        clearTimeout(timer);
        resolve({ code: code ?? (signal ? 128 : 1), stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString("utf8") });
      });
      child.stdin!.on("error", () => {});
      child.stdin!.end(stdin ?? "");
    });
  // runBytes: stdout into a private file, then one read into memory kept from call to call. Through a
  // pipe, 14 MB arrive in ~220 chunks of 64 kB, each a wakeup and a fresh Buffer, then a concat: in
  // bench/scale/statsBusy.ts that was most of the agent's CPU for a busy 10 000-service table.
  let dir: string | null = null;
  const reader = new KeptReader();
  let calls = 0;
  return {
    serve: (argv) => startAnswerServer(argv, { timeoutMs: opts.timeoutMs ?? 30000 }),
    async run(argv, stdin) {
      const r = await run(argv, stdin, "pipe");
      return { ...r, stdout: r.stdout.toString("utf8") };
    },
    async runBytes(argv, stdin) {
      dir ??= fs.mkdtempSync(path.join(os.tmpdir(), "lvs-agent-exec-"));
      const file = path.join(dir, `out-${calls++}`);
      const fd = fs.openSync(file, "wx+", 0o600);
      try {
        const r = await run(argv, stdin, fd);
        return { code: r.code, stderr: r.stderr, stdout: reader.read(fd, fs.fstatSync(fd).size) };
      } finally {
        fs.closeSync(fd);
        fs.rmSync(file, { force: true });
      }
    },
  };
}
