import { describe, expect, it } from "vitest";
import { sampleTopology } from "../fixtures.ts";
import { createEditorStore, documentJson, type IdKind } from "./store.ts";

const counter = () => {
  let n = 0;
  return (kind: IdKind) => `${kind}-${++n}`;
};

describe("editor store: a role that cannot save gets a read-only store", () => {
  it("refuses every edit (add, connect, update, move, delete, paste, import, layout) but keeps selection", () => {
    const s = createEditorStore(sampleTopology(), { newId: counter(), readOnly: true });
    const before = documentJson(s.getState().topology());
    const st = () => s.getState();
    expect(st().readOnly).toBe(true);
    st().addNode("service", { x: 1, y: 1 });
    expect(st().connect({ source: "svc-dns", target: "rs-1" })).toBeNull();
    expect(st().canConnect({ source: "svc-dns", target: "rs-1" })).toBe(false);
    const svc = st().topology().services[0]!;
    st().updateService(svc.id, { ...svc, scheduler: "rr" });
    const rs = st().topology().realServers[0]!;
    st().updateRealServer(rs.id, { ...rs, address: "10.9.9.9" });
    const d = st().topology().directors[0]!;
    st().updateDirector(d.id, { ...d, name: "renamed" });
    const m = st().topology().memberships[0]!;
    st().updateMembership(m.id, { ...m, weight: 9 });
    st().onNodesChange([{ type: "position", id: svc.id, position: { x: 999, y: 999 }, dragging: true }]);
    st().onNodesChange([{ type: "position", id: svc.id, position: { x: 999, y: 999 }, dragging: false }]);
    st().onNodesChange([{ type: "remove", id: rs.id }]);
    st().onEdgesChange([{ type: "remove", id: m.id }]);
    st().setPositions({ [svc.id]: { x: 5, y: 5 } });
    st().select([svc.id]);
    st().deleteSelected();
    st().copySelection();
    st().paste();
    st().replaceDocument({ ...sampleTopology(), services: [] });
    st().appendGraph({ nodes: [], edges: [] });
    st().setHaGroups([{ id: "ha-1", name: "pair", directorIds: ["dir-a", "dir-b"] } as never]);
    expect(documentJson(st().topology())).toBe(before);
    expect(s.temporal.getState().pastStates).toHaveLength(0);
    // selecting (to read the inspector and the packet path) still works
    expect(st().nodes.find((n) => n.id === svc.id)?.selected).toBe(true);
    st().onNodesChange([{ type: "select", id: rs.id, selected: true }]);
    expect(st().nodes.find((n) => n.id === rs.id)?.selected).toBe(true);
  });

  it("an editable store is unchanged by the option's absence", () => {
    const s = createEditorStore(sampleTopology(), { newId: counter() });
    expect(s.getState().readOnly).toBe(false);
    s.getState().addNode("service", { x: 1, y: 1 });
    expect(s.getState().topology().services).toHaveLength(sampleTopology().services.length + 1);
  });
});

describe("editor store: a new connection is the selection", () => {
  it("drawing VIP → real server right after dropping the real server selects only the new membership", () => {
    const s = createEditorStore(sampleTopology(), { newId: counter() });
    const rs = s.getState().addNode("realServer", { x: 5, y: 5 }); // the dropped node is selected
    s.getState().select(["svc-web", rs]);
    s.getState().connect({ source: "svc-web", target: rs });
    const selected = [...s.getState().nodes.filter((n) => n.selected), ...s.getState().edges.filter((e) => e.selected)].map((x) => x.id);
    const m = s.getState().topology().memberships.at(-1)!;
    expect(selected).toEqual([m.id]);
  });
});
