import { describe, expect, it } from "vitest";
import { compileDirector } from "./compile.ts";
import { importActualTable } from "./importActual.ts";
import { applyOps } from "./ops.ts";
import { op } from "./ops.ts";
import type { Topology } from "./model.ts";

const host = { loopbackVips: [], tunnelVips: [], arpSuppressed: false, gateway: null };
function doc(): Topology {
  const svc = (id: string, port: number, directorIds: string[]) => ({
    id, protocol: "tcp" as const, family: "inet" as const, address: "10.0.0.1", port, fwmark: null, scheduler: "wlc", flags: [],
    persistence: null, persistenceEngine: null, onePacket: false, description: id, directorIds, healthCheck: null, sorryServer: null, proxyProtocol: false,
  });
  const m = (id: string, serviceId: string, realServerId: string, weight: number, state: "active" | "draining" | "disabled" = "active") => ({
    id, serviceId, realServerId, method: "nat" as const, weight, upperThreshold: 0, lowerThreshold: 0, tunnel: null, state, healthCheck: null,
  });
  return {
    name: "t",
    directors: [
      { id: "d1", name: "a", managementAddress: null, interfaces: [], engine: "auto" },
      { id: "d2", name: "b", managementAddress: null, interfaces: [], engine: "auto" },
    ],
    services: [svc("web", 80, ["d1", "d2"]), svc("tls", 443, ["d1"]), svc("other", 8443, ["d2"])],
    realServers: [
      { id: "r1", name: "web-1", address: "10.0.1.1", port: 8080, host },
      { id: "r2", name: "web-2", address: "10.0.1.2", port: 8080, host },
      { id: "r3", name: "web-3", address: "10.0.1.3", port: 8080, host },
    ],
    memberships: [m("m1", "web", "r1", 1), m("m2", "web", "r2", 3, "draining"), m("m3", "web", "r3", 2, "disabled"), m("m4", "tls", "r1", 1)],
    layout: { web: { x: 1, y: 2 } },
  };
}
let n = 0;
const newId = (k: string) => `${k}-${++n}`;

describe("importActualTable", () => {
  it("is the identity when the director runs exactly its compiled table", () => {
    const d = doc();
    expect(importActualTable(d, "d1", compileDirector(d, "d1"), newId)).toEqual(d);
  });

  it("makes the director's compiled table equal the running one, keeping ids of what still matches", () => {
    const d = doc();
    const web = { protocol: "tcp" as const, family: "inet" as const, address: "10.0.0.1", port: 80 };
    // by hand: weight of r1 to 5, r2 (draining, weight 0) kept, scheduler rr, a new real server, tls deleted, a new service
    const actual = applyOps(compileDirector(d, "d1"), [
      op.editService({ ...web, scheduler: "rr", flags: [], persistence: null, persistenceEngine: null, onePacket: false }),
      op.editDestination(web, { address: "10.0.1.1", port: 8080, method: "nat", weight: 5, upperThreshold: 0, lowerThreshold: 0, tunnel: null }),
      op.addDestination(web, { address: "10.0.1.9", port: 8080, method: "nat", weight: 1, upperThreshold: 0, lowerThreshold: 0, tunnel: null }),
      op.deleteService({ protocol: "tcp", family: "inet", address: "10.0.0.1", port: 443 }),
      op.addService({ protocol: "udp", family: "inet", address: "10.0.0.1", port: 53, scheduler: "rr", flags: [], persistence: null, persistenceEngine: null, onePacket: false }),
    ]);
    const out = importActualTable(d, "d1", actual, newId);
    expect(compileDirector(out, "d1")).toEqual(actual);
    expect(out.services.find((s) => s.id === "web")).toMatchObject({ scheduler: "rr", description: "web", directorIds: ["d1", "d2"] });
    expect(out.memberships.find((m) => m.id === "m1")).toMatchObject({ weight: 5, state: "active" });
    expect(out.memberships.find((m) => m.id === "m2")).toMatchObject({ weight: 3, state: "draining" });
    expect(out.memberships.find((m) => m.id === "m3")).toMatchObject({ state: "disabled" });
    expect(out.services.some((s) => s.id === "tls")).toBe(false);
    expect(out.memberships.some((m) => m.id === "m4")).toBe(false);
    expect(out.services.find((s) => s.id === "other")).toMatchObject({ directorIds: ["d2"] });
    expect(out.layout).toEqual(d.layout);
    // d2 shares "web": it sees the same change; its own service is untouched
    expect(compileDirector(out, "d2").services.find((s) => "port" in s && s.port === 8443)).toEqual(compileDirector(d, "d2").services.find((s) => "port" in s && s.port === 8443));
  });

  it("takes a shared service off the director only, when the director no longer runs it", () => {
    const d = doc();
    const out = importActualTable(d, "d1", { services: compileDirector(d, "d1").services.filter((s) => "port" in s && s.port === 443) }, newId);
    expect(out.services.find((s) => s.id === "web")!.directorIds).toEqual(["d2"]);
    expect(out.memberships.filter((m) => m.serviceId === "web")).toHaveLength(3);
  });
});
