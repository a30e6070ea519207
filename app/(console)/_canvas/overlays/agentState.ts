/**
 * A director's agent as the canvas tells it: "online", "offline" (an agent ran it and is gone: an
 * error, drawn red), or "none" — no agent has ever connected for it (never enrolled, or enrolled and
 * not started yet): a draft, drawn neutral, never as a red OFFLINE. Pure; unit-tested.
 */
export type AgentState = "online" | "offline" | "none";

export function agentState(d: { online: boolean; lastSeenAt: number | null } | undefined): AgentState {
  if (!d) return "none";
  if (d.online) return "online";
  return d.lastSeenAt == null ? "none" : "offline";
}

/** Whether any director of the topology has an agent that ran it (drain needs one to follow the connections). */
export function anyAgent(directors: Record<string, { online: boolean; lastSeenAt: number | null }>): boolean {
  return Object.values(directors).some((d) => agentState(d) !== "none");
}
