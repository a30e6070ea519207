/**
 * How a canvas shows its topology: every object (`graph`), grouped for big clusters (`grouped`,
 * see groupGraph.ts) or as a table (`table`); and, when grouped, which groups and pools are open.
 * One store per canvas; separate from the document store, so opening a group is no undo step.
 */
import { createStore } from "zustand/vanilla";
import type { EditorEdge, EditorNode } from "../graph.ts";
import { revealPlan } from "./groupGraph.ts";

export type ViewMode = "graph" | "grouped" | "table";

/** Above this many objects a topology opens grouped: one node per object would not stay responsive. */
export const GROUP_ABOVE = 1_000;

export interface ViewState {
  mode: ViewMode;
  expanded: ReadonlySet<string>;
  pinned: ReadonlySet<string>;
  setMode(mode: ViewMode): void;
  toggle(id: string): void;
  /** open what hides `objectId` in the grouped view; true when something changed */
  reveal(objectId: string, nodes: readonly EditorNode[], edges: readonly EditorEdge[]): boolean;
}

export const initialMode = (objects: number): ViewMode => (objects > GROUP_ABOVE ? "grouped" : "graph");

export function createViewStore(mode: ViewMode) {
  return createStore<ViewState>()((set, get) => ({
    mode,
    expanded: new Set(),
    pinned: new Set(),
    setMode: (m) => set({ mode: m }),
    toggle(id) {
      const expanded = new Set(get().expanded);
      if (!expanded.delete(id)) expanded.add(id);
      set({ expanded });
    },
    reveal(objectId, nodes, edges) {
      if (get().mode !== "grouped") return false;
      const plan = revealPlan(objectId, nodes, edges);
      const { expanded, pinned } = get();
      if (plan.expand.every((id) => expanded.has(id)) && plan.pin.every((id) => pinned.has(id))) return false;
      set({ expanded: new Set([...expanded, ...plan.expand]), pinned: new Set([...pinned, ...plan.pin]) });
      return true;
    },
  }));
}

export type ViewStore = ReturnType<typeof createViewStore>;
