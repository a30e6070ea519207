/**
 * What the browser benches (editor, scaleUi, panFrames) start from: the production build (rebuilt
 * when sources changed; LVS_SKIP_BUILD=1 keeps an existing one), the console on a fresh embedded
 * database, a headless Chromium, and an admin's session cookie.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { chromium, type Browser } from "@playwright/test";
import { startServer, type RunningServer } from "../server/app.ts";
import { sessionCookieFor } from "../server/auth/testing.ts";
import { loadEnv } from "../server/env.ts";

const ROOT = path.resolve(import.meta.dirname, "..");

export interface BenchConsole {
  server: RunningServer;
  browser: Browser;
  cookie: string;
  /** the browser, the server and the database directory */
  close(): Promise<void>;
}

export async function startBenchConsole(name: string): Promise<BenchConsole> {
  const built = spawnSync(process.execPath, ["scripts/start.mjs", "--build-only"], { cwd: ROOT, stdio: ["ignore", "ignore", "inherit"] });
  if (built.status !== 0) throw new Error("the UI build failed (scripts/start.mjs --build-only)");
  const dir = mkdtempSync(path.join(os.tmpdir(), `bench-${name}-`));
  const env = loadEnv({ DATABASE_URL: `pglite:${path.join(dir, "pglite")}`, LVS_DATA_DIR: dir, LVS_DEMO: "0", LOG_LEVEL: "warn", NODE_ENV: "production" });
  const server = await startServer({ env, port: 0, host: "127.0.0.1", next: true, dev: false });
  let browser: Browser | null = null;
  const close = async () => {
    await browser?.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    });
    return { server, browser, cookie: await sessionCookieFor(server.db, "admin"), close };
  } catch (e) {
    await close();
    throw e;
  }
}
