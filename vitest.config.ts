import { defineConfig } from "vitest/config";
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
  },
});
