/**
 * Integration harness for the deploy services: the real control plane (startServer, no Next, the
 * agent plugin) on PGlite in memory or on a fresh PostgreSQL database, a topology with two directors,
 * and real agents (Agent + AgentLink over loopback WebSockets) running a FakeEngine each, so tests
 * can inject apply failures and read the tables the agents run.
 */
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { startServer, type RunningServer } from "../server/app.ts";
import { loadEnv } from "../server/env.ts";
import { createAgentPlugin } from "../server/agentPlugin.ts";
import { createTestPostgres, type TestPostgres } from "../server/db/testDatabase.ts";
import { TopologyService } from "../server/services/topologyService.ts";
import { DirectorService } from "../server/services/directorService.ts";
import { runAgent, type RunningAgent } from "../agent/runAgent.ts";
import { FakeEngine } from "../agent/fakeEngine.ts";
import type { ForwardingEngine } from "../agent/engine.ts";
import { memoryLog } from "../agent/log.ts";
import type { Membership, Topology } from "../lvs/model.ts";
import type { DeployDeps } from "../server/services/deploy/types.ts";
import { until } from "./helpers.ts";

/** Two directors (d1, d2) running vs1 = TCP 127.0.10.1:80 with real servers rs1/rs2 (weights 1 and 2). */
export function twoDirectorTopology(o: { weight2?: number; scheduler?: string; extraService?: boolean; rs2State?: Membership["state"] } = {}): Topology {
  const host = { loopbackVips: [], tunnelVips: [], arpSuppressed: false, gateway: null };
  const svc = (id: string, port: number) => ({
    id, protocol: "tcp" as const, family: "inet" as const, address: "127.0.10.1", port, fwmark: null, scheduler: o.scheduler ?? "wlc", flags: [],
    persistence: null, persistenceEngine: null, onePacket: false, description: "", directorIds: ["d1", "d2"],
    healthCheck: null, sorryServer: null, proxyProtocol: false,
  });
  const m = (id: string, serviceId: string, realServerId: string, weight: number, state: Membership["state"] = "active"): Membership => ({
    id, serviceId, realServerId, method: "nat", weight, upperThreshold: 0, lowerThreshold: 0, tunnel: null, state, healthCheck: null,
  });
  return {
    name: "deploy",
    directors: [
      { id: "d1", name: "lvs-a", managementAddress: null, interfaces: [], engine: "userspace" },
      { id: "d2", name: "lvs-b", managementAddress: null, interfaces: [], engine: "userspace" },
    ],
    services: [svc("vs1", 80), ...(o.extraService ? [svc("vs2", 443)] : [])],
    realServers: [
      { id: "rs1", name: "web-1", address: "127.0.30.1", port: 8080, host },
      { id: "rs2", name: "web-2", address: "127.0.30.2", port: 8080, host },
    ],
    memberships: [
      m("m1", "vs1", "rs1", 1), m("m2", "vs1", "rs2", o.weight2 ?? 2, o.rs2State ?? "active"),
      ...(o.extraService ? [m("m3", "vs2", "rs1", 1)] : []),
    ],
    layout: {},
  };
}

export interface Harness {
  s: RunningServer;
  deps: DeployDeps;
  topologyId: string;
  revision: number;
  directorIds: Record<"d1" | "d2", string>;
  tokens: Record<"d1" | "d2", string>;
  engines: Record<string, FakeEngine>;
  /** engines other than FakeEngine, by director key */
  custom: Record<string, ForwardingEngine>;
  agents: Record<string, RunningAgent>;
  save(doc: Topology, message?: string): Promise<number>;
  /** the agent re-reconciles every 30 s (its default): tests that make drift finish well before that */
  startAgent(key: "d1" | "d2", engine?: ForwardingEngine): Promise<FakeEngine>;
  stopAgent(key: "d1" | "d2"): Promise<void>;
  close(): Promise<void>;
}

export async function startHarness(kind: "pglite" | "postgres", doc: Topology = twoDirectorTopology()): Promise<Harness> {
  let pg: TestPostgres | null = null;
  if (kind === "postgres") pg = await createTestPostgres();
  const stateRoot = await fs.mkdtemp(path.join(os.tmpdir(), "deploy-h-"));
  const s = await startServer({
    env: loadEnv({ DATABASE_URL: pg ? pg.url : "pglite:memory", LOG_LEVEL: "silent", LVS_NEXT: "0", PORT: "0", HOST: "127.0.0.1" }),
    plugins: [createAgentPlugin({ heartbeatMs: 1000 })],
    ...(pg ? { pgChannel: `deploy_${Math.random().toString(36).slice(2, 10)}` } : {}),
  });
  const topo = new TopologyService({ prisma: s.db.prisma, bus: s.bus, log: s.log });
  const dirs = new DirectorService({ prisma: s.db.prisma, bus: s.bus, log: s.log });
  const t = await topo.create("deploy", null);
  let revision = (await topo.save({ id: t.id, expectedRevision: t.revision, document: doc, message: "first", author: "alice@example.com" })).revision;
  const e1 = await dirs.create({ topologyId: t.id, key: "d1" });
  const e2 = await dirs.create({ topologyId: t.id, key: "d2" });
  const h: Harness = {
    s, deps: { db: s.db, bus: s.bus, log: s.log }, topologyId: t.id, revision,
    directorIds: { d1: e1.director.id, d2: e2.director.id },
    tokens: { d1: e1.token, d2: e2.token },
    engines: {}, custom: {}, agents: {},
    async save(next, message = "") {
      // services (drain, import) save revisions too: build on the latest
      const latest = (await s.db.prisma.topology.findUniqueOrThrow({ where: { id: t.id }, select: { revision: true } })).revision;
      revision = (await topo.save({ id: t.id, expectedRevision: latest, document: next, message, author: "alice@example.com" })).revision;
      h.revision = revision;
      return revision;
    },
    async startAgent(key, custom) {
      const fake = h.engines[key] ?? new FakeEngine(Date.now);
      if (custom) h.custom[key] = custom;
      else h.engines[key] = fake;
      const engine = custom ?? fake;
      const stateDir = path.join(stateRoot, key);
      await fs.mkdir(stateDir, { recursive: true });
      h.agents[key] = await runAgent({
        server: s.url, token: h.tokens[key], engine, stateDir, log: memoryLog(), backoff: { initialMs: 50, maxMs: 200 },
      });
      const id = h.directorIds[key];
      await until(async () => (await s.db.prisma.director.findUniqueOrThrow({ where: { id } })).online, 5000, `${key} online`);
      return fake;
    },
    async stopAgent(key) {
      await h.agents[key]?.stop();
      delete h.agents[key];
      const id = h.directorIds[key];
      await until(async () => !(await s.db.prisma.director.findUniqueOrThrow({ where: { id } })).online, 5000, `${key} offline`);
    },
    async close() {
      for (const a of Object.values(h.agents)) await a.stop().catch(() => {});
      await s.close().catch(() => {});
      await pg?.drop().catch(() => {});
      await fs.rm(stateRoot, { recursive: true, force: true });
    },
  };
  return h;
}
