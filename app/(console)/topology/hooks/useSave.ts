"use client";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useCallback, useState } from "react";
import type { Topology } from "@/lvs/model.ts";
import { useTRPC } from "@/app/trpc.ts";
import { describeTrpcError } from "@/app/trpcError.ts";
import { useErrorText } from "@/app/_shell/useErrorText.ts";
import type { Baseline, EditorStore } from "../../_canvas/store/store.ts";

export interface Conflict {
  /** what the server has now */
  server: { revision: number; document: Topology };
  /** the document this editor was based on */
  base: Topology;
}

/**
 * Save with optimistic concurrency: expectedRevision = the revision we loaded. A CONFLICT never
 * overwrites: it fetches the current revision so the operator can reload or compare.
 */
export function useSave(id: string, store: EditorStore) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const mutation = useMutation(trpc.topology.save.mutationOptions());
  const [conflict, setConflict] = useState<Conflict | null>(null);
  const [error, setError] = useState<string | null>(null);
  const errorText = useErrorText();

  const save = useCallback(
    async (opts: { overwriteRevision?: number; message?: string } = {}) => {
      const s = store.getState();
      const document = s.topology();
      const saving: Baseline = { nodes: s.nodes, edges: s.edges, haGroups: s.haGroups, topology: document };
      setError(null);
      try {
        const result = await mutation.mutateAsync({
          id,
          expectedRevision: opts.overwriteRevision ?? s.revision,
          document,
          message: opts.message?.trim() ?? "",
        });
        const revision = result.revision;
        store.getState().markSaved(revision, saving);
        setConflict(null);
        queryClient.setQueryData(trpc.topology.get.queryKey({ id }), (old) => (old ? { ...old, revision, document } : old));
        return true;
      } catch (e) {
        const err = describeTrpcError(e);
        if (err.code === "CONFLICT" && err.reason?.code !== "topology.name-taken") {
          const current = await queryClient.fetchQuery({ ...trpc.topology.get.queryOptions({ id }), staleTime: 0 });
          setConflict({
            server: { revision: current.revision, document: current.document },
            base: s.saved.topology,
          });
        } else setError(errorText(e).text);
        return false;
      }
    },
    [id, store, mutation, queryClient, trpc, errorText],
  );

  const reload = useCallback(() => {
    if (!conflict) return;
    store.getState().load(conflict.server.document, conflict.server.revision);
    queryClient.setQueryData(trpc.topology.get.queryKey({ id }), (old) =>
      old ? { ...old, revision: conflict.server.revision, document: conflict.server.document } : old,
    );
    setConflict(null);
  }, [conflict, store, queryClient, trpc, id]);

  return { save, saving: mutation.isPending, conflict, dismissConflict: () => setConflict(null), reload, error };
}
