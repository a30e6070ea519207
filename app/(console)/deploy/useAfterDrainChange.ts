"use client";
/**
 * Drain, force and enable save revisions. Afterwards: refresh the deploy queries, and inside the
 * editor reload its document when it has no unsaved edits (otherwise its next save reports the
 * conflict as for any concurrent save); outside the editor refresh topology.get.
 */
import { useQueryClient } from "@tanstack/react-query";
import { useCallback, useContext } from "react";
import { useTRPC } from "../../trpc.ts";
import { EditorContext } from "../_canvas/store/context.ts";

export function useAfterDrainChange(topologyId: string): () => Promise<void> {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const editor = useContext(EditorContext);
  return useCallback(async () => {
    await qc.invalidateQueries({ queryKey: trpc.deploy.pathKey() });
    if (!editor) {
      await qc.invalidateQueries({ queryKey: trpc.topology.pathKey() });
      return;
    }
    if (editor.getState().dirty) return;
    const t = await qc.fetchQuery({ ...trpc.topology.get.queryOptions({ id: topologyId }), staleTime: 0 });
    const s = editor.getState();
    if (s.dirty || t.revision <= s.revision) return;
    const selected = [...s.nodes.filter((n) => n.selected), ...s.edges.filter((e) => e.selected)].map((x) => x.id);
    s.load(t.document, t.revision);
    editor.getState().select(selected);
  }, [qc, trpc, editor, topologyId]);
}
