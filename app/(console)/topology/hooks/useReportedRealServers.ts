"use client";
import { useMemo } from "react";
import { useRealServerAgents } from "../inspector/useRealServerAgents.ts";

/**
 * The keys of the topology's real servers whose agent has reported (and is not revoked): for them the
 * observed checks replace the declared-host warnings. The set keeps its identity while the keys stay
 * the same, so the 3 s poll does not re-run validation.
 */
export function useReportedRealServers(): ReadonlySet<string> {
  const { agents } = useRealServerAgents();
  const key = agents.filter((a) => a.report && !a.revoked).map((a) => a.realServerKey).sort().join("\n");
  return useMemo(() => new Set(key ? key.split("\n") : []), [key]);
}
