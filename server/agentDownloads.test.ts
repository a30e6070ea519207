/**
 * /agent/* from a running console over HTTP, and the install script it serves run for real against a
 * temporary root (--root: nothing is enabled or started, the real / is never touched): the
 * executable, the unit, the environment file (mode 0600, server and token), an upgrade that keeps
 * the settings, a tampered artifact refused with nothing installed, and the installed agent started
 * with the installed settings reaching the console. The agent is built by `npm run build:agent`'s
 * script as a child process (the control plane does not link the agent).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { startServer, PROJECT_DIR, type RunningServer } from "./app.ts";
import { loadEnv } from "./env.ts";
import { createAgentPlugin } from "./agentPlugin.ts";
import { TopologyService } from "./services/topologyService.ts";
import { DirectorService } from "./services/directorService.ts";
import { NOT_BUILT } from "./agentDownloads.ts";
import type { Topology } from "../lvs/model.ts";

const DIST = path.join(PROJECT_DIR, "dist", "agent");
/** exactly these variables for the installer and the installed agent (no NODE_*, no repository on PATH) */
const PATH_ENV = { PATH: "/usr/sbin:/usr/bin:/sbin:/bin", HOME: os.tmpdir() } as Record<string, string>;
const only = (env: Record<string, string>) => env as NodeJS.ProcessEnv;

function buildAgentProcess(): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "agent/packaging/buildAgent.ts"], { cwd: PROJECT_DIR, stdio: ["ignore", "pipe", "pipe"] });
    let err = "";
    child.stderr.on("data", (d) => (err += d));
    child.once("exit", (code) => (code === 0 ? resolve() : reject(new Error(`build:agent exited ${code}:\n${err}`))));
  });
}

/** async: the console answering the downloads runs in this process */
function sh(script: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn("sh", ["-c", script], { env: only(PATH_ENV), stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), 170_000);
    child.once("exit", (status) => (clearTimeout(timer), resolve({ status, stdout, stderr })));
  });
}

const doc = (): Topology => ({
  name: "install", directors: [{ id: "d1", name: "lb-install", managementAddress: null, interfaces: [], engine: "userspace" }],
  services: [], realServers: [], memberships: [], layout: {},
});

let s: RunningServer;
let tampered: RunningServer;
let empty: RunningServer;
let token: string;
let directorId: string;
const dirs: string[] = [];
const tmp = async (prefix: string) => {
  const d = await fs.mkdtemp(path.join(os.tmpdir(), prefix));
  dirs.push(d);
  return d;
};
const serverEnv = () => loadEnv({ DATABASE_URL: "pglite:memory", LOG_LEVEL: "silent", LVS_NEXT: "0", LVS_DEMO: "0", PORT: "0", HOST: "127.0.0.1" });

beforeAll(async () => {
  await buildAgentProcess();
  s = await startServer({ env: serverEnv(), agentDir: DIST, plugins: [createAgentPlugin({ heartbeatMs: 1000 })] });
  const deps = { prisma: s.db.prisma, bus: s.bus, log: s.log };
  const topo = new TopologyService(deps);
  const t = await topo.create("install", null);
  await topo.save({ id: t.id, expectedRevision: t.revision, document: doc(), message: "", author: null });
  const enrolled = await new DirectorService(deps).create({ topologyId: t.id, key: "d1" });
  token = enrolled.token;
  directorId = enrolled.director.id;
  // a console serving an artifact one byte off its published checksum
  const bad = await tmp("lvs-agent-tampered-");
  for (const f of ["install.sh", "lvs-agent.sha256", "build.json", "lvs-agent"]) await fs.copyFile(path.join(DIST, f), path.join(bad, f));
  const fh = await fs.open(path.join(bad, "lvs-agent"), "r+");
  const byte = Buffer.alloc(1);
  await fh.read(byte, 0, 1, 4096);
  byte[0] = byte[0]! ^ 0xff;
  await fh.write(byte, 0, 1, 4096);
  await fh.close();
  tampered = await startServer({ env: serverEnv(), agentDir: bad, plugins: [] });
  empty = await startServer({ env: serverEnv(), agentDir: await tmp("lvs-agent-none-"), plugins: [] });
}, 600_000);

afterAll(async () => {
  await Promise.all([s, tampered, empty].map((x) => x?.close()));
  for (const d of dirs) await fs.rm(d, { recursive: true, force: true });
});

describe("/agent/* downloads", () => {
  it("serves the executable, its checksum and the install script without a session", { timeout: 120_000 }, async () => {
    const sum = await fetch(`${s.url}/agent/lvs-agent.sha256`);
    expect(sum.status).toBe(200);
    const sumText = await sum.text();
    expect(sumText).toBe(await fs.readFile(path.join(DIST, "lvs-agent.sha256"), "utf8"));
    expect(sumText).toMatch(/^[0-9a-f]{64} {2}lvs-agent\n$/);
    const bin = await fetch(`${s.url}/agent/lvs-agent`);
    expect(bin.headers.get("content-type")).toBe("application/octet-stream");
    const bytes = Buffer.from(await bin.arrayBuffer());
    expect(`${createHash("sha256").update(bytes).digest("hex")}  lvs-agent\n`).toBe(sumText);
    const head = await fetch(`${s.url}/agent/lvs-agent`, { method: "HEAD" });
    expect(Number(head.headers.get("content-length"))).toBe(bytes.length);
    const script = await fetch(`${s.url}/agent/install.sh`);
    expect(script.status).toBe(200);
    expect(await script.text()).toMatch(/^#!\/bin\/sh\n/);
    expect((await fetch(`${s.url}/agent/other`)).status).toBe(404);
    expect((await fetch(`${s.url}/agent/install.sh`, { method: "POST" })).status).toBe(405);
  });

  it("answers 503 with what to run when no agent is built", async () => {
    const r = await fetch(`${empty.url}/agent/install.sh`);
    expect(r.status).toBe(503);
    expect(await r.text()).toContain(NOT_BUILT);
  });
});

describe("install.sh from the console, into a temporary root", () => {
  it("installs the verified executable, the unit and a root-only environment file; an upgrade keeps the settings", async () => {
    const root = await tmp("lvs-agent-root-");
    // the enroll dialog's command, with --root instead of sudo
    const r = await sh(`curl -fsSL ${s.url}/agent/install.sh | sh -s -- --server ${s.url} --token ${token} --root ${root}`);
    expect(r.status, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toContain("checksum verified");
    const exe = path.join(root, "usr/local/lib/lvs-agent/lvs-agent");
    const sha = createHash("sha256").update(await fs.readFile(exe)).digest("hex");
    expect(`${sha}  lvs-agent\n`).toBe(await fs.readFile(path.join(DIST, "lvs-agent.sha256"), "utf8"));
    expect((await fs.stat(exe)).mode & 0o777).toBe(0o755);
    expect(await fs.readlink(path.join(root, "usr/local/bin/lvs-agent"))).toBe("/usr/local/lib/lvs-agent/lvs-agent");

    const unit = await fs.readFile(path.join(root, "etc/systemd/system/lvs-agent.service"), "utf8");
    expect(unit).toMatch(/^ExecStart=\/usr\/local\/lib\/lvs-agent\/lvs-agent$/m);
    expect(unit).toMatch(/^EnvironmentFile=\/etc\/lvs-agent\/agent\.env$/m);
    expect(unit).toMatch(/^Restart=on-failure$/m);
    expect(unit).toMatch(/^Before=keepalived\.service$/m);
    expect(unit).toMatch(/^After=network-online\.target ipvsadm\.service$/m);
    expect(unit).toMatch(/^Wants=network-online\.target$/m);
    expect(unit).toMatch(/^WantedBy=multi-user\.target$/m);
    expect(unit).not.toContain("@");

    const envFile = path.join(root, "etc/lvs-agent/agent.env");
    const st = await fs.stat(envFile);
    expect(st.mode & 0o777).toBe(0o600);
    expect(st.uid).toBe(0);
    expect((await fs.stat(path.join(root, "etc/lvs-agent"))).mode & 0o777).toBe(0o700);
    const env = await fs.readFile(envFile, "utf8");
    expect(env).toMatch(new RegExp(`^LVS_AGENT_SERVER=${s.url.replace(/[.]/g, "\\.")}$`, "m"));
    expect(env).toMatch(new RegExp(`^LVS_AGENT_TOKEN=${token}$`, "m"));

    // upgrade: the same command without --token keeps agent.env as it is
    await fs.appendFile(envFile, "LVS_AGENT_HEAL_DRIFT=1\n");
    const up = await sh(`curl -fsSL ${s.url}/agent/install.sh | sh -s -- --server ${s.url} --root ${root}`);
    expect(up.status, up.stderr).toBe(0);
    expect(up.stdout).toContain("kept the settings");
    expect(await fs.readFile(envFile, "utf8")).toBe(`${env}LVS_AGENT_HEAL_DRIFT=1\n`);
  }, 180_000);

  it("the installed agent, started with the installed settings, reaches the console", async () => {
    const root = await tmp("lvs-agent-run-");
    const r = await sh(`curl -fsSL ${s.url}/agent/install.sh | sh -s -- --server ${s.url} --token ${token} --engine userspace --root ${root}`);
    expect(r.status, r.stderr).toBe(0);
    const settings = Object.fromEntries((await fs.readFile(path.join(root, "etc/lvs-agent/agent.env"), "utf8"))
      .split("\n").filter((l) => /^[A-Z_]+=/.test(l)).map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]));
    expect(settings.LVS_AGENT_ENGINE).toBe("userspace");
    const child = spawn(path.join(root, "usr/local/lib/lvs-agent/lvs-agent"), [], {
      env: only({ ...PATH_ENV, ...settings, LVS_AGENT_STATE_DIR: path.join(root, "var/lib/lvs-agent") }), stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stderr.on("data", (d) => (out += d));
    try {
      const end = Date.now() + 60_000;
      for (;;) {
        const d = await s.db.prisma.director.findUnique({ where: { id: directorId } });
        if (d?.online) break;
        if (Date.now() > end || child.exitCode !== null) throw new Error(`the installed agent did not come online:\n${out}`);
        await new Promise((res) => setTimeout(res, 200));
      }
      expect(out).toMatch(/INFO lvs-agent \d+\.\d+\.\d+\+\S+ \(protocol 1\)/);
    } finally {
      child.kill("SIGTERM");
      await new Promise((res) => child.once("exit", res));
    }
  }, 120_000);

  it("refuses a tampered artifact and installs nothing", async () => {
    const root = await tmp("lvs-agent-bad-");
    const r = await sh(`curl -fsSL ${tampered.url}/agent/install.sh | sh -s -- --server ${tampered.url} --token ${token} --root ${root}`);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/checksum mismatch: the artifact's SHA-256 is [0-9a-f]{64}, expected [0-9a-f]{64}\. Nothing was installed\./);
    expect(await fs.readdir(root)).toEqual([]);
  }, 180_000);

  it("refuses settings that cannot go into the environment file, before downloading", async () => {
    const root = await tmp("lvs-agent-args-");
    const cases: Array<[string, RegExp]> = [
      [`--server ${s.url} --token 'abc def' --root ${root}`, /--token may hold only/],
      [`--server ${s.url} --token "$(printf 'abc\\nLVS_AGENT_INSECURE=1')" --root ${root}`, /--token may hold only/],
      [`--server 'http://x/ y' --token abc --root ${root}`, /--server holds characters a URL cannot/],
      [`--server ftp://x --token abc --root ${root}`, /--server must be an http:\/\/ or https:\/\/ URL/],
      [`--token abc --root ${root}`, /--server URL is required/],
      [`--server ${s.url} --root ${root}`, /--token is required/],
      [`--server ${s.url} --token abc --engine kernel --root ${root}`, /--engine must be auto, ipvs or userspace/],
    ];
    for (const [args, re] of cases) {
      const r = await sh(`curl -fsSL ${s.url}/agent/install.sh | sh -s -- ${args}`);
      expect(r.status, args).toBe(1);
      expect(r.stderr, args).toMatch(re);
    }
    expect(await fs.readdir(root)).toEqual([]);
  }, 120_000);
});
