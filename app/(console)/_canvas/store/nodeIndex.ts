import type { EditorNode } from "../graph.ts";

const indexes = new WeakMap<readonly EditorNode[], Map<string, EditorNode>>();

/** The node with `id` in `nodes`: an index built once per nodes array (the store replaces the array on change). */
export function nodeById(nodes: readonly EditorNode[], id: string): EditorNode | undefined {
  let index = indexes.get(nodes);
  if (!index) indexes.set(nodes, (index = new Map(nodes.map((n) => [n.id, n]))));
  return index.get(id);
}
