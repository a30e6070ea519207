/**
 * The first-start demo: one director on the userspace engine, two virtual services on loopback
 * (HTTP with wlc over three real servers, UDP with sh over two), backends on other 127.x addresses.
 * Ports above 1024 so the demo needs no privileges.
 */
import type { HealthCheck, Topology } from "../../lvs/model.ts";

export const DEMO = {
  topologyName: "Demo (loopback)",
  directorKey: "demo-director",
  http: { vip: "127.0.100.1", port: 8080, backends: ["127.0.101.1", "127.0.101.2", "127.0.101.3"], backendPort: 8080 },
  udp: { vip: "127.0.100.2", port: 5300, backends: ["127.0.102.1", "127.0.102.2"], backendPort: 5300 },
  /** traffic sources for the UDP service (sh hashes the client address) */
  udpClients: ["127.0.103.1", "127.0.103.2", "127.0.103.3", "127.0.103.4", "127.0.103.5", "127.0.103.6"],
} as const;

const timing = { intervalMs: 1000, timeoutMs: 500, rise: 2, fall: 2 };
const httpCheck: HealthCheck = { kind: "http", port: null, path: "/health", host: null, status: [200, 299], bodyMatch: null, ...timing, onFailure: "quiesce" };
const udpCheck: HealthCheck = { kind: "udp", port: null, send: "ping", expect: "ping", ...timing, onFailure: "quiesce" };

export function demoTopology(): Topology {
  const host = { loopbackVips: [], tunnelVips: [], arpSuppressed: false, gateway: null };
  const member = (id: string, serviceId: string, realServerId: string, weight: number) => ({
    id, serviceId, realServerId, method: "nat" as const, weight, upperThreshold: 0, lowerThreshold: 0, tunnel: null, state: "active" as const, healthCheck: null,
  });
  const web = DEMO.http.backends.map((address, i) => ({ id: `web-${i + 1}`, name: `web-${i + 1}`, address, port: DEMO.http.backendPort, host }));
  const dns = DEMO.udp.backends.map((address, i) => ({ id: `udp-${i + 1}`, name: `udp-${i + 1}`, address, port: DEMO.udp.backendPort, host }));
  return {
    name: DEMO.topologyName,
    directors: [{ id: DEMO.directorKey, name: "demo-lvs", managementAddress: "127.0.0.1", interfaces: [], engine: "userspace" }],
    services: [
      {
        id: "vs-http", protocol: "tcp", family: "inet", address: DEMO.http.vip, port: DEMO.http.port, fwmark: null, scheduler: "wlc", flags: [],
        persistence: null, persistenceEngine: null, onePacket: false, description: "demo web service (HTTP, wlc)", directorIds: [DEMO.directorKey],
        healthCheck: httpCheck, sorryServer: null, proxyProtocol: false,
      },
      {
        id: "vs-udp", protocol: "udp", family: "inet", address: DEMO.udp.vip, port: DEMO.udp.port, fwmark: null, scheduler: "sh", flags: [],
        persistence: null, persistenceEngine: null, onePacket: false, description: "demo UDP echo (source hashing)", directorIds: [DEMO.directorKey],
        healthCheck: udpCheck, sorryServer: null, proxyProtocol: false,
      },
    ],
    realServers: [...web, ...dns],
    memberships: [
      member("m-web-1", "vs-http", "web-1", 3),
      member("m-web-2", "vs-http", "web-2", 2),
      member("m-web-3", "vs-http", "web-3", 1),
      member("m-udp-1", "vs-udp", "udp-1", 1),
      member("m-udp-2", "vs-udp", "udp-2", 1),
    ],
    // the editor's default columns (app/(console)/_canvas/spacing.ts): room for the membership labels
    layout: {
      [DEMO.directorKey]: { x: 0, y: 160 },
      "vs-http": { x: 324, y: 60 }, "vs-udp": { x: 324, y: 300 },
      "web-1": { x: 892, y: 0 }, "web-2": { x: 892, y: 110 }, "web-3": { x: 892, y: 220 },
      "udp-1": { x: 892, y: 330 }, "udp-2": { x: 892, y: 440 },
    },
  };
}
