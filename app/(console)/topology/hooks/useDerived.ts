"use client";
import { useEffect } from "react";
import { withoutVerifiedHostIssues } from "@/lvs/realServer/membershipVerdict.ts";
import type { Issue } from "@/lvs/issues.ts";
import { sameContent, sameDocument, type Badge, type EditorState, type EditorStore } from "../../_canvas/store/store.ts";
import { takePackedJson } from "../validation/packedDocuments.ts";
import { browserValidationWorker, createDocumentValidator, objectCount, WORKER_THRESHOLD } from "../validation/documentValidator.ts";

/** Per object id: counts of errors/warnings; badges keep their identity when unchanged (no re-render). */
export function badgesOf(issues: readonly Issue[], previous: Record<string, Badge> = {}): Record<string, Badge> {
  const next: Record<string, Badge> = {};
  for (const i of issues) {
    if (!i.objectId) continue;
    const b = (next[i.objectId] ??= { errors: 0, warnings: 0, first: i });
    if (i.severity === "error") {
      if (b.errors === 0) b.first = i;
      b.errors++;
    } else b.warnings++;
  }
  for (const [id, b] of Object.entries(next)) {
    const p = previous[id];
    if (p && p.errors === b.errors && p.warnings === b.warnings && p.first.message === b.first.message) next[id] = p;
  }
  return next;
}

/**
 * Runs validate() on every document change (coalesced to one run per animation frame) and keeps
 * issues, badges and the unsaved-changes flag in the store. Selection and measurement alone do not
 * trigger it; a drag only recomputes the flag at its end. A big document is validated on a web worker
 * (documentValidator.ts): the canvas draws and stays responsive meanwhile, `validating` is set until
 * the newest document's issues arrive.
 */
export function useDerived(store: EditorStore, reportedRealServers: ReadonlySet<string> = NO_REPORTS) {
  useEffect(() => {
    let frame = 0;
    let last: Pick<EditorState, "nodes" | "edges" | "haGroups"> | null = null;
    const validator = createDocumentValidator(browserValidationWorker);
    const run = () => {
      frame = 0;
      const s = store.getState();
      if (s.dragSnapshot) return;
      if (last && sameDocument(last, s)) return;
      last = { nodes: s.nodes, edges: s.edges, haGroups: s.haGroups };
      // with the declared HA groups: their rules (ha.*) show in the editor
      const topology = s.topology();
      s.setDerived({ dirty: !sameContent(s.saved, s) });
      // nothing edited since the load: the worker gets the document as it arrived (packed)
      const unedited = s.nodes === s.saved.nodes && s.edges === s.saved.edges && s.haGroups === s.saved.haGroups;
      const pending = validator.submit(topology, (found) => {
        // a real server whose agent reported: its observed checks (✓/✗ per membership) replace the
        // warnings about what was declared for its host, in the panel, the badges and the inspector
        const issues = withoutVerifiedHostIssues(found, reportedRealServers);
        const now = store.getState();
        now.setDerived({ issues, badges: badgesOf(issues, now.badges), validating: false });
      }, unedited ? takePackedJson(s.saved.topology) : undefined);
      if (pending && !store.getState().validating) store.getState().setDerived({ validating: true });
    };
    // a big document: the canvas paints first, then its validation starts (on the worker, which still
    // shares the machine's cores with the page's first layout and paint)
    if (objectCount(store.getState().saved.topology) >= WORKER_THRESHOLD) frame = requestAnimationFrame(() => (frame = requestAnimationFrame(run)));
    else run();
    const unsub = store.subscribe((s, prev) => {
      if (s.nodes === prev.nodes && s.edges === prev.edges && s.haGroups === prev.haGroups && s.saved === prev.saved && s.dragSnapshot === prev.dragSnapshot) return;
      if (s.saved !== prev.saved) last = null;
      if (!frame) frame = requestAnimationFrame(run);
    });
    return () => {
      unsub();
      validator.dispose();
      if (frame) cancelAnimationFrame(frame);
    };
  }, [store, reportedRealServers]);
}

const NO_REPORTS: ReadonlySet<string> = new Set();
