/**
 * How an agent's build compares with the one the console serves. Versions are
 * `<major>.<minor>.<patch>+<build>` (`0.1.0+g2112487256be`, `0.1.0+source` from a checkout): the
 * numbers order them; the same numbers with another build are "different" (neither is known to be
 * newer without the repository's history). Pure.
 */
export type AgentVersionState = "same" | "older" | "newer" | "different" | "unknown";

function core(v: string): [number, number, number] | null {
  const m = /^(\d+)\.(\d+)\.(\d+)(?:[-+].*)?$/.exec(v.trim());
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : null;
}

export function compareAgentVersion(agent: string | null, served: string | null): AgentVersionState {
  if (!agent || !served) return "unknown";
  if (agent === served) return "same";
  const a = core(agent);
  const s = core(served);
  if (!a || !s) return "different";
  for (let i = 0; i < 3; i++) {
    if (a[i]! < s[i]!) return "older";
    if (a[i]! > s[i]!) return "newer";
  }
  return "different";
}

/** 127.0.0.0/8, ::1, localhost, 0.0.0.0: a director cannot reach the console there. */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  return h === "localhost" || h.endsWith(".localhost") || h === "::1" || h === "0.0.0.0" || h === "::" || /^127\.\d+\.\d+\.\d+$/.test(h) || /^::ffff:127\./.test(h);
}
