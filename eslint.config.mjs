import js from "@eslint/js";
import tseslint from "typescript-eslint";
import reactHooks from "eslint-plugin-react-hooks";
import boundaries from "./scripts/eslint/importBoundaries.mjs";

const SERVER_INTERNAL = "inside server/: realtime/ holds sockets (and defines the ports it needs), live/ holds state, services/ the use cases, api/ the tRPC surface; the files at server/ itself compose them";
/** The allowed import directions (ARCHITECTURE.md draws them). */
const DEPLOYABLES = [
  { from: "lvs/", allowOnly: ["lvs/"], message: "lvs/ is the pure domain and shared contracts; it imports nothing outside lvs/" },
  { from: "agent/", disallow: ["server/", "app/", "cli/"], message: "the agent is its own deployable: it meets the control plane only over the wire and in lvs/ contracts (cross-process tests belong in it/)" },
  { from: "server/", disallow: ["agent/", "cli/"], message: "the control plane does not link the agent (run it as a process; cross-process tests belong in it/)" },
  { from: "app/", disallow: ["server/", "agent/"], allowTypesFrom: ["server/api/root.ts"], message: "the browser takes only the AppRouter type from server/; contracts live in lvs/" },
  { from: "cli/", disallow: ["server/", "agent/", "app/"], message: "lvsctl talks to the server over HTTP; contracts live in lvs/" },
];
const SERVER_FOLDERS = [
  { from: "server/", disallow: ["app/"], message: "the control plane does not import the UI (tests may check a UI helper)" },
  { from: "server/realtime/", disallow: ["server/live/", "server/services/", "server/api/", "server/auth/", "server/demo/"], message: SERVER_INTERNAL },
  { from: "server/live/", disallow: ["server/realtime/", "server/api/"], allowTypesFrom: ["server/realtime/"], message: SERVER_INTERNAL },
  { from: "server/services/", disallow: ["server/api/", "server/realtime/", "server/live/", "server/auth/"], allowTypesFrom: ["server/realtime/"], message: SERVER_INTERNAL },
  { from: "server/auth/", disallow: ["server/api/", "server/realtime/", "server/live/"], message: SERVER_INTERNAL },
  { from: "server/events/", disallow: ["server/api/", "server/realtime/", "server/live/", "server/services/", "server/auth/"], message: SERVER_INTERNAL },
  { from: "server/db/", disallow: ["server/api/", "server/realtime/", "server/live/", "server/services/", "server/auth/"], message: SERVER_INTERNAL },
];

export default tseslint.config(
  { ignores: ["node_modules/**", ".next/**", ".data/**", "generated/**", "lab/build/**", "test-results/**", "playwright-report/**", "next-env.d.ts", "dist/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["**/*.{ts,tsx}"],
    plugins: { "react-hooks": reactHooks },
    rules: {
      "react-hooks/rules-of-hooks": "error",
      "react-hooks/exhaustive-deps": "warn",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "off",
    },
  },
  {
    // the domain is pure: no I/O, no clock, no randomness
    files: ["lvs/**/*.ts"],
    rules: {
      "no-restricted-imports": ["error", { patterns: ["node:*", "fs", "net", "dgram", "child_process", "ws", "pg", "@prisma/*", "next", "next/*", "react"] }],
      "no-restricted-properties": ["error", { object: "Date", property: "now", message: "inject a clock" }, { object: "Math", property: "random", message: "inject randomness" }],
    },
  },
  {
    files: ["**/*.{ts,tsx}"],
    plugins: { boundaries },
    rules: { "boundaries/import-directions": ["error", DEPLOYABLES] },
  },
  {
    // tests beside the code may reach across server folders; production code may not
    files: ["server/**/*.ts"],
    ignores: ["**/*.test.ts"],
    rules: { "boundaries/import-directions": ["error", [...DEPLOYABLES, ...SERVER_FOLDERS]] },
  },
  {
    files: ["**/*.{js,mjs,cjs}"],
    languageOptions: { globals: { process: "readonly", console: "readonly", URL: "readonly" } },
  },
);
