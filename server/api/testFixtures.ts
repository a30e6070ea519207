/** Deterministic fixtures for server tests: topology documents and authenticated tRPC contexts. */
import type { Topology } from "../../lvs/model.ts";
import type { Role } from "../../lvs/auth/permissions.ts";
import { testUser } from "../auth/testing.ts";
import type { Database } from "../db/openDatabase.ts";
import type { Context } from "./trpc.ts";
import type { SessionInfo } from "../auth/session.ts";

/**
 * The session of a test user with `role` (admin by default), created in `db` on first use so audit
 * rows can reference it: `createCaller({ db, bus, log, session: await testSession(db), ip: null, now })`.
 */
export function testSession(db: Database, role: Role = "admin"): Promise<SessionInfo> {
  return testUser(db, role);
}

/** A complete in-process context signed in as `role` (admin by default). */
export async function testContext(base: Omit<Context, "session" | "ip"> & { ip?: string | null }, role: Role = "admin"): Promise<Context> {
  return { ip: null, ...base, session: await testSession(base.db, role) };
}

export function sampleTopology(name = "lab"): Topology {
  return {
    name,
    directors: [
      { id: "d1", name: "lvs-a", managementAddress: "127.0.20.1", interfaces: [{ name: "eth0", address: "127.0.20.1", prefix: 24 }], engine: "auto" },
      { id: "d2", name: "lvs-b", managementAddress: null, interfaces: [], engine: "userspace" },
    ],
    services: [
      {
        id: "vs1", protocol: "tcp", family: "inet", address: "127.0.10.1", port: 80, fwmark: null, scheduler: "wlc", flags: [],
        persistence: { timeout: 360, netmask: null }, persistenceEngine: null, onePacket: false, description: "web",
        directorIds: ["d1", "d2"],
        healthCheck: { kind: "http", port: null, path: "/health", host: null, status: [200, 299], bodyMatch: null, intervalMs: 2000, timeoutMs: 1000, rise: 2, fall: 3, onFailure: "quiesce" },
        sorryServer: null, proxyProtocol: false,
      },
      {
        id: "vs2", protocol: "fwmark", family: "inet", address: null, port: null, fwmark: 4294967295, scheduler: "rr", flags: ["flag-1"],
        persistence: null, persistenceEngine: null, onePacket: true, description: "", directorIds: [], healthCheck: null,
        sorryServer: { address: "127.0.30.9", port: 8080 }, proxyProtocol: false,
      },
    ],
    realServers: [
      { id: "rs1", name: "web-1", address: "127.0.30.1", port: null, host: { loopbackVips: ["127.0.10.1"], tunnelVips: [], arpSuppressed: true, gateway: null } },
      { id: "rs2", name: "web-2", address: "127.0.30.2", port: 8080, host: { loopbackVips: [], tunnelVips: [], arpSuppressed: false, gateway: "127.0.20.1" } },
    ],
    memberships: [
      { id: "m1", serviceId: "vs1", realServerId: "rs1", method: "dr", weight: 1, upperThreshold: 0, lowerThreshold: 0, tunnel: null, state: "active", healthCheck: null },
      { id: "m2", serviceId: "vs1", realServerId: "rs2", method: "nat", weight: 3, upperThreshold: 100, lowerThreshold: 50, tunnel: null, state: "draining", healthCheck: null },
      { id: "m3", serviceId: "vs2", realServerId: "rs2", method: "tun", weight: 0, upperThreshold: 0, lowerThreshold: 0, tunnel: { type: "gue", port: 6080, checksum: "csum" }, state: "disabled", healthCheck: null },
    ],
    layout: { d1: { x: 10, y: 20 }, vs1: { x: 200.5, y: -40 }, rs1: { x: 400, y: 0 } },
  };
}
