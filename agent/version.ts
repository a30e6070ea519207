/**
 * The agent's own version. A built artifact (`npm run build:agent`) has it compiled in as
 * `<package version>+g<commit>` (agent/packaging/buildAgent.ts defines __LVS_AGENT_VERSION__); run from
 * the sources it is `<package version>+source`.
 */
import pkg from "../package.json" with { type: "json" };

declare const __LVS_AGENT_VERSION__: string | undefined;

export const AGENT_VERSION: string = typeof __LVS_AGENT_VERSION__ === "string" ? __LVS_AGENT_VERSION__ : `${pkg.version}+source`;
