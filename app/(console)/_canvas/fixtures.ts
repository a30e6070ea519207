/** A small known topology for tests: one HA pair, two services, three real servers. */
import type { Topology } from "@/lvs/model.ts";
import { newMembership } from "@/lvs/defaults.ts";
import { paletteRealServer, paletteService } from "./store/paletteObjects.ts";

export function sampleTopology(): Topology {
  const web = { ...paletteService("svc-web", 1), address: "10.0.0.100", port: 80, directorIds: ["dir-a", "dir-b"], persistence: { timeout: 360, netmask: null } };
  const dns = { ...paletteService("svc-dns", 2), protocol: "udp" as const, address: "10.0.0.53", port: 53, scheduler: "rr", directorIds: ["dir-a"] };
  const rs = (id: string, n: number, address: string) => ({ ...paletteRealServer(id, n), address });
  return {
    name: "sample",
    directors: [
      { id: "dir-a", name: "lb1", managementAddress: null, interfaces: [{ name: "eth0", address: "10.0.0.2", prefix: 24 }], engine: "ipvs" },
      { id: "dir-b", name: "lb2", managementAddress: null, interfaces: [{ name: "eth0", address: "10.0.0.3", prefix: 24 }], engine: "ipvs" },
    ],
    services: [web, dns],
    realServers: [rs("rs-1", 1, "10.0.0.7"), rs("rs-2", 2, "10.0.0.8"), rs("rs-3", 3, "10.0.0.9")],
    memberships: [
      newMembership("m-1", "svc-web", "rs-1"),
      { ...newMembership("m-2", "svc-web", "rs-2"), weight: 3, state: "draining" },
      { ...newMembership("m-3", "svc-dns", "rs-3"), method: "nat" },
    ],
    layout: { "dir-a": { x: 0, y: 0 }, "svc-web": { x: 380, y: 0 }, "rs-1": { x: 800, y: 0 } },
  };
}
