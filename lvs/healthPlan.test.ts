import { describe, expect, it } from "vitest";
import { healthPlan } from "./healthPlan.ts";
import { compileDirector } from "./compile.ts";
import type { Topology } from "./model.ts";

const check = { kind: "tcp" as const, port: null, intervalMs: 1000, timeoutMs: 500, rise: 2, fall: 3, onFailure: "quiesce" as const };
const host = { loopbackVips: [], tunnelVips: [], arpSuppressed: false, gateway: null };
const topo: Topology = {
  name: "t",
  directors: [{ id: "d1", name: "d1", managementAddress: null, interfaces: [], engine: "auto" }],
  services: [{
    id: "vs1", protocol: "tcp", family: "inet", address: "10.0.0.1", port: 80, fwmark: null, scheduler: "rr", flags: [],
    persistence: null, persistenceEngine: null, onePacket: false, description: "", directorIds: ["d1"], healthCheck: check,
    sorryServer: { address: "10.9.9.9", port: null }, proxyProtocol: false,
  }],
  realServers: [
    { id: "rs1", name: "a", address: "192.168.1.1", port: 8080, host },
    { id: "rs2", name: "b", address: "192.168.1.2", port: 8080, host },
    { id: "rs3", name: "c", address: "192.168.1.3", port: null, host },
  ],
  memberships: [
    { id: "m1", serviceId: "vs1", realServerId: "rs1", method: "nat", weight: 1, upperThreshold: 0, lowerThreshold: 0, tunnel: null, state: "active", healthCheck: null },
    // DR: the port is forced to the service port
    { id: "m2", serviceId: "vs1", realServerId: "rs2", method: "dr", weight: 1, upperThreshold: 0, lowerThreshold: 0, tunnel: null, state: "active", healthCheck: { ...check, kind: "tcp", port: 22, onFailure: "remove" } },
    { id: "m3", serviceId: "vs1", realServerId: "rs3", method: "nat", weight: 1, upperThreshold: 0, lowerThreshold: 0, tunnel: null, state: "disabled", healthCheck: null },
  ],
  layout: {},
};

describe("healthPlan", () => {
  it("targets the compiled destinations with the membership check over the service default; disabled ones are skipped", () => {
    const table = compileDirector(topo, "d1");
    const plan = healthPlan(topo, "d1", table);
    expect(plan.targets.map((t) => [t.destination.address, t.destination.port, t.check.onFailure, t.realServerId])).toEqual([
      ["192.168.1.1", 8080, "quiesce", "rs1"],
      ["192.168.1.2", 80, "remove", "rs2"],
    ]);
    expect(plan.sorryServers).toEqual([{ service: { protocol: "tcp", family: "inet", address: "10.0.0.1", port: 80 }, address: "10.9.9.9", port: 80 }]);
  });
  it("plans nothing for a director without the service", () => {
    const t2 = { ...topo, directors: [...topo.directors, { id: "d2", name: "d2", managementAddress: null, interfaces: [], engine: "auto" as const }] };
    expect(healthPlan(t2, "d2", compileDirector(t2, "d2"))).toEqual({ targets: [], sorryServers: [] });
  });
});
