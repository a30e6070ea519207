/**
 * The first-start demo: one director on the userspace engine, two virtual services on loopback
 * (HTTP with wlc over three real servers, UDP with sh over two), backends on other 127.x addresses.
 * Ports above 1024 so the demo needs no privileges.
 */
import type { HealthCheck, Topology } from "../../lvs/model.ts";

/**
 * The demo's loopback addresses, in one block 127.B.x.y (B = 100 is the classic layout): VIPs on
 * 127.B.100.x, HTTP backends on 127.B.101.x, UDP backends on 127.B.102.x, UDP clients on 127.B.103.x.
 * A second console or a test run on the same host holds one block; the demo picks a free one
 * (demoAddresses.ts), so it always runs.
 */
export function demoAddresses(block: number) {
  const a = (third: number, host: number) => `127.${block === 100 ? 0 : block}.${third}.${host}`;
  return {
    block,
    http: { vip: a(100, 1), port: 8080, backends: [a(101, 1), a(101, 2), a(101, 3)], backendPort: 8080 },
    udp: { vip: a(100, 2), port: 5300, backends: [a(102, 1), a(102, 2)], backendPort: 5300 },
    /** traffic sources for the UDP service (sh hashes the client address) */
    udpClients: [1, 2, 3, 4, 5, 6].map((h) => a(103, h)),
  };
}
export type DemoAddresses = ReturnType<typeof demoAddresses>;

/** The first block tried: the addresses the demo always had (127.0.100.1:8080 ...). */
export const DEFAULT_DEMO_BLOCK = 100;

export const DEMO = {
  topologyName: "Demo (loopback)",
  directorKey: "demo-director",
  ...demoAddresses(DEFAULT_DEMO_BLOCK),
};

const timing = { intervalMs: 1000, timeoutMs: 500, rise: 2, fall: 2 };
const httpCheck: HealthCheck = { kind: "http", port: null, path: "/health", host: null, status: [200, 299], bodyMatch: null, ...timing, onFailure: "quiesce" };
const udpCheck: HealthCheck = { kind: "udp", port: null, send: "ping", expect: "ping", ...timing, onFailure: "quiesce" };

export function demoTopology(addr: DemoAddresses = demoAddresses(DEFAULT_DEMO_BLOCK)): Topology {
  const host = { loopbackVips: [], tunnelVips: [], arpSuppressed: false, gateway: null };
  const member = (id: string, serviceId: string, realServerId: string, weight: number) => ({
    id, serviceId, realServerId, method: "nat" as const, weight, upperThreshold: 0, lowerThreshold: 0, tunnel: null, state: "active" as const, healthCheck: null,
  });
  const web = addr.http.backends.map((address, i) => ({ id: `web-${i + 1}`, name: `web-${i + 1}`, address, port: addr.http.backendPort, host }));
  const dns = addr.udp.backends.map((address, i) => ({ id: `udp-${i + 1}`, name: `udp-${i + 1}`, address, port: addr.udp.backendPort, host }));
  return {
    name: DEMO.topologyName,
    directors: [{ id: DEMO.directorKey, name: "demo-lvs", managementAddress: "127.0.0.1", interfaces: [], engine: "userspace" }],
    services: [
      {
        id: "vs-http", protocol: "tcp", family: "inet", address: addr.http.vip, port: addr.http.port, fwmark: null, scheduler: "wlc", flags: [],
        persistence: null, persistenceEngine: null, onePacket: false, description: "demo web service (HTTP, wlc)", directorIds: [DEMO.directorKey],
        healthCheck: httpCheck, sorryServer: null, proxyProtocol: false,
      },
      {
        id: "vs-udp", protocol: "udp", family: "inet", address: addr.udp.vip, port: addr.udp.port, fwmark: null, scheduler: "sh", flags: [],
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
