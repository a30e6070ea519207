import { defineConfig, devices } from "@playwright/test";
import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";

// Playwright evaluates this file in the runner and again in every worker: values that must agree
// (the port, the data dir) are chosen once and handed down through the environment.
function once(name: string, make: () => string): string {
  const existing = process.env[name];
  if (existing) return existing;
  const value = make();
  process.env[name] = value;
  return value;
}

const port = once("LVS_E2E_PORT", () =>
  execFileSync(
    process.execPath,
    ["-e", 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{process.stdout.write(String(s.address().port));s.close()})'],
    { encoding: "utf8" },
  ).trim(),
);
// a fresh embedded database per run (the product's default database kind)
const dataDir = once("LVS_E2E_DATA_DIR", () => mkdtempSync(path.join(os.tmpdir(), "lvs-e2e-")));
const baseURL = `http://127.0.0.1:${port}`;
const chromium = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
const jsonOutput = process.env.LVS_E2E_JSON || "test-results/e2e-results.json";
// every spec starts signed in as the admin that the `setup` project creates (e2e/fixtures/auth.ts)
const adminState = path.join(dataDir, "admin-storage-state.json");
const chromiumUse = {
  ...devices["Desktop Chrome"],
  launchOptions: {
    executablePath: chromium,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-dev-shm-usage",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  },
};

export default defineConfig({
  testDir: "e2e",
  outputDir: "test-results/e2e",
  // a long spec gets a minute: the machine is shared with the server, its agents and the browser
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  // two workers in CI too: a spec spends most of its time waiting on the server, its agents and the
  // live ticks (one worker kept a 2-core machine ~55 % busy), and every spec makes its own topologies,
  // directors and users (fixtures/test.ts uniqueName), so two files never share state
  workers: 2,
  retries: 0,
  forbidOnly: !!process.env.CI,
  reporter: [["list"], ["json", { outputFile: jsonOutput }], ["html", { open: "never", outputFolder: "playwright-report" }]],
  use: {
    baseURL,
    screenshot: "on",
    trace: "retain-on-failure",
    locale: "en-US",
    timezoneId: "UTC",
  },
  projects: [
    // first-run setup through the UI, once per run; saves the admin's cookies to adminState
    { name: "setup", testMatch: /auth\.setup\.ts$/, use: chromiumUse },
    { name: "chromium", dependencies: ["setup"], use: { ...chromiumUse, storageState: adminState } },
  ],
  webServer: {
    // scripts/start.mjs builds the UI first when no current build exists, then runs server/index.ts
    command: "node scripts/start.mjs",
    url: `${baseURL}/healthz`,
    timeout: 240_000,
    reuseExistingServer: false,
    stdout: "pipe",
    stderr: "pipe",
    gracefulShutdown: { signal: "SIGTERM", timeout: 10_000 },
    env: {
      PORT: port,
      HOST: "127.0.0.1",
      DATABASE_URL: `pglite:${path.join(dataDir, "pglite")}`,
      LVS_DATA_DIR: dataDir,
      LVS_DEMO: "0",
      LOG_LEVEL: process.env.LOG_LEVEL || "warn",
      NODE_ENV: "production",
    },
  },
});
