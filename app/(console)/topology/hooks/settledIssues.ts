import type { Issue } from "@/lvs/issues.ts";
import type { EditorStore } from "../../_canvas/store/store.ts";

/**
 * The issues of the newest document: at once when they are in, else once the validation under way
 * (a big document is checked on a web worker, useDerived.ts) delivers them.
 */
export function settledIssues(store: EditorStore): Promise<readonly Issue[]> {
  return new Promise((resolve) => {
    const now = store.getState();
    if (!now.validating) return resolve(now.issues);
    const unsub = store.subscribe((s) => {
      if (s.validating) return;
      unsub();
      resolve(s.issues);
    });
  });
}
