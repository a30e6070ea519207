/**
 * The embedded first-start demo (LVS_DEMO=1, the default; LVS_DEMO=0 starts empty).
 *  - On an EMPTY database (no topology) it seeds the demo topology (server/demo/demoTopology.ts),
 *    enrolls its director and applies revision 1 through the deploy service (saving is not applying).
 *  - On later starts it finds the demo again through <LVS_DATA_DIR>/demo/state.json; a database with
 *    other topologies and no demo state is left alone.
 *  - Then it runs the demo's backends, its director agent (the real bin/lvs-agent.mjs on the userspace
 *    engine, as a child process: demoAgent.ts) and a gentle traffic generator.
 * Failures (a demo port taken, ...) are logged and the control plane keeps running without the demo.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import type { RunningServer } from "../app.ts";
import type { Logger } from "../log.ts";
import { applyRevision } from "../services/deploy/applyRevision.ts";
import { DirectorService } from "../services/directorService.ts";
import { TopologyService } from "../services/topologyService.ts";
import { startDemoAgent, type DemoAgent } from "./demoAgent.ts";
import { startDemoBackends, type DemoBackends } from "./demoBackends.ts";
import { DEFAULT_DEMO_BLOCK, DEMO, demoAddresses, demoTopology, type DemoAddresses } from "./demoTopology.ts";
import { bindProbe, demoEndpoints, freeDemoBlock } from "./freeDemoBlock.ts";
import { recordAudit } from "../services/audit.ts";
import type { Topology } from "../../lvs/model.ts";
import { TrafficGenerator } from "./trafficGenerator.ts";

export interface RunningDemo {
  topologyId: string;
  directorId: string;
  /** the loopback addresses it runs on (a free block: another console may hold the classic one) */
  addresses: DemoAddresses;
  traffic: TrafficGenerator;
  backends: DemoBackends;
  agent: DemoAgent;
  close(): Promise<void>;
}

interface DemoState {
  topologyId: string;
  directorId: string;
  token: string;
  /** the loopback block its addresses are in (demoAddresses); absent in states of older versions = 100 */
  block?: number;
}

/** Finds or seeds the demo topology; null when the database holds someone else's topologies. */
export async function ensureDemo(server: Pick<RunningServer, "db" | "bus" | "log"> & { cluster?: RunningServer["cluster"] }, stateFile: string): Promise<DemoState | null> {
  const { db, bus, log } = server;
  const prisma = db.prisma;
  const directors = new DirectorService({ prisma, bus, log });
  const saved = await readFile(stateFile, "utf8").then((t) => JSON.parse(t) as DemoState, () => null);
  if (saved) {
    const d = await prisma.director.findUnique({ where: { id: saved.directorId }, select: { topologyId: true, tokenRevokedAt: true } });
    if (d && d.topologyId === saved.topologyId) {
      if (!d.tokenRevokedAt) return saved;
      // an operator revoked the demo agent's token: respect it
      log.info("demo director's token is revoked; the demo agent stays off");
      return null;
    }
  }
  if ((await prisma.topology.count()) > 0) return null;
  // several instances starting together on one empty PostgreSQL: one seeds the demo (and runs its
  // agent); the others then find topologies and leave the demo alone
  const seeder = server.cluster?.cluster;
  if (seeder && !(await seeder.store.tryHold("demo-seed", seeder.instanceId, 10 * 60_000))) {
    log.info("demo: another instance is seeding it");
    return null;
  }
  if ((await prisma.topology.count()) > 0) return null;

  const topologies = new TopologyService({ prisma, bus, log });
  const addresses = (await freeDemoBlock()) ?? demoAddresses(DEFAULT_DEMO_BLOCK);
  const created = await topologies.create(DEMO.topologyName, "demo");
  await topologies.save({ id: created.id, expectedRevision: created.revision, document: demoTopology(addresses), message: "first-start demo", author: "demo" });
  const enrolled = await directors.create({ topologyId: created.id, key: DEMO.directorKey, name: "demo-lvs" });
  await applyRevision({ db, bus, log }, { topologyId: created.id, waitMs: 0, actor: { actor: "demo" }, message: "first-start demo" });
  const state: DemoState = { topologyId: created.id, directorId: enrolled.director.id, token: enrolled.token, block: addresses.block };
  await mkdir(path.dirname(stateFile), { recursive: true });
  await writeFile(stateFile, JSON.stringify(state), { mode: 0o600 });
  log.info({ topologyId: state.topologyId }, "seeded the first-start demo");
  return state;
}

export async function startDemo(server: RunningServer, o: { dataDir: string; log: Logger }): Promise<RunningDemo | null> {
  const dir = path.resolve(o.dataDir, "demo");
  const state = await ensureDemo(server, path.join(dir, "state.json"));
  if (!state) {
    o.log.info("demo: the database already holds topologies; not seeding (LVS_DEMO=0 silences this)");
    return null;
  }
  const stateFile = path.join(dir, "state.json");
  let addresses = demoAddresses(state.block ?? DEFAULT_DEMO_BLOCK);
  let backends: DemoBackends;
  try {
    // something else took the demo's addresses since it last ran: move the demo to a free block
    if (!(await blockIsFree(addresses))) {
      const moved = await freeDemoBlock(bindProbe, addresses.block);
      if (!moved) throw new Error(`no free loopback block for the demo (127.0.100.1:${addresses.http.port} and the next 99 blocks are in use)`);
      await moveDemo(server, state, addresses, moved, o.log);
      await writeFile(stateFile, JSON.stringify({ ...state, block: moved.block }), { mode: 0o600 });
      addresses = moved;
    }
    backends = await startDemoBackends({
      http: { addresses: addresses.http.backends, port: addresses.http.backendPort },
      udp: { addresses: addresses.udp.backends, port: addresses.udp.backendPort },
    });
  } catch (e) {
    o.log.warn({ err: (e as Error).message }, "demo not started: its backends cannot listen");
    await demoAudit(server, state.topologyId, "failure", { reason: (e as Error).message });
    return null;
  }
  let agent: DemoAgent;
  try {
    agent = await startDemoAgent({ serverUrl: server.url, token: state.token, stateDir: path.join(dir, "agent"), log: o.log.child({ part: "demo-agent" }) });
  } catch (e) {
    await backends.close();
    o.log.warn({ err: (e as Error).message }, "demo not started: its agent failed");
    await demoAudit(server, state.topologyId, "failure", { reason: `its agent failed: ${(e as Error).message}` });
    return null;
  }
  const traffic = new TrafficGenerator({ http: { address: addresses.http.vip, port: addresses.http.port }, udp: { address: addresses.udp.vip, port: addresses.udp.port, clients: addresses.udpClients } });
  await traffic.start();
  o.log.info({ http: `http://${addresses.http.vip}:${addresses.http.port}/`, udp: `${addresses.udp.vip}:${addresses.udp.port}` }, "demo running: one director, two services, gentle traffic");
  await demoAudit(server, state.topologyId, "success", {
    http: `${addresses.http.vip}:${addresses.http.port}`, httpBackends: addresses.http.backends.length,
    udp: `${addresses.udp.vip}:${addresses.udp.port}`, udpBackends: addresses.udp.backends.length,
  });
  return {
    topologyId: state.topologyId,
    directorId: state.directorId,
    addresses,
    traffic,
    backends,
    agent,
    async close() {
      await traffic.stop();
      await agent.stop();
      await backends.close();
    },
  };
}

async function blockIsFree(a: DemoAddresses): Promise<boolean> {
  for (const e of demoEndpoints(a)) if (!(await bindProbe(e.kind, e.address, e.port))) return false;
  return true;
}

/** The demo topology with every address of block `from` replaced by block `to`'s, saved and applied. */
async function moveDemo(server: Pick<RunningServer, "db" | "bus" | "log">, state: DemoState, from: DemoAddresses, to: DemoAddresses, log: Logger): Promise<void> {
  const { db, bus } = server;
  const topologies = new TopologyService({ prisma: db.prisma, bus, log });
  const current = await topologies.get(state.topologyId);
  const map = new Map<string, string>([
    [from.http.vip, to.http.vip], [from.udp.vip, to.udp.vip],
    ...from.http.backends.map((a, i) => [a, to.http.backends[i]!] as [string, string]),
    ...from.udp.backends.map((a, i) => [a, to.udp.backends[i]!] as [string, string]),
  ]);
  const doc: Topology = {
    ...current.document,
    services: current.document.services.map((s) => (s.address && map.has(s.address) ? { ...s, address: map.get(s.address)! } : s)),
    realServers: current.document.realServers.map((r) => (map.has(r.address) ? { ...r, address: map.get(r.address)! } : r)),
  };
  await topologies.save({ id: state.topologyId, expectedRevision: current.revision, document: doc, message: `demo moved to free loopback addresses (${to.http.vip}; ${from.http.vip} is in use)`, author: "demo" });
  await applyRevision({ db, bus, log }, { topologyId: state.topologyId, waitMs: 0, actor: { actor: "demo" }, message: "demo moved to free loopback addresses" });
  log.info({ from: from.http.vip, to: to.http.vip }, "demo moved to a free loopback block");
}

/** What the newcomer reads in the overview's recent events and the audit log: what the demo is, or why it cannot run. */
async function demoAudit(server: Pick<RunningServer, "db">, topologyId: string, outcome: "success" | "failure", diff: Record<string, string | number>): Promise<void> {
  await recordAudit(server.db, { actor: "demo" }, { action: "demo.start", target: `topology:${topologyId}`, outcome, diff }).catch(() => undefined);
}
