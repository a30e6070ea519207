/**
 * Comparisons the editor store needs: what counts as a change of the document (an undo step, the
 * unsaved-changes flag) and what is only a change of form (key order, selection, measurement).
 */
import type { HaGroup, Topology } from "@/lvs/model.ts";
import type { EditorEdge, EditorNode } from "../graph.ts";

export interface History {
  nodes: EditorNode[];
  edges: EditorEdge[];
  /** declared HA groups (Topology.haGroups; undefined = the document has none) */
  haGroups?: HaGroup[];
}

/** Selection, measurement and drag flags are not part of the document: they never make an undo step. */
export function sameDocument(a: History, b: History): boolean {
  if (a.nodes.length !== b.nodes.length || a.edges.length !== b.edges.length || a.haGroups !== b.haGroups) return false;
  for (let i = 0; i < a.nodes.length; i++) {
    const x = a.nodes[i]!, y = b.nodes[i]!;
    if (x === y) continue;
    if (x.id !== y.id || x.data !== y.data || x.position.x !== y.position.x || x.position.y !== y.position.y) return false;
  }
  for (let i = 0; i < a.edges.length; i++) {
    const x = a.edges[i]!, y = b.edges[i]!;
    if (x !== y && (x.id !== y.id || x.data !== y.data)) return false;
  }
  return true;
}

/** Same content, whatever the key order (form values vs. stored objects). */
export function sameObject(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a), kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  const rb = b as Record<string, unknown>, ra = a as Record<string, unknown>;
  return ka.every((k) => Object.hasOwn(rb, k) && sameObject(ra[k], rb[k]));
}

/** Text of a document (tests, exports). The unsaved-changes flag uses sameContent instead. */
export const documentJson = (t: Topology) => JSON.stringify(t);

/** The last loaded or saved document: the editor's graph at that moment and the document as stored. */
export interface Baseline extends History {
  topology: Topology;
}

/**
 * Same document content (the unsaved-changes flag): identical objects are skipped, others compared
 * field by field; selection and measurement do not count. O(objects), no text of the whole document
 * (a JSON.stringify per check was a second of the open at 10 000 services and one per edit).
 */
export function sameContent(a: History, b: History): boolean {
  if (a.nodes.length !== b.nodes.length || a.edges.length !== b.edges.length) return false;
  if (a.haGroups !== b.haGroups && !sameObject(a.haGroups ?? [], b.haGroups ?? [])) return false;
  for (let i = 0; i < a.nodes.length; i++) {
    const x = a.nodes[i]!, y = b.nodes[i]!;
    if (x === y) continue;
    if (x.id !== y.id || x.type !== y.type || x.position.x !== y.position.x || x.position.y !== y.position.y) return false;
    if (x.data !== y.data && !sameObject(x.data, y.data)) return false;
  }
  for (let i = 0; i < a.edges.length; i++) {
    const x = a.edges[i]!, y = b.edges[i]!;
    if (x === y) continue;
    if (x.id !== y.id || x.type !== y.type || x.source !== y.source || x.target !== y.target) return false;
    if (x.data !== y.data && !sameObject(x.data, y.data)) return false;
  }
  return true;
}
