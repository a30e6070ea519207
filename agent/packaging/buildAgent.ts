/**
 * `npm run build:agent`: the agent as ONE self-contained executable, a Node single-executable
 * application (SEA): esbuild bundles agent/packaging/entry.ts with everything it imports (lvs/, ws, zod,
 * ipaddr.js) into one CommonJS file, `node --experimental-sea-config` turns it into a blob and postject
 * injects the blob into a copy of the building Node binary. A director needs nothing else: no Node, no
 * node_modules, no TypeScript. (SEA works on Node 20 here; it was chosen over a bundled .cjs that
 * needs the distribution's Node because distributions ship Node 12..18, older than the agent needs.)
 *
 * Output, in dist/agent/ (gitignored; the console serves it at /agent/*):
 *   lvs-agent          the executable (linux, the building machine's architecture)
 *   lvs-agent.sha256   `HEX  lvs-agent` (sha256sum format)
 *   install.sh         the installer (agent/packaging/install.sh with the unit and version filled in)
 *   build.json         { version, protocolVersion, sha256, bytes, node, arch, inputHash, native }
 *
 * The executable carries the native helpers (lvs-ipvs-nl, lvs-tcp-relay; static, built with gcc) as
 * SEA assets; agent/nativeHelpers.ts writes them out on the director when no .deb installed them. A
 * machine without a C compiler builds an executable without them (said in the log and in build.json's
 * `native`): the agent then runs on ipvsadm alone and the JS relay.
 *
 * Reproducible: the same sources, version and Node binary give the same bytes (nothing records a time
 * or a path; esbuild's output is deterministic, the SEA blob and the injection too). The version is
 * `<package version>+g<commit>` (`.dirty` appended when the work tree has uncommitted changes;
 * LVS_BUILD_COMMIT overrides the commit, e.g. for a tarball without .git). A build whose inputs hash
 * to the recorded inputHash is skipped, so tests and `npm start` can call it every time.
 */
import { spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import fs from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import * as esbuild from "esbuild";
import pkg from "../../package.json" with { type: "json" };
import { PROTOCOL_VERSION } from "../../lvs/protocol/agent.ts";
import { renderInstallScript, renderUnit } from "./templates.ts";
import { buildIpvsHelper } from "../engines/ipvs/native/buildHelper.ts";
import { buildTcpRelay } from "../engines/userspace/native/buildRelay.ts";
import { NATIVE_HELPERS, type NativeHelper } from "../nativeHelpers.ts";

export const ROOT = path.resolve(import.meta.dirname, "../..");
export const DEFAULT_OUT_DIR = path.join(ROOT, "dist/agent");
/** the fuse string Node's SEA support looks for (fixed by Node; see the single-executable docs) */
const SEA_FUSE = "NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2";
/** bump when the build recipe changes in a way the inputs below do not capture */
const RECIPE = 2;

export interface AgentBuild {
  dir: string;
  artifact: string;
  version: string;
  protocolVersion: number;
  sha256: string;
  bytes: number;
  node: string;
  arch: string;
  inputHash: string;
  /** the native helpers the executable carries (agent/nativeHelpers.ts), by name */
  native: string[];
  /** true when the recorded build matched the inputs and nothing was rebuilt */
  cached: boolean;
}

export interface BuildAgentOptions {
  outDir?: string;
  /** rebuild even when the inputs did not change */
  force?: boolean;
  /** defaults to <package version>+g<commit>[.dirty] */
  version?: string;
  log?: (line: string) => void;
}

function git(args: string[]): string | null {
  const r = spawnSync("git", args, { cwd: ROOT, encoding: "utf8" });
  return r.status === 0 ? r.stdout.trim() : null;
}

/** `<package version>+g<12-hex commit>`, `.dirty` when tracked files changed; `+unknown` without git. */
export function agentBuildVersion(): string {
  const commit = process.env.LVS_BUILD_COMMIT || git(["rev-parse", "--short=12", "HEAD"]);
  if (!commit) return `${pkg.version}+unknown`;
  const dirty = !process.env.LVS_BUILD_COMMIT && (git(["status", "--porcelain", "--untracked-files=no"]) ?? "") !== "";
  return `${pkg.version}+g${commit}${dirty ? ".dirty" : ""}`;
}

/** debian/uname names of Node's process.arch */
export function unameArch(arch = process.arch): string {
  const map: Record<string, string> = { x64: "x86_64", arm64: "aarch64", arm: "armv7l", ppc64: "ppc64le", s390x: "s390x", riscv64: "riscv64" };
  return map[arch] ?? arch;
}

/**
 * ws loads the optional native helpers bufferutil and utf-8-validate inside try/catch; they are not
 * installed, and a SEA's require() could not load them anyway (it warns on every start): bundle a
 * module that throws, so ws takes its JavaScript path silently.
 */
const noOptionalNatives: esbuild.Plugin = {
  name: "no-optional-natives",
  setup(b) {
    b.onResolve({ filter: /^(bufferutil|utf-8-validate)$/ }, (a) => ({ path: a.path, namespace: "absent" }));
    b.onLoad({ filter: /.*/, namespace: "absent" }, (a) => ({ contents: `throw new Error(${JSON.stringify(`${a.path} is not bundled`)});`, loader: "js" }));
  },
};

/** The bundle (CommonJS text) for a version; warnings fail the build (they mean something will break at run time). */
export async function bundleAgent(version: string): Promise<string> {
  // the standalone reload's worker thread (agent/rulesLoader.ts) cannot load a file from a single
  // executable: its own bundle is embedded as text and run with `new Worker(text, { eval: true })`
  const worker = await esbuild.build({
    entryPoints: [path.join(ROOT, "agent/rulesWorker.ts")],
    bundle: true, platform: "node", target: "node20", format: "cjs", write: false, outfile: "rules-worker.cjs",
    define: { "import.meta.url": "__LVS_AGENT_NO_IMPORT_META__" }, legalComments: "none", charset: "utf8", logLevel: "silent",
  });
  const result = await esbuild.build({
    entryPoints: [path.join(ROOT, "agent/packaging/entry.ts")],
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    write: false,
    outfile: "lvs-agent.cjs",
    // import.meta does not exist in CommonJS: a use left on a path the bundle takes fails loudly (ReferenceError)
    define: {
      __LVS_AGENT_VERSION__: JSON.stringify(version),
      __LVS_RULES_WORKER__: JSON.stringify(worker.outputFiles[0]!.text),
      "import.meta.url": "__LVS_AGENT_NO_IMPORT_META__",
    },
    legalComments: "none",
    charset: "utf8",
    logLevel: "silent",
    plugins: [noOptionalNatives],
  });
  if (result.warnings.length || worker.warnings.length) {
    const text = await esbuild.formatMessages([...worker.warnings, ...result.warnings], { kind: "warning" });
    throw new Error(`esbuild warnings in the agent bundle:\n${text.join("\n")}`);
  }
  return result.outputFiles[0]!.text;
}

async function sha256File(file: string): Promise<string> {
  return createHash("sha256").update(await fs.readFile(file)).digest("hex");
}

function run(cmd: string, args: string[], cwd: string): void {
  const r = spawnSync(cmd, args, { cwd, encoding: "utf8", maxBuffer: 16 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`${path.basename(cmd)} ${args.join(" ")} failed (${r.error?.message ?? `exit ${r.status}`}):\n${r.stderr}${r.stdout}`);
}

async function readBuild(dir: string): Promise<Omit<AgentBuild, "cached" | "dir" | "artifact"> | null> {
  try {
    return JSON.parse(await fs.readFile(path.join(dir, "build.json"), "utf8"));
  } catch {
    return null;
  }
}

const NATIVE_BUILDERS: Record<NativeHelper, (out: string) => string> = { "lvs-ipvs-nl": buildIpvsHelper, "lvs-tcp-relay": buildTcpRelay };

/** The native helpers built into `<dir>/.native` (skipped when current), by name; none without a C compiler. */
function nativeHelpers(dir: string, log: (line: string) => void): Map<NativeHelper, string> {
  const built = new Map<NativeHelper, string>();
  for (const name of NATIVE_HELPERS) {
    try {
      built.set(name, NATIVE_BUILDERS[name](path.join(dir, ".native", name)));
    } catch (e) {
      log(`${name} not built, the executable will not carry it: ${(e as Error).message}`);
    }
  }
  return built;
}

/** Build dist/agent (or reuse it when its inputs did not change). Safe to run concurrently: every file is renamed into place. */
export async function buildAgent(o: BuildAgentOptions = {}): Promise<AgentBuild> {
  const dir = o.outDir ?? DEFAULT_OUT_DIR;
  const log = o.log ?? (() => undefined);
  const version = o.version ?? agentBuildVersion();
  const bundle = await bundleAgent(version);
  const nodeBinary = await fs.readFile(process.execPath);
  const arch = unameArch();
  const unitTemplate = await fs.readFile(path.join(ROOT, "agent/packaging/lvs-agent.service"), "utf8");
  const installTemplate = await fs.readFile(path.join(ROOT, "agent/packaging/install.sh"), "utf8");
  const installSh = renderInstallScript(installTemplate, { version, arch, unit: renderUnit(unitTemplate, "/usr/local/lib/lvs-agent") });
  const native = nativeHelpers(dir, log);
  const nativeHash = createHash("sha256");
  for (const [name, file] of native) nativeHash.update(`${name}\0`).update(await fs.readFile(file)).update("\0");
  const inputHash = createHash("sha256")
    .update(`recipe ${RECIPE}\0version ${version}\0arch ${arch}\0`)
    .update(nativeHash.digest())
    .update(createHash("sha256").update(nodeBinary).digest())
    .update(createHash("sha256").update(bundle).digest())
    .update(createHash("sha256").update(installSh).digest())
    .digest("hex");
  const artifact = path.join(dir, "lvs-agent");

  const current = async (): Promise<AgentBuild | null> => {
    const recorded = o.force ? null : await readBuild(dir);
    if (recorded?.inputHash === inputHash && existsSync(artifact) && (await sha256File(artifact)) === recorded.sha256) {
      log(`lvs-agent ${version}: up to date (${dir})`);
      return { ...recorded, dir, artifact, cached: true };
    }
    return null;
  };
  const cached = await current();
  if (cached) return cached;

  await fs.mkdir(dir, { recursive: true });
  // one build at a time per output dir (parallel test files all ask); the others then find it current
  const unlock = await lock(path.join(dir, ".lock"));
  const work = await fs.mkdtemp(path.join(dir, ".build-"));
  try {
    const built = await current();
    if (built) return built;
    log(`lvs-agent ${version}: bundling (${(bundle.length / 1024).toFixed(0)} KiB of JavaScript), SEA blob, injecting into ${process.execPath} (${process.version})`);
    await fs.writeFile(path.join(work, "lvs-agent.cjs"), bundle);
    await fs.writeFile(path.join(work, "sea-config.json"), JSON.stringify({ main: "lvs-agent.cjs", output: "sea.blob", disableExperimentalSEAWarning: true, useSnapshot: false, useCodeCache: false, assets: Object.fromEntries(native) }));
    run(process.execPath, ["--experimental-sea-config", "sea-config.json"], work);
    const exe = path.join(work, "lvs-agent");
    await fs.writeFile(exe, nodeBinary, { mode: 0o755 });
    const postject = createRequire(import.meta.url).resolve("postject/dist/cli.js");
    run(process.execPath, [postject, exe, "NODE_SEA_BLOB", "sea.blob", "--sentinel-fuse", SEA_FUSE], work);
    await fs.chmod(exe, 0o755);
    const said = spawnSync(exe, ["--version"], { encoding: "utf8" });
    if (said.status !== 0 || !said.stdout.startsWith(`lvs-agent ${version} `)) {
      throw new Error(`the built executable does not run: exit ${said.status}: ${said.stdout}${said.stderr}`);
    }
    const sha256 = await sha256File(exe);
    const bytes = (await fs.stat(exe)).size;
    const build = { version, protocolVersion: PROTOCOL_VERSION, sha256, bytes, node: process.version, arch, inputHash, native: [...native.keys()] };
    // the checksum and script first, the artifact, then build.json: a reader that sees build.json sees the rest
    const place = async (name: string, data: string | Buffer, mode: number) => {
      const tmp = path.join(work, `${name}.${randomBytes(4).toString("hex")}`);
      await fs.writeFile(tmp, data, { mode });
      await fs.chmod(tmp, mode);
      await fs.rename(tmp, path.join(dir, name));
    };
    await place("lvs-agent.sha256", `${sha256}  lvs-agent\n`, 0o644);
    await place("install.sh", installSh, 0o755);
    await fs.rename(exe, artifact);
    await place("build.json", JSON.stringify(build, null, 2) + "\n", 0o644);
    log(`lvs-agent ${version}: ${dir}/lvs-agent (${(bytes / 1048576).toFixed(1)} MiB, sha256 ${sha256})`);
    return { ...build, dir, artifact, cached: false };
  } finally {
    await fs.rm(work, { recursive: true, force: true });
    await unlock();
  }
}

/** An exclusive lock file holding our pid; a lock whose process is gone is taken over. */
async function lock(file: string): Promise<() => Promise<void>> {
  for (;;) {
    try {
      const fh = await fs.open(file, "wx");
      await fh.writeFile(String(process.pid));
      await fh.close();
      return () => fs.rm(file, { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      const pid = Number(await fs.readFile(file, "utf8").catch(() => ""));
      let alive = true; // a lock still without its pid is being taken right now
      try {
        if (pid > 0) process.kill(pid, 0);
        else if (Date.now() - (await fs.stat(file)).mtimeMs > 60_000) alive = false;
      } catch {
        alive = false;
      }
      if (!alive) await fs.rm(file, { force: true });
      else await new Promise((r) => setTimeout(r, 500));
    }
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === import.meta.filename) {
  const force = process.argv.includes("--force");
  buildAgent({ force, log: (l) => process.stderr.write(`[build:agent] ${l}\n`) }).then(
    (b) => process.stdout.write(`${b.artifact}\n`),
    (e: Error) => {
      process.stderr.write(`[build:agent] ${e.message}\n`);
      process.exit(1);
    },
  );
}
