import { defineConfig } from "vitest/config";
import os from "node:os";
import path from "node:path";

export default defineConfig({
  resolve: { alias: { "@": path.resolve(import.meta.dirname) } },
  test: {
    include: ["{lvs,server,agent,app,lab,bench,scripts,cli,it}/**/*.test.{ts,tsx}"],
    exclude: ["node_modules", ".next", "lab/build", "e2e"],
    environment: "node",
    testTimeout: 20000,
    hookTimeout: 60000,
    pool: "forks",
    // one worker per core: vitest's default (cores - 1) ran the suite one file at a time on the
    // 2-core CI machine, while most files spend their time waiting on sockets, child processes or
    // the lab VM
    maxWorkers: Math.max(2, os.availableParallelism()),
  },
});
