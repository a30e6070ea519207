/**
 * Boot Debian's kernel under QEMU with the lab initramfs (lab/build.sh) and run one busybox sh
 * script in it. The VM has every IPVS module loaded, ipvsadm 1.31, iproute2's ip (as a shell
 * function `ip`, busybox's applet lacks netns) and busybox (httpd, nc, ...).
 *
 * One call = one boot (about 6 s of one core under TCG emulation). Calls in one process are serialised.
 */
import { spawn } from "node:child_process";
import { accessSync, constants, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { writeCpio, type CpioEntry } from "./cpio.ts";

export type VmFileSource = string | Uint8Array | { hostPath: string; mode?: number } | { text: string; mode: number };

export interface RunInVmOptions {
  /** busybox sh script, run as root after the modules are loaded; stdout and stderr are captured */
  script: string;
  /** extra files by absolute VM path: text, bytes, a host file to copy, or text with a mode */
  files?: Record<string, VmFileSource>;
  /** kill QEMU after this long (default 120 s) */
  timeoutMs?: number;
  /** "user": QEMU user networking, eth0 = 10.0.2.15/24, the host's 127.0.0.1:PORT is 10.0.2.2:PORT */
  net?: "user" | "none";
  /** defaults to $LVS_LAB_DIR, then lab/build */
  labDir?: string;
  memoryMb?: number;
}

export interface VmResult {
  /** what the script printed, between the markers, with \r removed */
  output: string;
  /** the script's exit status */
  exitCode: number;
  /** wall time of the whole run, QEMU start to exit */
  durationMs: number;
  /** QEMU start until the script started (kernel boot + module loading) */
  bootMs: number;
  /** whether KVM was used */
  kvm: boolean;
}

export type VmErrorKind = "panic" | "timeout" | "no-end-marker" | "qemu-failed" | "not-built";

export class VmError extends Error {
  constructor(
    readonly kind: VmErrorKind,
    message: string,
    /** the full serial console (\r removed) for diagnosis */
    readonly console: string,
  ) {
    super(message);
    this.name = "VmError";
  }
}

const BEGIN = "@@LAB-BEGIN@@";
const END_RE = /@@LAB-END rc=(\d+)@@/;

/** Shell helpers available to every script. */
const PREAMBLE = `# lab preamble
ip() { /usr/sbin/ip "$@"; }
section() { echo "@@SECTION $1@@"; }
set -u
`;

export function defaultLabDir(): string {
  return process.env.LVS_LAB_DIR || path.join(import.meta.dirname, "build");
}

export function labManifest(labDir = defaultLabDir()): {
  kernelPackage: string;
  kernelVersion: string;
  ipvsadmVersion: string;
  schedulers: string[];
  modules: string[];
} {
  return JSON.parse(readFileSync(path.join(labDir, "manifest.json"), "utf8"));
}

/** KVM is opt-in (LAB_KVM=1): nested KVM on the build machines hung or failed on MSRs, TCG is reliable. */
function kvmUsable(): boolean {
  if (process.env.LAB_KVM !== "1") return false;
  try {
    accessSync("/dev/kvm", constants.R_OK | constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

function toEntry(vmPath: string, src: VmFileSource): CpioEntry {
  if (typeof src === "string") return { kind: "file", path: vmPath, data: new TextEncoder().encode(src) };
  if (src instanceof Uint8Array) return { kind: "file", path: vmPath, data: src };
  if ("hostPath" in src) {
    return { kind: "file", path: vmPath, data: readFileSync(src.hostPath), mode: src.mode ?? 0o755 };
  }
  return { kind: "file", path: vmPath, data: new TextEncoder().encode(src.text), mode: src.mode };
}

function tail(text: string, lines = 40): string {
  return text.split("\n").slice(-lines).join("\n");
}

let queue: Promise<unknown> = Promise.resolve();

/** Boot one VM and run `script`; calls are queued so only one VM per process runs at a time. */
export function runInVm(opts: RunInVmOptions): Promise<VmResult> {
  const run = queue.then(() => boot(opts));
  queue = run.catch(() => undefined);
  return run;
}

async function boot(opts: RunInVmOptions): Promise<VmResult> {
  const labDir = opts.labDir ?? defaultLabDir();
  // the uncompressed ELF boots via PVH and skips the slow in-guest decompression
  const kernel = [path.join(labDir, "vmlinux"), path.join(labDir, "vmlinuz")].find((k) => existsSync(k)) ?? "";
  const base = path.join(labDir, "base.cpio.gz");
  if (!kernel || !existsSync(base)) {
    throw new VmError("not-built", `lab not built in ${labDir}: run 'bash lab/build.sh' first`, "");
  }
  const entries: CpioEntry[] = [
    { kind: "chardev", path: "/dev/console", major: 5, minor: 1 },
    { kind: "file", path: "/lab/test.sh", data: new TextEncoder().encode(PREAMBLE + opts.script + "\n"), mode: 0o755 },
  ];
  if (opts.net === "user") entries.push({ kind: "file", path: "/lab/net", data: new Uint8Array(0) });
  for (const [vmPath, src] of Object.entries(opts.files ?? {})) {
    if (!vmPath.startsWith("/")) throw new Error(`runInVm: files key ${JSON.stringify(vmPath)} must be an absolute VM path`);
    entries.push(toEntry(vmPath, src));
  }
  const overlay = gzipSync(writeCpio(entries), { level: 1 });
  const dir = mkdtempSync(path.join(tmpdir(), "lvs-lab-"));
  const initrd = path.join(dir, "initrd.gz");
  writeFileSync(initrd, Buffer.concat([readFileSync(base), overlay]));

  const kvm = kvmUsable();
  const args = [
    ...(kvm ? ["-enable-kvm"] : []),
    "-m", String(opts.memoryMb ?? 512),
    "-smp", "1",
    "-nographic", "-monitor", "none", "-no-reboot",
    "-kernel", kernel,
    "-initrd", initrd,
    // no_timer_check: under TCG on a loaded host the IO-APIC timer check fails and the kernel panics
    "-append", "console=ttyS0 quiet panic=-1 mitigations=off no_timer_check",
    ...(opts.net === "user" ? ["-nic", "user,model=virtio-net-pci"] : ["-nic", "none"]),
  ];
  const timeoutMs = opts.timeoutMs ?? 120_000;
  const started = performance.now();
  let beganAt = -1;
  let consoleText = "";
  const child = spawn("qemu-system-x86_64", args, { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stdout.setEncoding("utf8");
  child.stderr.setEncoding("utf8");
  let ended = false;
  child.stdout.on("data", (d: string) => {
    const from = Math.max(0, consoleText.length - 64);
    consoleText += d;
    if (beganAt < 0 && consoleText.includes(BEGIN)) beganAt = performance.now();
    // everything before the end marker has arrived (the serial line is ordered): stop the VM now
    if (!ended && beganAt >= 0 && END_RE.test(consoleText.slice(from))) {
      ended = true;
      child.kill("SIGKILL");
    }
  });
  child.stderr.on("data", (d: string) => (stderr += d));

  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill("SIGKILL");
  }, timeoutMs);
  const status = await new Promise<number | null>((resolve, reject) => {
    child.on("error", (err) => reject(new VmError("qemu-failed", `cannot start qemu-system-x86_64: ${err.message} (run 'bash lab/build.sh')`, "")));
    child.on("close", (code) => resolve(code));
  }).finally(() => {
    clearTimeout(timer);
    rmSync(dir, { recursive: true, force: true });
  });
  const durationMs = Math.round(performance.now() - started);
  const text = consoleText.replace(/\r/g, "");

  const panic = text.indexOf("Kernel panic");
  if (panic >= 0) {
    throw new VmError("panic", `kernel panic in the lab VM:\n${tail(text.slice(Math.max(0, panic - 2000)))}`, text);
  }
  if (timedOut) {
    throw new VmError("timeout", `lab VM killed after ${timeoutMs} ms; console tail:\n${tail(text)}`, text);
  }
  const b = text.indexOf(BEGIN);
  const m = END_RE.exec(text);
  if (b < 0 || !m) {
    const why = status === 0 ? "QEMU exited" : `QEMU exited with ${status ?? "a signal"}: ${stderr.trim()}`;
    throw new VmError("no-end-marker", `${why} before the script finished; console tail:\n${tail(text)}`, text);
  }
  return {
    output: text.slice(b + BEGIN.length + 1, m.index),
    exitCode: Number(m[1]),
    durationMs,
    bootMs: Math.round(beganAt - started),
    kvm,
  };
}

/** Split output printed with the preamble's `section NAME` helper into NAME → text. */
export function splitSections(output: string): Map<string, string> {
  const out = new Map<string, string>();
  const re = /^@@SECTION (\S+)@@\n/gm;
  let match: RegExpExecArray | null;
  let prev: { name: string; start: number } | null = null;
  while ((match = re.exec(output))) {
    if (prev) out.set(prev.name, output.slice(prev.start, match.index));
    prev = { name: match[1]!, start: match.index + match[0].length };
  }
  if (prev) out.set(prev.name, output.slice(prev.start));
  return out;
}
