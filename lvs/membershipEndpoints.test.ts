import { describe, expect, it } from "vitest";
import { compileDirector } from "./compile.ts";
import { membershipEndpoints } from "./membershipEndpoints.ts";
import { serviceKeyString, destinationKeyString } from "./tableKey.ts";
import type { Topology } from "./model.ts";

const host = { loopbackVips: [], tunnelVips: [], arpSuppressed: false, gateway: null };
const doc: Topology = {
  name: "t",
  directors: [{ id: "d1", name: "a", managementAddress: null, interfaces: [], engine: "auto" }, { id: "d2", name: "b", managementAddress: null, interfaces: [], engine: "auto" }],
  services: [
    { id: "s", protocol: "tcp", family: "inet6", address: "2001:DB8::0:1", port: 80, fwmark: null, scheduler: "rr", flags: [], persistence: null, persistenceEngine: null, onePacket: false, description: "", directorIds: ["d1", "d2"], healthCheck: null, sorryServer: null, proxyProtocol: false },
    { id: "f", protocol: "fwmark", family: "inet", address: null, port: null, fwmark: 7, scheduler: "rr", flags: [], persistence: null, persistenceEngine: null, onePacket: false, description: "", directorIds: ["d1"], healthCheck: null, sorryServer: null, proxyProtocol: false },
  ],
  realServers: [{ id: "r", name: "r", address: "2001:db8::10", port: 8080, host }, { id: "r4", name: "r4", address: "10.0.0.9", port: null, host }],
  memberships: [
    { id: "nat", serviceId: "s", realServerId: "r", method: "nat", weight: 1, upperThreshold: 0, lowerThreshold: 0, tunnel: null, state: "draining", healthCheck: null },
    { id: "fw", serviceId: "f", realServerId: "r4", method: "dr", weight: 1, upperThreshold: 0, lowerThreshold: 0, tunnel: null, state: "active", healthCheck: null },
  ],
  layout: {},
};

describe("membershipEndpoints", () => {
  it("names the same service and destination as the compiled tables, per director", () => {
    for (const id of ["nat", "fw"]) {
      for (const e of membershipEndpoints(doc, id)) {
        const t = compileDirector(doc, e.directorId);
        const svc = t.services.find((s) => serviceKeyString(s) === serviceKeyString(e.service));
        expect(svc?.destinations.some((d) => destinationKeyString(d) === destinationKeyString(e.destination))).toBe(true);
      }
    }
    expect(membershipEndpoints(doc, "nat").map((e) => e.directorId)).toEqual(["d1", "d2"]);
    expect(membershipEndpoints(doc, "nope")).toEqual([]);
  });
});
