// Next.js configuration for the LVS Console UI.
// The custom server (server/index.ts) serves this app on the same port as tRPC and the WebSockets.
import path from "node:path";
import { fileURLToPath } from "node:url";
import createNextIntlPlugin from "next-intl/plugin";

const root = path.dirname(fileURLToPath(import.meta.url));

process.env.NEXT_TELEMETRY_DISABLED = "1";

// i18n without locale routing: the locale comes from the NEXT_LOCALE cookie (i18n/request.ts).
const withNextIntl = createNextIntlPlugin("./i18n/request.ts");

/** @type {import("next").NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // Pin the project root: Next otherwise infers it from lockfiles in parent folders.
  turbopack: { root },
  outputFileTracingRoot: root,
  env: { NEXT_TELEMETRY_DISABLED: "1" },
  // `npm run typecheck` (the first stage of `npm test`) type-checks the whole project; `next build`
  // repeating it costs ~20 s and would stop `npm start` over a type error in unrelated code (bench/, lab/).
  typescript: { ignoreBuildErrors: true },
  // server-only packages used by server/ must never be bundled into the UI
  serverExternalPackages: ["@electric-sql/pglite", "pg", "@prisma/client", "pino", "ws", "@node-rs/argon2"],
};

export default withNextIntl(nextConfig);
