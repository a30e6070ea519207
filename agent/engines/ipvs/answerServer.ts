/**
 * A helper process the agent keeps running (`lvs-ipvs-nl serve`, native/statsServe.c): one request
 * line on its stdin, one status line back on its stdout — "ok BYTES" once the answer is in the answer
 * file, or "error TEXT" — and the answer read from that file with one read into memory kept from call
 * to call. Spawning the helper every second from an agent with a large heap, and reading megabytes
 * through a pipe in 64 kB chunks, was a large part of the agent's stats CPU.
 *
 * Bounded: one request at a time, each within `timeoutMs` (then the process is killed), a status line
 * of at most 200 bytes, an answer of at most `maxBytes`. A process that exited or misbehaved is
 * `closed`; the caller starts a new one (which starts without a previous answer: a full one first).
 * Errors name the command and what went wrong (the exit code and its stderr when it died).
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { KeptReader } from "./keptReader.ts";

export interface AnswerServer {
  /** Sends one request line; the answer's bytes, valid until the next request (the memory is reused). */
  request(line: string): Promise<Uint8Array>;
  readonly closed: boolean;
  /** the process id (benchmarks read its CPU) */
  readonly pid: number | undefined;
  close(): void;
}

export interface AnswerServerOptions {
  timeoutMs?: number;
  maxBytes?: number;
}

/** Starts `argv` with the answer file's path appended as its last argument. */
export function startAnswerServer(argv: readonly string[], o: AnswerServerOptions = {}): AnswerServer {
  const timeoutMs = o.timeoutMs ?? 30_000;
  const maxBytes = o.maxBytes ?? 512 * 1024 * 1024;
  const name = `${path.basename(argv[0]!)} ${argv[1] ?? ""}`.trim();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lvs-agent-serve-"));
  const file = path.join(dir, "answer");
  const child = spawn(argv[0]!, [...argv.slice(1), file], { stdio: ["pipe", "pipe", "pipe"] });
  let closed = false;
  let fd: number | null = null;
  const reader = new KeptReader();
  let status = "";
  let stderr = "";
  let waiting: { resolve: (b: Uint8Array) => void; reject: (e: Error) => void; timer: ReturnType<typeof setTimeout> } | null = null;

  const fail = (e: Error) => {
    const w = waiting;
    waiting = null;
    if (w) {
      clearTimeout(w.timer);
      w.reject(e);
    }
  };
  const close = () => {
    if (closed) return;
    closed = true;
    child.kill("SIGKILL");
    if (fd !== null) fs.closeSync(fd);
    fd = null;
    fs.rmSync(dir, { recursive: true, force: true });
  };
  const broken = (why: string) => {
    close();
    fail(new Error(`${name}: ${why}`));
  };

  const onLine = (line: string) => {
    if (!waiting) return broken(`a status line nobody asked for: ${JSON.stringify(line.slice(0, 200))}`);
    const ok = /^ok (\d{1,12})$/.exec(line);
    if (ok) {
      const size = Number(ok[1]);
      if (size > maxBytes) return broken(`an answer of ${size} bytes (at most ${maxBytes})`);
      let answer: Buffer;
      try {
        fd ??= fs.openSync(file, "r");
        answer = reader.read(fd, size);
      } catch (e) {
        return broken(`cannot read the answer: ${(e as Error).message}`);
      }
      if (answer.length !== size) return broken(`the answer file holds ${answer.length} of the ${size} bytes announced`);
      const w = waiting;
      waiting = null;
      clearTimeout(w.timer);
      w.resolve(answer);
      return;
    }
    const err = /^error (.+)$/.exec(line);
    if (err) return fail(new Error(`${name}: ${err[1]}`));
    broken(`${JSON.stringify(line.slice(0, 200))} is not "ok BYTES" or "error TEXT"`);
  };

  child.stdout.setEncoding("latin1");
  child.stdout.on("data", (d: string) => {
    status += d;
    for (let nl = status.indexOf("\n"); nl >= 0 && !closed; nl = status.indexOf("\n")) {
      const line = status.slice(0, nl);
      status = status.slice(nl + 1);
      onLine(line);
    }
    if (status.length > 200) broken(`a status line longer than 200 bytes: ${JSON.stringify(status.slice(0, 200))}`);
  });
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (d: string) => {
    if (stderr.length < 4000) stderr += d;
  });
  child.stdin.on("error", () => {});
  child.once("error", (e) => broken(e.message));
  child.once("close", (code, signal) => {
    if (closed) return;
    broken(`exited (${signal ?? `code ${code}`})${stderr.trim() ? `: ${stderr.trim().slice(0, 400)}` : ""}`);
  });

  return {
    get closed() { return closed; },
    get pid() { return child.pid; },
    close,
    request(line: string): Promise<Uint8Array> {
      if (closed) return Promise.reject(new Error(`${name}: not running`));
      if (waiting) return Promise.reject(new Error(`${name}: a request is still running`));
      if (line.includes("\n")) return Promise.reject(new Error(`${name}: a request is one line`));
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => broken(`no answer within ${timeoutMs} ms`), timeoutMs);
        waiting = { resolve, reject, timer };
        child.stdin.write(`${line}\n`);
      });
    },
  };
}
