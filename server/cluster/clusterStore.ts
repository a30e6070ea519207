/**
 * What several control-plane instances share through the database: which instance holds each
 * director's agent connection (AgentLease: the newest connection wins; a lease its instance stopped
 * renewing expires), named singleton jobs (ClusterLease: one holder at a time), and the instance
 * registry (ControlInstance heartbeats). Every time comparison uses the database's clock, so the
 * instances' clocks may disagree.
 */
import type { PrismaClient } from "../../generated/prisma/client.ts";

export interface AgentHolder {
  instanceId: string;
  connectionId: string;
}

export interface ClusterStore {
  /** records this instance as alive (ControlInstance) */
  heartbeat(instanceId: string, hostname: string): Promise<void>;
  /** takes or renews the named lease for `ttlMs`; true while `holder` holds it */
  tryHold(name: string, holder: string, ttlMs: number): Promise<boolean>;
  release(name: string, holder: string): Promise<void>;
  /** this connection now holds the director's agent lease (the newest connection wins); returns the previous holder */
  acquireAgent(directorId: string, holder: AgentHolder, ttlMs: number): Promise<AgentHolder | null>;
  /** takes the director's lease only if nobody holds it (a lease that expired under a stalled instance) */
  reacquireAgent(directorId: string, holder: AgentHolder, ttlMs: number): Promise<boolean>;
  /** extends every lease this instance holds; returns the connections that still hold theirs */
  renewAgents(instanceId: string, ttlMs: number): Promise<Array<AgentHolder & { directorId: string }>>;
  /** gives the lease up if this connection still holds it; true when it did (the director is then offline) */
  releaseAgent(directorId: string, connectionId: string): Promise<boolean>;
  agentHolder(directorId: string): Promise<AgentHolder | null>;
  /**
   * Drops expired agent leases and marks offline every director shown online without a lease (its
   * instance died). Returns the directors it marked offline.
   */
  sweep(instanceTtlMs: number): Promise<Array<{ directorId: string; topologyId: string }>>;
}

const ms = (n: number) => Math.max(1, Math.round(n));

export class PrismaClusterStore implements ClusterStore {
  constructor(private readonly prisma: PrismaClient) {}

  async heartbeat(instanceId: string, hostname: string): Promise<void> {
    await this.prisma.$executeRawUnsafe(
      `INSERT INTO "ControlInstance" ("id", "hostname", "startedAt", "heartbeatAt") VALUES ($1, $2, clock_timestamp(), clock_timestamp())
       ON CONFLICT ("id") DO UPDATE SET "heartbeatAt" = clock_timestamp()`,
      instanceId, hostname.slice(0, 255),
    );
  }

  async tryHold(name: string, holder: string, ttlMs: number): Promise<boolean> {
    const rows = await this.prisma.$queryRawUnsafe<Array<{ holder: string }>>(
      `INSERT INTO "ClusterLease" ("name", "holder", "expiresAt") VALUES ($1, $2, clock_timestamp() + ($3::int * interval '1 millisecond'))
       ON CONFLICT ("name") DO UPDATE SET "holder" = EXCLUDED."holder", "expiresAt" = EXCLUDED."expiresAt"
       WHERE "ClusterLease"."holder" = EXCLUDED."holder" OR "ClusterLease"."expiresAt" < clock_timestamp()
       RETURNING "holder"`,
      name, holder, ms(ttlMs),
    );
    return rows.length === 1 && rows[0]!.holder === holder;
  }

  async release(name: string, holder: string): Promise<void> {
    await this.prisma.$executeRawUnsafe(`DELETE FROM "ClusterLease" WHERE "name" = $1 AND "holder" = $2`, name, holder);
  }

  async acquireAgent(directorId: string, holder: AgentHolder, ttlMs: number): Promise<AgentHolder | null> {
    return this.prisma.$transaction(async (tx) => {
      const prev = await tx.$queryRawUnsafe<AgentHolder[]>(
        `SELECT "instanceId", "connectionId" FROM "AgentLease" WHERE "directorId" = $1 FOR UPDATE`, directorId,
      );
      await tx.$executeRawUnsafe(
        `INSERT INTO "AgentLease" ("directorId", "instanceId", "connectionId", "acquiredAt", "expiresAt")
         VALUES ($1, $2, $3, clock_timestamp(), clock_timestamp() + ($4::int * interval '1 millisecond'))
         ON CONFLICT ("directorId") DO UPDATE SET "instanceId" = EXCLUDED."instanceId", "connectionId" = EXCLUDED."connectionId",
           "acquiredAt" = EXCLUDED."acquiredAt", "expiresAt" = EXCLUDED."expiresAt"`,
        directorId, holder.instanceId, holder.connectionId, ms(ttlMs),
      );
      const p = prev[0];
      return p && p.connectionId !== holder.connectionId ? { instanceId: p.instanceId, connectionId: p.connectionId } : null;
    });
  }

  async reacquireAgent(directorId: string, holder: AgentHolder, ttlMs: number): Promise<boolean> {
    const n = await this.prisma.$executeRawUnsafe(
      `INSERT INTO "AgentLease" ("directorId", "instanceId", "connectionId", "acquiredAt", "expiresAt")
       VALUES ($1, $2, $3, clock_timestamp(), clock_timestamp() + ($4::int * interval '1 millisecond'))
       ON CONFLICT ("directorId") DO NOTHING`,
      directorId, holder.instanceId, holder.connectionId, ms(ttlMs),
    );
    return n > 0;
  }

  async renewAgents(instanceId: string, ttlMs: number): Promise<Array<AgentHolder & { directorId: string }>> {
    return this.prisma.$queryRawUnsafe<Array<AgentHolder & { directorId: string }>>(
      `UPDATE "AgentLease" SET "expiresAt" = clock_timestamp() + ($2::int * interval '1 millisecond')
       WHERE "instanceId" = $1 RETURNING "directorId", "instanceId", "connectionId"`,
      instanceId, ms(ttlMs),
    );
  }

  async releaseAgent(directorId: string, connectionId: string): Promise<boolean> {
    const n = await this.prisma.$executeRawUnsafe(`DELETE FROM "AgentLease" WHERE "directorId" = $1 AND "connectionId" = $2`, directorId, connectionId);
    return n > 0;
  }

  async agentHolder(directorId: string): Promise<AgentHolder | null> {
    const rows = await this.prisma.$queryRawUnsafe<AgentHolder[]>(
      `SELECT "instanceId", "connectionId" FROM "AgentLease" WHERE "directorId" = $1 AND "expiresAt" >= clock_timestamp()`, directorId,
    );
    return rows[0] ?? null;
  }

  async sweep(instanceTtlMs: number): Promise<Array<{ directorId: string; topologyId: string }>> {
    await this.prisma.$executeRawUnsafe(`DELETE FROM "AgentLease" WHERE "expiresAt" < clock_timestamp()`);
    await this.prisma.$executeRawUnsafe(
      `DELETE FROM "ControlInstance" WHERE "heartbeatAt" < clock_timestamp() - ($1::int * interval '1 millisecond')`, ms(instanceTtlMs),
    );
    return this.prisma.$queryRawUnsafe<Array<{ directorId: string; topologyId: string }>>(
      `UPDATE "Director" d SET "online" = false
       WHERE d."online" AND NOT EXISTS (SELECT 1 FROM "AgentLease" l WHERE l."directorId" = d."id")
       RETURNING d."id" AS "directorId", d."topologyId"`,
    );
  }
}
