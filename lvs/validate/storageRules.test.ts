import { describe, expect, it } from "vitest";
import type { Topology } from "../model.ts";
import { indexedPath, storageIssues } from "./storageRules.ts";

function sampleTopology(): Topology {
  return {
    name: "t",
    directors: [{ id: "d1", name: "lvs1", managementAddress: null, engine: "ipvs", interfaces: [{ name: "eth0", address: "10.0.0.1", prefix: 24 }] }],
    services: [{
      id: "web", protocol: "tcp", family: "inet", address: "10.0.0.100", port: 80, fwmark: null, scheduler: "wlc", flags: [], persistence: null,
      persistenceEngine: null, onePacket: false, description: "", directorIds: ["d1"], healthCheck: null, sorryServer: null, proxyProtocol: false,
    }],
    realServers: [{ id: "web1", name: "web1", address: "10.0.0.11", port: 8080, host: { loopbackVips: [], tunnelVips: [], arpSuppressed: false, gateway: "10.0.0.1" } }],
    memberships: [{ id: "m1", serviceId: "web", realServerId: "web1", method: "nat", weight: 1, upperThreshold: 0, lowerThreshold: 0, tunnel: null, state: "active", healthCheck: null }],
    layout: {},
  };
}

const lines = (t: Topology) => storageIssues(t).map((i) => `${i.code} ${indexedPath(t, i)}`);

describe("storageIssues: what the normalized tables cannot hold", () => {
  it("a valid document has none", () => {
    expect(lines(sampleTopology())).toEqual([]);
  });

  it("dangling references, a repeated id within one kind and a director placed twice, with indexed paths", () => {
    const t = sampleTopology();
    const doc: Topology = {
      ...t,
      directors: [...t.directors, { ...t.directors[0]! }],
      services: t.services.map((s, i) => (i === 0 ? { ...s, directorIds: [...s.directorIds, s.directorIds[0]!, "ghost-d"] } : s)),
      memberships: [...t.memberships, { ...t.memberships[0]!, id: "m-new", serviceId: "ghost-s", realServerId: "ghost-r" }],
    };
    expect(lines(doc)).toEqual([
      `topology.duplicate-id directors.${t.directors.length}.id`,
      `membership.missing-service memberships.${t.memberships.length}.serviceId`,
      `membership.missing-real-server memberships.${t.memberships.length}.realServerId`,
      "service.director-twice services.0.directorIds",
      "service.unknown-director services.0.directorIds",
    ]);
  });

  it("an id shared across kinds is an LVS issue (validate) but storable", () => {
    const t = sampleTopology();
    const doc: Topology = { ...t, realServers: t.realServers.map((r, i) => (i === 0 ? { ...r, id: t.services[0]!.id } : r)), memberships: [] };
    expect(lines(doc)).toEqual([]);
  });
});
