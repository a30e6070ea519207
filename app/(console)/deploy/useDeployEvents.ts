"use client";
/**
 * The deploy view follows its topology over `/api/live`: a rollout's progress and an agent's ack
 * (deploy.progress, topology.applied) re-read the rollout and drift queries, a drain's change
 * (drain.changed) re-reads the drains — at once, instead of polling every 400 ms–2 s. The panels
 * keep a slow poll as a fallback while the socket is open (useLiveEvents), and their old fast rates
 * while it is not (no provider, e.g. in the editor; reconnecting).
 */
import { useQueryClient } from "@tanstack/react-query";
import { createContext, useContext, useEffect } from "react";
import { useTRPC } from "../../trpc.ts";
import { useLiveClient, useLiveStatus } from "../_live/LiveContext.tsx";

export function useDeployEvents(topologyId: string): void {
  const client = useLiveClient();
  const trpc = useTRPC();
  const qc = useQueryClient();
  useEffect(() => {
    if (!client) return;
    const topic = { topologyId };
    // any subscription of the topology brings its notices; ours is dropped when the view goes
    client.subscribe(topic);
    const off = client.onEvent((e) => {
      if (e.topologyId !== topologyId) return;
      if (e.type === "drain.changed") {
        void qc.invalidateQueries({ queryKey: trpc.deploy.drains.pathKey() });
      } else if (e.type === "deploy.progress" || e.type === "topology.applied") {
        void qc.invalidateQueries({ queryKey: trpc.deploy.rollout.pathKey() });
        void qc.invalidateQueries({ queryKey: trpc.deploy.rollouts.pathKey() });
        void qc.invalidateQueries({ queryKey: trpc.deploy.drift.pathKey() });
        // where each revision runs changes with an ack: the revisions table must not show the old one
        void qc.invalidateQueries({ queryKey: trpc.deploy.revisions.pathKey() });
        void qc.invalidateQueries({ queryKey: trpc.director.list.pathKey() });
      }
    });
    return () => {
      off();
      client.unsubscribe(topic);
    };
  }, [client, qc, trpc, topologyId]);
}

/** set by the view that runs useDeployEvents (deploy view); elsewhere (editor) panels poll as before */
export const DeployEventsContext = createContext(false);

/** true while deploy events arrive (a follower is mounted and its live socket is open): poll slowly */
export function useLiveEvents(): boolean {
  const followed = useContext(DeployEventsContext);
  const open = useLiveStatus((s) => s.status === "open");
  return followed && open;
}
