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
import { DEMO, demoTopology } from "./demoTopology.ts";
import { TrafficGenerator } from "./trafficGenerator.ts";

export interface RunningDemo {
  topologyId: string;
  directorId: string;
  traffic: TrafficGenerator;
  backends: DemoBackends;
  agent: DemoAgent;
  close(): Promise<void>;
}

interface DemoState {
  topologyId: string;
  directorId: string;
  token: string;
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
  const created = await topologies.create(DEMO.topologyName, "demo");
  await topologies.save({ id: created.id, expectedRevision: created.revision, document: demoTopology(), message: "first-start demo", author: "demo" });
  const enrolled = await directors.create({ topologyId: created.id, key: DEMO.directorKey, name: "demo-lvs" });
  await applyRevision({ db, bus, log }, { topologyId: created.id, waitMs: 0, actor: { actor: "demo" }, message: "first-start demo" });
  const state: DemoState = { topologyId: created.id, directorId: enrolled.director.id, token: enrolled.token };
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
  let backends: DemoBackends;
  try {
    backends = await startDemoBackends({
      http: { addresses: DEMO.http.backends, port: DEMO.http.backendPort },
      udp: { addresses: DEMO.udp.backends, port: DEMO.udp.backendPort },
    });
  } catch (e) {
    o.log.warn({ err: (e as Error).message }, "demo not started: its backends cannot listen");
    return null;
  }
  let agent: DemoAgent;
  try {
    agent = await startDemoAgent({ serverUrl: server.url, token: state.token, stateDir: path.join(dir, "agent"), log: o.log.child({ part: "demo-agent" }) });
  } catch (e) {
    await backends.close();
    o.log.warn({ err: (e as Error).message }, "demo not started: its agent failed");
    return null;
  }
  const traffic = new TrafficGenerator({ http: { address: DEMO.http.vip, port: DEMO.http.port }, udp: { address: DEMO.udp.vip, port: DEMO.udp.port, clients: DEMO.udpClients } });
  await traffic.start();
  o.log.info({ http: `http://${DEMO.http.vip}:${DEMO.http.port}/`, udp: `${DEMO.udp.vip}:${DEMO.udp.port}` }, "demo running: one director, two services, gentle traffic");
  return {
    topologyId: state.topologyId,
    directorId: state.directorId,
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
