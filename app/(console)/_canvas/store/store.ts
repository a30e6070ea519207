/**
 * The editor's state: React Flow nodes/edges whose `data` carry the LVS objects (see graph.ts),
 * plus the actions the canvas, inspector, palette and shortcuts call. Undo/redo is zundo's
 * `temporal` over {nodes, edges}, ignoring selection and measurement; a whole drag is one step.
 *
 * A store per editor instance (createEditorStore) so tests and several editors never share state.
 */
import { createStore } from "zustand/vanilla";
import { temporal } from "zundo";
import { applyEdgeChanges, applyNodeChanges } from "@xyflow/react";
import type { Topology, VirtualService } from "@/lvs/model.ts";
import {
  connectionMeaning, graphToTopology, isValidConnection, membershipEdge, placementEdge,
  topologyToGraph, type EditorNode, type ServiceNode,
} from "../graph.ts";
import { pasteGraph } from "./pasteGraph.ts";
import { documentJson, sameContent, sameDocument, sameObject, type Baseline, type History } from "./sameDocument.ts";
import { newMembership } from "@/lvs/defaults.ts";
import { paletteDirector, paletteRealServer, paletteService } from "./paletteObjects.ts";
import type { EditorOptions, EditorState, IdKind } from "./editorState.ts";
import { readOnlyState } from "./readOnlyState.ts";
import { withoutElements } from "./withoutElements.ts";

export type { Badge, EditorOptions, EditorState, IdKind } from "./editorState.ts";
export { documentJson, sameContent, sameDocument, sameObject, type Baseline };

const randomId = (kind: IdKind) => {
  const prefix = { director: "dir", service: "svc", realServer: "rs", membership: "m", haGroup: "ha" }[kind];
  const bytes = crypto.getRandomValues(new Uint8Array(6));
  return `${prefix}-${Array.from(bytes, (b) => b.toString(36).padStart(2, "0")).join("")}`;
};

export function createEditorStore(initial: Topology, options: EditorOptions = {}) {
  const newId = options.newId ?? randomId;
  const first = topologyToGraph(initial);
  const readOnly = options.readOnly ?? false;

  const store = createStore<EditorState>()(
    temporal(
      (set, get) => {
        const withService = (nodes: EditorNode[], serviceId: string, f: (s: VirtualService) => VirtualService) =>
          nodes.map((n) => (n.id === serviceId && n.type === "service" ? { ...n, data: { service: f(n.data.service) } } : n));

        // an edit that changes nothing (a form echoing the store's own value) is no edit: no undo step
        const replaceNode = (id: string, f: (n: EditorNode) => EditorNode) => {
          const nodes = get().nodes;
          const i = nodes.findIndex((n) => n.id === id);
          const next = i < 0 ? undefined : f(nodes[i]!);
          if (next && next !== nodes[i]) set({ nodes: nodes.map((n, j) => (j === i ? next : n)) });
        };

        const state: EditorState = {
          name: initial.name,
          readOnly,
          revision: options.revision ?? 0,
          saved: { nodes: first.nodes, edges: first.edges, haGroups: initial.haGroups, topology: initial },
          dirty: false,
          issues: [],
          badges: {},
          validating: false,
          nodes: first.nodes,
          edges: first.edges,
          haGroups: initial.haGroups,
          clipboard: null,
          pasteCount: 0,
          dragSnapshot: null,

          newId,

          load(topology, revision) {
            const g = topologyToGraph(topology);
            set({
              name: topology.name, nodes: g.nodes, edges: g.edges, haGroups: topology.haGroups, dragSnapshot: null,
              revision, saved: { nodes: g.nodes, edges: g.edges, haGroups: topology.haGroups, topology }, dirty: false,
            });
            store.temporal.getState().clear();
          },
          markSaved: (revision, saved) => set({ revision, saved, dirty: !sameContent(saved, get()) }),
          setDerived: (d) => set(d),

          topology: () => {
            const t = graphToTopology(get().name, get().nodes, get().edges);
            const ha = get().haGroups;
            return ha === undefined ? t : { ...t, haGroups: ha };
          },

          onNodesChange(changes) {
            const removed = changes.filter((c) => c.type === "remove").map((c) => c.id);
            const rest = changes.filter((c) => c.type !== "remove");
            const dragging = rest.some((c) => c.type === "position" && c.dragging);
            const dragEnded = rest.some((c) => c.type === "position" && c.dragging === false);
            const t = store.temporal.getState();
            if (dragging && !get().dragSnapshot) {
              set({ dragSnapshot: { nodes: get().nodes, edges: get().edges } });
              t.pause();
            }
            if (rest.length) set({ nodes: applyNodeChanges(rest, get().nodes) });
            const snap = get().dragSnapshot;
            if (dragEnded && snap) {
              set({ dragSnapshot: null });
              t.resume();
              if (!sameDocument(snap, get())) {
                store.temporal.setState((h) => ({ pastStates: [...h.pastStates, snap], futureStates: [] }));
              }
            }
            if (removed.length) get().deleteElements(removed, []);
          },

          onEdgesChange(changes) {
            const removed = changes.filter((c) => c.type === "remove").map((c) => c.id);
            const rest = changes.filter((c) => c.type !== "remove");
            if (rest.length) set({ edges: applyEdgeChanges(rest, get().edges) });
            if (removed.length) get().deleteElements([], removed);
          },

          canConnect: (c) => isValidConnection(c, get().nodes, get().edges),

          connect(c) {
            const { nodes, edges } = get();
            if (!isValidConnection(c, nodes, edges)) return null;
            const kinds = new Map(nodes.map((n) => [n.id, n.type] as const));
            const meaning = connectionMeaning(c, (id) => kinds.get(id))!;
            if (meaning.kind === "placement") {
              set({
                nodes: withService(nodes, meaning.serviceId, (s) => ({ ...s, directorIds: [...s.directorIds, meaning.directorId] })),
                edges: [...edges, placementEdge(meaning.directorId, meaning.serviceId)],
              });
            } else {
              // the new membership alone is the selection: the inspector opens on its method and weight
              const m = newMembership(newId("membership"), meaning.serviceId, meaning.realServerId);
              set({
                nodes: nodes.map((n) => (n.selected ? { ...n, selected: false } : n)),
                edges: [...edges.map((e) => (e.selected ? { ...e, selected: false } : e)), { ...membershipEdge(m), selected: true }],
              });
            }
            return meaning;
          },

          addNode(kind, position) {
            const id = newId(kind);
            const ordinal = get().nodes.filter((n) => n.type === kind).length + 1;
            const node: EditorNode =
              kind === "director"
                ? { id, type: "director", position, data: { director: paletteDirector(id, ordinal) } }
                : kind === "service"
                  ? { id, type: "service", position, data: { service: paletteService(id, ordinal) } }
                  : { id, type: "realServer", position, data: { realServer: paletteRealServer(id, ordinal) } };
            set({
              nodes: [...get().nodes.map((n) => (n.selected ? { ...n, selected: false } : n)), { ...node, selected: true }],
              edges: get().edges.map((e) => (e.selected ? { ...e, selected: false } : e)),
            });
            return id;
          },

          updateDirector: (id, value) =>
            replaceNode(id, (n) =>
              n.type === "director" && !sameObject(n.data.director, { ...value, id }) ? { ...n, data: { director: { ...value, id } } } : n,
            ),
          updateService: (id, value) =>
            replaceNode(id, (n) => {
              if (n.type !== "service") return n;
              const service = { ...value, id, directorIds: n.data.service.directorIds };
              return sameObject(n.data.service, service) ? n : { ...n, data: { service } };
            }),
          updateRealServer: (id, value) =>
            replaceNode(id, (n) =>
              n.type === "realServer" && !sameObject(n.data.realServer, { ...value, id }) ? { ...n, data: { realServer: { ...value, id } } } : n,
            ),
          updateMembership(id, value) {
            const edges = get().edges;
            const i = edges.findIndex((e) => e.id === id && e.type === "membership");
            const e = edges[i];
            if (!e || e.type !== "membership" || !e.data) return;
            const membership = { ...value, id, serviceId: e.data.membership.serviceId, realServerId: e.data.membership.realServerId };
            if (sameObject(e.data.membership, membership)) return;
            set({ edges: edges.map((x, j) => (j === i ? { ...e, data: { membership } } : x)) });
          },

          deleteElements(nodeIds, edgeIds) {
            const next = withoutElements(get(), nodeIds, edgeIds);
            if (next) set({ nodes: next.nodes, edges: next.edges });
          },

          deleteSelected() {
            get().deleteElements(
              get().nodes.filter((n) => n.selected).map((n) => n.id),
              get().edges.filter((e) => e.selected).map((e) => e.id),
            );
          },

          copySelection() {
            const nodes = get().nodes.filter((n) => n.selected);
            if (!nodes.length) return;
            const ids = new Set(nodes.map((n) => n.id));
            const edges = get().edges.filter((e) => ids.has(e.source) && ids.has(e.target));
            set({ clipboard: { nodes, edges }, pasteCount: 0 });
          },

          paste() {
            const clip = get().clipboard;
            if (!clip) return;
            const count = get().pasteCount + 1;
            const copy = pasteGraph(clip, 40 * count, new Set(get().nodes.map((n) => n.id)), newId);
            set({
              pasteCount: count,
              nodes: [...get().nodes.map((n) => (n.selected ? { ...n, selected: false } : n)), ...copy.nodes],
              edges: [...get().edges.map((e) => (e.selected ? { ...e, selected: false } : e)), ...copy.edges],
            });
          },

          select(ids) {
            const want = new Set(ids);
            set({
              nodes: get().nodes.map((n) => (!!n.selected === want.has(n.id) ? n : { ...n, selected: want.has(n.id) })),
              edges: get().edges.map((e) => (!!e.selected === want.has(e.id) ? e : { ...e, selected: want.has(e.id) })),
            });
          },

          setPositions(positions) {
            set({ nodes: get().nodes.map((n) => (positions[n.id] ? { ...n, position: positions[n.id]! } : n)) });
          },

          replaceDocument(topology) {
            const g = topologyToGraph(topology);
            set({ nodes: g.nodes, edges: g.edges, haGroups: topology.haGroups });
          },

          setHaGroups(groups) {
            set({ haGroups: groups });
          },

          appendGraph(graph) {
            const have = new Set(get().nodes.map((n) => n.id));
            set({
              nodes: [...get().nodes, ...graph.nodes.filter((n) => !have.has(n.id))],
              edges: [...get().edges, ...graph.edges],
            });
          },
        };
        return readOnly ? readOnlyState(state) : state;
      },
      {
        partialize: (s): History => ({ nodes: s.nodes, edges: s.edges, haGroups: s.haGroups }),
        equality: sameDocument,
        limit: 200,
      },
    ),
  );
  return store;
}

export type EditorStore = ReturnType<typeof createEditorStore>;


/** The service nodes a director's VIPs belong to (for export per director). */
export const servicesOf = (nodes: readonly EditorNode[], directorId: string) =>
  nodes.filter((n): n is ServiceNode => n.type === "service" && n.data.service.directorIds.includes(directorId));
