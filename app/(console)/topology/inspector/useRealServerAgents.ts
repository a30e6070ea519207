"use client";
import { useQuery } from "@tanstack/react-query";
import { useParams } from "next/navigation";
import { useTRPC } from "@/app/trpc.ts";

/**
 * The topology's real-server agents with their latest reports (polled every 3 s while the inspector
 * shows something that uses them). Empty outside a topology page.
 */
export function useRealServerAgents() {
  const params = useParams<{ id: string }>();
  const topologyId = params?.id ?? "";
  const trpc = useTRPC();
  const q = useQuery({ ...trpc.realServer.agents.queryOptions({ topologyId }), enabled: !!topologyId, refetchInterval: 3000 });
  return { topologyId, agents: q.data ?? [], query: q };
}

export type RealServerAgentView = ReturnType<typeof useRealServerAgents>["agents"][number];
