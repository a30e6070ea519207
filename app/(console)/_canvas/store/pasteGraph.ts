/**
 * Copy/paste of a selection, pure: the copied nodes get fresh ids and are moved by `offset`; a
 * pasted service keeps its placement on directors that exist (or were pasted with it); memberships
 * between two copied nodes are duplicated. The pasted nodes come back selected.
 */
import type { XYPosition } from "@xyflow/react";
import { membershipEdge, placementEdge, type EditorEdge, type EditorNode, type Graph } from "../graph.ts";
import type { IdKind } from "./editorState.ts";

export function pasteGraph(clip: Graph, offset: number, existing: ReadonlySet<string>, newId: (kind: IdKind) => string): Graph {
  const map = new Map(clip.nodes.map((n) => [n.id, newId(n.type)] as const));
  const fresh = new Set(map.values());
  const at = (p: XYPosition) => ({ x: p.x + offset, y: p.y + offset });
  const nodes = clip.nodes.map((n): EditorNode => {
    const id = map.get(n.id)!;
    const base = { id, position: at(n.position), selected: true };
    if (n.type === "director") return { ...base, type: "director", data: { director: { ...n.data.director, id } } };
    if (n.type === "realServer") return { ...base, type: "realServer", data: { realServer: { ...n.data.realServer, id } } };
    const directorIds = n.data.service.directorIds.map((d) => map.get(d) ?? d).filter((d) => existing.has(d) || fresh.has(d));
    return { ...base, type: "service", data: { service: { ...n.data.service, id, directorIds } } };
  });
  const placements: EditorEdge[] = nodes.flatMap((n) =>
    n.type === "service" ? n.data.service.directorIds.map((d) => placementEdge(d, n.id)) : [],
  );
  const members: EditorEdge[] = clip.edges.flatMap((e) =>
    e.type === "membership" && e.data
      ? [membershipEdge({ ...e.data.membership, id: newId("membership"), serviceId: map.get(e.source)!, realServerId: map.get(e.target)! })]
      : [],
  );
  return { nodes, edges: [...placements, ...members] };
}
