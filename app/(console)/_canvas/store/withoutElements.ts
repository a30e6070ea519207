import { edgesTouching, type EditorEdge, type EditorNode, type Graph } from "../graph.ts";

/**
 * The graph without the given nodes and edges, the edges touching those nodes, and the placements
 * (service.directorIds) those removals undo; null when there is nothing to delete.
 */
export function withoutElements(graph: Graph, nodeIds: Iterable<string>, edgeIds: Iterable<string>): Graph | null {
  const goneNodes = new Set(nodeIds);
  const goneEdges = new Set([...edgeIds, ...edgesTouching(goneNodes, graph.edges)]);
  if (!goneNodes.size && !goneEdges.size) return null;
  const unplace = new Map<string, Set<string>>(); // serviceId → directorIds removed
  for (const e of graph.edges) {
    if (goneEdges.has(e.id) && e.type === "placement") {
      const s = unplace.get(e.target) ?? new Set<string>();
      s.add(e.source);
      unplace.set(e.target, s);
    }
  }
  const nodes = graph.nodes
    .filter((n) => !goneNodes.has(n.id))
    .map((n): EditorNode => {
      if (n.type !== "service") return n;
      const drop = unplace.get(n.id);
      const ids = n.data.service.directorIds.filter((d) => !goneNodes.has(d) && !drop?.has(d));
      return ids.length === n.data.service.directorIds.length
        ? n
        : { ...n, data: { service: { ...n.data.service, directorIds: ids } } };
    });
  const edges: EditorEdge[] = graph.edges.filter((e) => !goneEdges.has(e.id));
  return { nodes, edges };
}
