import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Cluster } from "../cluster/cluster.ts";
import { PrismaClusterStore } from "../cluster/clusterStore.ts";
import type { ClusterRuntime } from "../cluster/startCluster.ts";
import { NoStatsRelay } from "../cluster/statsRelay.ts";
import { openDatabase, type Database } from "../db/openDatabase.ts";
import { createTestPostgres, NO_POSTGRES_REASON, TEST_DATABASE_URL, type TestPostgres } from "../db/testDatabase.ts";
import { MemoryEventBus } from "../events/MemoryEventBus.ts";
import { createLogger } from "../log.ts";
import { ensureDemo } from "./startDemo.ts";

const log = createLogger("silent");

describe.skipIf(!TEST_DATABASE_URL)(`the demo on several instances${TEST_DATABASE_URL ? "" : ` (${NO_POSTGRES_REASON})`}`, () => {
  let pg: TestPostgres;
  let dbs: Database[] = [];
  let dir: string;
  beforeAll(async () => {
    pg = await createTestPostgres();
    dir = await fs.mkdtemp(path.join(os.tmpdir(), "demo-seed-"));
  });
  afterAll(async () => {
    for (const d of dbs) await d.close();
    await pg?.drop();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it("two instances starting together on one empty database seed it once", async () => {
    dbs = [await openDatabase({ DATABASE_URL: pg.url }), await openDatabase({ DATABASE_URL: pg.url })];
    await dbs[0]!.migrate();
    const servers = dbs.map((db, i) => {
      const bus = new MemoryEventBus(log);
      const cluster = new Cluster({ store: new PrismaClusterStore(db.prisma), bus, log, hostname: `h${i}`, instanceId: `inst-${i}` });
      const runtime = { cluster, relay: new NoStatsRelay() } as unknown as ClusterRuntime;
      return { db, bus, log, cluster: runtime };
    });
    const states = await Promise.all(servers.map((s, i) => ensureDemo(s, path.join(dir, `state-${i}.json`))));
    expect(states.filter(Boolean)).toHaveLength(1);
    expect(await dbs[0]!.prisma.topology.count()).toBe(1);
    expect(await dbs[0]!.prisma.director.count()).toBe(1);
    for (const s of servers) await s.bus.close();
  }, 120_000);
});
