#!/usr/bin/env node
// `npm start`: bring the product up on one port (default http://localhost:3000).
//  1. generate the Prisma client if it is missing (npm's postinstall normally did it),
//  2. build the Next.js UI when there is no build or the build is stale (sources changed since),
//  3. build the director agent (dist/agent: the single executable, its SHA-256 and install.sh, served
//     at /agent/*) when its inputs changed (agent/packaging/buildAgent.ts; ~30 s the first time, a few
//     seconds to find it current); a failed agent build is reported and the console starts anyway,
//     answering /agent/* with 503 and what to run,
//  4. run the custom server (server/index.ts) in production mode; it applies the database
//     migrations itself and uses the embedded PGlite database in .data/ unless DATABASE_URL is set.
// SIGINT/SIGTERM are forwarded to the server, which shuts down gracefully.
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { constants } from "node:os";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const bin = (name) => path.join(root, "node_modules", ".bin", name);
const STAMP = path.join(root, ".next", "lvs-build-stamp");

/** Everything that goes into the UI bundle; a change here means the build is stale. */
const BUILD_INPUTS = ["app", "i18n", "messages", "lvs", "public", "next.config.js", "postcss.config.mjs", "tsconfig.json", "package-lock.json"];

function log(msg) {
  process.stderr.write(`[start] ${msg}\n`);
}

function* walk(p) {
  if (!existsSync(p)) return;
  const st = statSync(p);
  if (st.isFile()) {
    yield p;
    return;
  }
  if (!st.isDirectory()) return;
  for (const name of readdirSync(p).sort()) {
    if (name === "node_modules" || name.startsWith(".")) continue;
    yield* walk(path.join(p, name));
  }
}

/** sha256 over the paths and contents of the build inputs (all but `skip`). */
export function sourceFingerprint(skip = []) {
  const h = createHash("sha256");
  for (const input of BUILD_INPUTS) {
    if (skip.includes(input)) continue;
    for (const file of walk(path.join(root, input))) {
      if (/\.test\.tsx?$/.test(file)) continue;
      h.update(path.relative(root, file)).update("\0").update(readFileSync(file)).update("\0");
    }
  }
  return h.digest("hex");
}

function run(cmd, args, env = process.env) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: "inherit", env });
  if (r.error) throw r.error;
  return r.status ?? 1;
}

function ensurePrismaClient() {
  if (existsSync(path.join(root, "generated", "prisma"))) return;
  log("generating the Prisma client");
  const env = { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY || "/bin/false" };
  if (run(bin("prisma"), ["generate"], env) !== 0) {
    log("prisma generate failed");
    process.exit(1);
  }
}

/**
 * The stamp written after a build, from the inputs' fingerprints taken before and after it. `next
 * build` rewrites tsconfig.json itself on its first run, so that file counts as it is after the build;
 * any other input edited while the build ran may not be in it: the stamp then matches no fingerprint
 * and the next start builds again.
 */
export function stampAfterBuild(before, after) {
  return before.others === after.others ? after.all : `stale: inputs changed during the build (${before.others})`;
}

const NEXT_REWRITES = ["tsconfig.json"];
const inputsNow = () => ({ all: sourceFingerprint(), others: sourceFingerprint(NEXT_REWRITES) });

function ensureBuild() {
  const fingerprint = sourceFingerprint();
  const hasBuild = existsSync(path.join(root, ".next", "BUILD_ID"));
  const stamp = existsSync(STAMP) ? readFileSync(STAMP, "utf8").trim() : "";
  if (hasBuild && stamp === fingerprint) return;
  if (process.env.LVS_SKIP_BUILD === "1" && hasBuild) {
    log("LVS_SKIP_BUILD=1: using the existing (possibly stale) build");
    return;
  }
  log(hasBuild ? "sources changed since the last build: rebuilding the UI" : "no UI build yet: building (first start takes a minute)");
  const before = inputsNow();
  const env = { ...process.env, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1" };
  if (run(bin("next"), ["build"], env) !== 0) {
    log("next build failed");
    process.exit(1);
  }
  writeFileSync(STAMP, stampAfterBuild(before, inputsNow()) + "\n");
}

function ensureAgent() {
  if (process.env.LVS_SKIP_BUILD === "1" && existsSync(path.join(root, "dist", "agent", "build.json"))) {
    log("LVS_SKIP_BUILD=1: serving the existing agent build");
    return;
  }
  const status = run(process.execPath, ["--import", "tsx", "agent/packaging/buildAgent.ts"], { ...process.env, NODE_ENV: "production" });
  if (status !== 0) log("the agent build failed (above): the console starts, /agent/* answers 503 until `npm run build:agent` succeeds");
}

function serve() {
  const env = { ...process.env, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1" };
  const child = spawn(process.execPath, ["--import", "tsx", "server/index.ts"], { cwd: root, stdio: "inherit", env });
  const forward = (sig) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(sig);
  };
  for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(sig, () => forward(sig));
  child.on("error", (err) => {
    log(`cannot start the server: ${err.message}`);
    process.exit(1);
  });
  child.on("exit", (code, signal) => {
    process.exit(signal ? 128 + (constants.signals[signal] ?? 0) : (code ?? 1));
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const buildOnly = process.argv.includes("--build-only");
  ensurePrismaClient();
  ensureBuild();
  ensureAgent();
  if (!buildOnly) serve();
}
