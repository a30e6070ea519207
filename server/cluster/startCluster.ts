/**
 * Starts this instance's part in the cluster: heartbeats, leadership, agent leases and, on
 * PostgreSQL, the stats relay (PGlite is one process: its instance leads and relays nothing).
 */
import os from "node:os";
import type { Database } from "../db/openDatabase.ts";
import type { EventBus } from "../events/EventBus.ts";
import type { Logger } from "../log.ts";
import { Cluster } from "./cluster.ts";
import { PrismaClusterStore } from "./clusterStore.ts";
import { NoStatsRelay, PgStatsRelay, type StatsRelay } from "./statsRelay.ts";

export interface ClusterRuntime {
  cluster: Cluster;
  relay: StatsRelay;
  /** what the agent hub needs: leases of the agents this instance holds */
  agents: {
    instanceId: string;
    acquire(directorId: string, connectionId: string): Promise<{ instanceId: string; connectionId: string } | null>;
    release(directorId: string, connectionId: string): Promise<boolean>;
    /** takes the lease back if nobody holds it (it expired while this instance stalled) */
    reacquire(directorId: string, connectionId: string): Promise<boolean>;
    onLeases(listener: (held: Array<{ directorId: string; connectionId: string }>, renewedFrom: number) => void): () => void;
  };
  close(): Promise<void>;
}

export async function startCluster(o: { db: Database; bus: EventBus; log: Logger; now?: () => number; tickMs?: number }): Promise<ClusterRuntime> {
  const store = new PrismaClusterStore(o.db.prisma);
  const cluster = new Cluster({ store, bus: o.bus, log: o.log, hostname: os.hostname(), ...(o.now ? { now: o.now } : {}), ...(o.tickMs ? { tickMs: o.tickMs } : {}) });
  let relay: StatsRelay = new NoStatsRelay();
  if (o.db.raw.kind === "postgres") {
    const pg = new PgStatsRelay({ url: o.db.raw.url, pool: o.db.raw.pool, instanceId: cluster.instanceId, log: o.log });
    await pg.start();
    relay = pg;
  }
  await cluster.start();
  o.log.info({ instanceId: cluster.instanceId, leader: cluster.isLeader() }, "control-plane instance started");
  return {
    cluster,
    relay,
    agents: {
      instanceId: cluster.instanceId,
      acquire: (directorId, connectionId) => store.acquireAgent(directorId, { instanceId: cluster.instanceId, connectionId }, cluster.agentTtlMs),
      release: (directorId, connectionId) => store.releaseAgent(directorId, connectionId),
      reacquire: (directorId, connectionId) => store.reacquireAgent(directorId, { instanceId: cluster.instanceId, connectionId }, cluster.agentTtlMs),
      onLeases: (listener) => cluster.onAgentLeases(listener),
    },
    async close() {
      await cluster.close();
      await relay.close();
    },
  };
}
