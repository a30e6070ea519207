/**
 * Read-time upgrade of stored topology documents to the current model. Stored documents are never
 * rewritten; every read goes through here (server/services: TopologyService.get, loadRevisionDocument).
 *
 * - exec health checks before 2026-12: `{ kind: "exec", command: "<shell line>" }`. Exec checks now name a
 *   program in the agent's checks directory: the command's first word becomes the name (its file name:
 *   "/usr/local/bin/check_web --fast" → check "check_web", args ["--fast"]); words that cannot be an
 *   argument (quotes, `$`, `;`, …) are dropped and the name is kept only if valid, else "legacy-command",
 *   which no director has installed: the check then fails (the real server quiesces) until an admin
 *   installs the program and names it. Never is a shell line run again.
 * Pure.
 */
import { EXEC_CHECK_ARG, EXEC_CHECK_NAME, MAX_EXEC_CHECK_ARGS, type HealthCheck, type Topology } from "./model.ts";

export const LEGACY_COMMAND_CHECK = "legacy-command";

/** The current form of a stored health check (legacy exec checks converted); others are returned as they are. */
export function upgradeHealthCheck(hc: HealthCheck | null): HealthCheck | null {
  if (!hc || hc.kind !== "exec" || typeof (hc as { check?: unknown }).check === "string") return hc;
  const { command, ...rest } = hc as unknown as { command?: unknown } & Record<string, unknown>;
  const words = typeof command === "string" ? command.trim().split(/\s+/).filter((w) => w !== "") : [];
  const program = words[0] ?? "";
  const name = program.slice(program.lastIndexOf("/") + 1);
  const plain = /^[^"'`$;&|<>(){}\\*?[\]~]*$/.test(command as string);
  const args = plain ? words.slice(1).filter((w) => EXEC_CHECK_ARG.test(w)).slice(0, MAX_EXEC_CHECK_ARGS) : [];
  return { ...(rest as object), kind: "exec", check: plain && EXEC_CHECK_NAME.test(name) ? name : LEGACY_COMMAND_CHECK, args } as HealthCheck;
}

function needsUpgrade(doc: Topology): boolean {
  const legacy = (hc: HealthCheck | null) => hc?.kind === "exec" && typeof (hc as { check?: unknown }).check !== "string";
  return doc.services.some((s) => legacy(s.healthCheck)) || doc.memberships.some((m) => legacy(m.healthCheck));
}

export function upgradeTopology(doc: Topology): Topology {
  if (!needsUpgrade(doc)) return doc;
  return {
    ...doc,
    services: doc.services.map((s) => ({ ...s, healthCheck: upgradeHealthCheck(s.healthCheck) })),
    memberships: doc.memberships.map((m) => ({ ...m, healthCheck: upgradeHealthCheck(m.healthCheck) })),
  };
}
