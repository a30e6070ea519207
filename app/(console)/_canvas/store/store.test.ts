import { describe, expect, it } from "vitest";
import { defaultHaGroup } from "@/lvs/ha/haGroups.ts";
import { sampleTopology } from "../fixtures.ts";
import { createEditorStore, documentJson, sameContent, type IdKind } from "./store.ts";

const counter = () => {
  let n = 0;
  return (kind: IdKind) => `${kind}-${++n}`;
};
const make = () => createEditorStore(sampleTopology(), { newId: counter(), revision: 4 });

describe("editor store", () => {
  it("starts from the document it was given", () => {
    const s = make();
    expect(s.getState().topology()).toEqual({ ...sampleTopology(), layout: s.getState().topology().layout });
    expect(s.getState().revision).toBe(4);
    expect(s.getState().saved.topology).toEqual(sampleTopology());
    expect(s.getState().dirty).toBe(false);
  });

  it("adds nodes with ipvsadm defaults, selected, at the drop position", () => {
    const s = make();
    const id = s.getState().addNode("service", { x: 11, y: 22 });
    const n = s.getState().nodes.find((x) => x.id === id)!;
    expect(n.position).toEqual({ x: 11, y: 22 });
    expect(n.selected).toBe(true);
    expect(n.type === "service" && n.data.service).toMatchObject({ scheduler: "wlc", persistence: null, onePacket: false, protocol: "tcp" });
    expect(s.getState().nodes.filter((x) => x.selected)).toHaveLength(1);
  });

  it("connect: placement updates directorIds; membership gets DR, weight 1", () => {
    const s = make();
    expect(s.getState().connect({ source: "svc-dns", target: "dir-b" })).toEqual({ kind: "placement", directorId: "dir-b", serviceId: "svc-dns" });
    expect(s.getState().topology().services.find((x) => x.id === "svc-dns")!.directorIds).toEqual(["dir-a", "dir-b"]);
    s.getState().connect({ source: "svc-dns", target: "rs-1" });
    const m = s.getState().topology().memberships.at(-1)!;
    expect(m).toMatchObject({ serviceId: "svc-dns", realServerId: "rs-1", method: "dr", weight: 1, state: "active" });
    expect(s.getState().connect({ source: "svc-dns", target: "rs-1" })).toBeNull();
  });

  it("undo/redo round trip over add, edit, connect, delete", () => {
    const s = make();
    const t = () => s.temporal.getState();
    const snapshots = [documentJson(s.getState().topology())];
    const id = s.getState().addNode("realServer", { x: 5, y: 5 });
    snapshots.push(documentJson(s.getState().topology()));
    const rs = s.getState().topology().realServers.find((r) => r.id === id)!;
    s.getState().updateRealServer(id, { ...rs, address: "10.0.0.77" });
    snapshots.push(documentJson(s.getState().topology()));
    s.getState().connect({ source: "svc-web", target: id });
    snapshots.push(documentJson(s.getState().topology()));
    s.getState().select(["svc-web"]);
    s.getState().deleteSelected();
    snapshots.push(documentJson(s.getState().topology()));
    expect(s.getState().topology().memberships.every((m) => m.serviceId !== "svc-web")).toBe(true);
    expect(t().pastStates).toHaveLength(4); // selection made no step

    for (let i = snapshots.length - 2; i >= 0; i--) {
      t().undo();
      expect(documentJson(s.getState().topology())).toBe(snapshots[i]);
    }
    for (let i = 1; i < snapshots.length; i++) {
      t().redo();
      expect(documentJson(s.getState().topology())).toBe(snapshots[i]);
    }
  });

  it("a drag is one undo step", () => {
    const s = make();
    const on = s.getState().onNodesChange;
    on([{ type: "position", id: "rs-1", position: { x: 810, y: 5 }, dragging: true }]);
    on([{ type: "position", id: "rs-1", position: { x: 850, y: 40 }, dragging: true }]);
    on([{ type: "position", id: "rs-1", position: { x: 900, y: 60 }, dragging: false }]);
    expect(s.getState().topology().layout["rs-1"]).toEqual({ x: 900, y: 60 });
    expect(s.temporal.getState().pastStates).toHaveLength(1);
    s.temporal.getState().undo();
    expect(s.getState().topology().layout["rs-1"]).toEqual({ x: 800, y: 0 });
  });

  it("deleting a director unplaces its services; deleting a placement edge too", () => {
    const s = make();
    s.getState().deleteElements(["dir-a"], []);
    const t = s.getState().topology();
    expect(t.services.map((x) => x.directorIds)).toEqual([["dir-b"], []]);
    expect(s.getState().edges.filter((e) => e.type === "placement").map((e) => e.id)).toEqual(["place:dir-b:svc-web"]);
    s.getState().onEdgesChange([{ type: "remove", id: "place:dir-b:svc-web" }]);
    expect(s.getState().topology().services[0]!.directorIds).toEqual([]);
  });

  it("copy/paste duplicates the selection with new ids, internal memberships and placements kept", () => {
    const s = make();
    s.getState().select(["svc-web", "rs-1"]);
    s.getState().copySelection();
    s.getState().paste();
    const t = s.getState().topology();
    expect(t.services).toHaveLength(3);
    expect(t.realServers).toHaveLength(4);
    const svc = t.services[2]!;
    const rs = t.realServers[3]!;
    expect(svc.id).not.toBe("svc-web");
    expect(svc.address).toBe("10.0.0.100");
    expect(svc.directorIds).toEqual(["dir-a", "dir-b"]); // directors not copied: same placement
    // only the membership between two copied nodes is duplicated
    expect(t.memberships.filter((m) => m.serviceId === svc.id).map((m) => m.realServerId)).toEqual([rs.id]);
    expect(t.layout[svc.id]).toEqual({ x: 420, y: 40 });
    expect(s.getState().nodes.filter((n) => n.selected).map((n) => n.id)).toEqual([svc.id, rs.id]);
    s.getState().paste();
    expect(s.getState().topology().layout[s.getState().nodes.at(-2)!.id]).toEqual({ x: 460, y: 80 });
    s.temporal.getState().undo();
    s.temporal.getState().undo();
    expect(s.getState().topology().services).toHaveLength(2);
  });

  it("edits keep the object's id and relations whatever the form sent", () => {
    const s = make();
    const m = s.getState().topology().memberships[0]!;
    s.getState().updateMembership("m-1", { ...m, id: "hack", serviceId: "x", realServerId: "y", weight: 9 });
    expect(s.getState().topology().memberships[0]).toEqual({ ...m, weight: 9 });
    const svc = s.getState().topology().services[0]!;
    s.getState().updateService("svc-web", { ...svc, directorIds: [], onePacket: true });
    expect(s.getState().topology().services[0]).toEqual({ ...svc, onePacket: true });
  });

  it("an edit that changes nothing (a form echoing the store after undo) makes no step and keeps redo", () => {
    const s = make();
    const t = () => s.temporal.getState();
    const svc = s.getState().topology().services[0]!;
    s.getState().updateService("svc-web", { ...svc, scheduler: "sh" });
    s.getState().updateService("svc-web", { ...svc, scheduler: "sh", port: 8080 });
    t().undo();
    expect(t().futureStates).toHaveLength(1);
    // the form resets to the undone value and reports it back, keys in another order
    const echo = Object.fromEntries(Object.entries({ ...svc, scheduler: "sh" }).reverse()) as unknown as typeof svc;
    const nodes = s.getState().nodes;
    s.getState().updateService("svc-web", echo);
    const m = s.getState().topology().memberships[0]!;
    s.getState().updateMembership(m.id, { ...m });
    s.getState().updateRealServer("rs-1", { ...s.getState().topology().realServers[0]! });
    s.getState().updateDirector("dir-a", { ...s.getState().topology().directors[0]! });
    expect(s.getState().nodes).toBe(nodes);
    expect(t().pastStates).toHaveLength(1);
    expect(t().futureStates).toHaveLength(1);
    t().undo();
    expect(s.getState().topology().services[0]!.scheduler).toBe(svc.scheduler);
    t().redo();
    t().redo();
    expect(s.getState().topology().services[0]).toMatchObject({ scheduler: "sh", port: 8080 });
  });

  it("a field edit replaces only that object: every other node and edge keeps its identity (memoised views do not re-render)", () => {
    const s = make();
    const before = s.getState();
    const svc = before.topology().services[0]!;
    s.getState().updateService("svc-web", { ...svc, port: 8080 });
    const after = s.getState();
    after.nodes.forEach((n, i) => (n.id === "svc-web" ? expect(n).not.toBe(before.nodes[i]) : expect(n).toBe(before.nodes[i])));
    expect(after.edges).toBe(before.edges);
    const m = after.topology().memberships[0]!;
    s.getState().updateMembership(m.id, { ...m, weight: 7 });
    expect(s.getState().nodes).toBe(after.nodes);
    s.getState().edges.forEach((e, i) => (e.id === m.id ? expect(e).not.toBe(after.edges[i]) : expect(e).toBe(after.edges[i])));
  });

  it("load replaces the document and clears history; markSaved moves the baseline", () => {
    const s = make();
    s.getState().addNode("director", { x: 0, y: 0 });
    s.getState().load(sampleTopology(), 9);
    expect(s.getState().revision).toBe(9);
    expect(s.temporal.getState().pastStates).toHaveLength(0);
    s.getState().addNode("director", { x: 0, y: 0 });
    const saved = { nodes: s.getState().nodes, edges: s.getState().edges, topology: s.getState().topology() };
    s.getState().markSaved(10, saved);
    expect(s.getState()).toMatchObject({ revision: 10, saved, dirty: false });
  });

  it("sameContent: the unsaved-changes baseline ignores selection and edits undone by hand, sees every real change", () => {
    const s = make();
    const base = s.getState().saved;
    expect(sameContent(base, s.getState())).toBe(true);
    s.getState().select(["svc-dns"]);
    expect(sameContent(base, s.getState())).toBe(true);
    const svc = s.getState().topology().services.find((x) => x.id === "svc-dns")!;
    s.getState().updateService("svc-dns", { ...svc, port: 54 });
    expect(sameContent(base, s.getState())).toBe(false);
    // typed back by hand: a new object with the old content (key order of a form may differ)
    const { port: _drop, ...rest } = svc;
    s.getState().updateService("svc-dns", { port: svc.port, ...rest });
    expect(sameContent(base, s.getState())).toBe(true);
    s.getState().setPositions({ "svc-dns": { x: 1, y: 2 } });
    expect(sameContent(base, s.getState())).toBe(false);
    s.getState().load(sampleTopology(), 5);
    const m = s.getState().topology().memberships[0]!;
    s.getState().updateMembership(m.id, { ...m, weight: m.weight + 1 });
    expect(sameContent(s.getState().saved, s.getState())).toBe(false);
    // declared HA groups are part of the document
    s.getState().load(sampleTopology(), 6);
    s.getState().setHaGroups([{ ...defaultHaGroup("ha-1", ["dir-a", "dir-b"]) }]);
    expect(sameContent(s.getState().saved, s.getState())).toBe(false);
    s.getState().setHaGroups(sampleTopology().haGroups ?? []);
    expect(sameContent(s.getState().saved, s.getState())).toBe(true);
  });
});
