/**
 * StatsRollup rows: bulk upsert of completed buckets, range reads, retention pruning; and the
 * retention pruning of HealthTransition rows (availability history).
 * One `INSERT ... SELECT FROM unnest($arrays) ON CONFLICT DO UPDATE` per batch: a bucket written
 * twice (an agent reconnected inside the minute, or the control plane restarted) adds the increases
 * and keeps the peak, so a restart loses nothing that was flushed.
 * destKey "" = the service total, "address|port" (lvs/tableKey destinationKeyString) = one real server.
 */
import type { PrismaClient } from "../../generated/prisma/client.ts";
import type { Rollup } from "../../lvs/stats/rollup.ts";
import type { RollupRow } from "./statsStore.ts";

/** rows per statement; between batches the event loop runs (PGlite executes in this thread) */
const BATCH = 1000;

export interface StoredRollup extends Rollup {
  directorId: string;
  serviceKey: string;
  destKey: string;
}

export class RollupRepository {
  constructor(private readonly prisma: PrismaClient) {}

  /** Upserts rows in batches; returns how many rows were written. */
  async write(rows: readonly RollupRow[]): Promise<number> {
    for (let i = 0; i < rows.length; i += BATCH) {
      await this.writeBatch(rows.slice(i, i + BATCH));
      await new Promise((r) => setImmediate(r));
    }
    return rows.length;
  }

  private async writeBatch(rows: readonly RollupRow[]): Promise<void> {
    if (!rows.length) return;
    const col = <T>(f: (r: RollupRow) => T) => rows.map(f);
    const secs = (r: RollupRow) => r.rollup.bucketMs / 1000;
    await this.prisma.$executeRawUnsafe(
      `INSERT INTO "StatsRollup" ("bucket", "directorId", "serviceKey", "destKey", "conns", "inPkts", "outPkts", "inBytes", "outBytes",
         "cps", "inPps", "outPps", "inBps", "outBps", "activeConns", "inactConns")
       SELECT to_timestamp(u.b / 1000.0) AT TIME ZONE 'UTC', u.d, u.s, u.k, u.c, u.ip, u.op, u.ib, u.ob,
              u.c / u.sec, u.ip / u.sec, u.op / u.sec, u.ib / u.sec, u.ob / u.sec, u.am, u.il
       FROM unnest($1::float8[], $2::text[], $3::text[], $4::text[], $5::int8[], $6::int8[], $7::int8[], $8::int8[], $9::int8[],
                   $10::float8[], $11::int4[], $12::int4[]) AS u(b, d, s, k, c, ip, op, ib, ob, sec, am, il)
       ON CONFLICT ("bucket", "directorId", "serviceKey", "destKey") DO UPDATE SET
         "conns" = "StatsRollup"."conns" + excluded."conns",
         "inPkts" = "StatsRollup"."inPkts" + excluded."inPkts",
         "outPkts" = "StatsRollup"."outPkts" + excluded."outPkts",
         "inBytes" = "StatsRollup"."inBytes" + excluded."inBytes",
         "outBytes" = "StatsRollup"."outBytes" + excluded."outBytes",
         "cps" = "StatsRollup"."cps" + excluded."cps",
         "inPps" = "StatsRollup"."inPps" + excluded."inPps",
         "outPps" = "StatsRollup"."outPps" + excluded."outPps",
         "inBps" = "StatsRollup"."inBps" + excluded."inBps",
         "outBps" = "StatsRollup"."outBps" + excluded."outBps",
         "activeConns" = GREATEST("StatsRollup"."activeConns", excluded."activeConns"),
         "inactConns" = excluded."inactConns"`,
      col((r) => r.rollup.bucket),
      col((r) => r.directorId),
      col((r) => r.serviceKey),
      col((r) => r.destKey),
      col((r) => Math.round(r.rollup.delta.conns)),
      col((r) => Math.round(r.rollup.delta.inPkts)),
      col((r) => Math.round(r.rollup.delta.outPkts)),
      col((r) => Math.round(r.rollup.delta.inBytes)),
      col((r) => Math.round(r.rollup.delta.outBytes)),
      col(secs),
      col((r) => r.rollup.activeMax),
      col((r) => r.rollup.inactLast),
    );
  }

  /**
   * Rows of one series with from <= bucket < to, oldest first. `activeConns` holds the bucket's
   * peak ActiveConn (the last value is not stored), so activeMax = activeLast = that peak.
   */
  async read(directorId: string, serviceKey: string, destKey: string, from: number, to: number, bucketMs: number): Promise<StoredRollup[]> {
    const rows = await this.prisma.statsRollup.findMany({
      where: { directorId, serviceKey, destKey, bucket: { gte: new Date(from), lt: new Date(to) } },
      orderBy: { bucket: "asc" },
      select: { bucket: true, conns: true, inPkts: true, outPkts: true, inBytes: true, outBytes: true, activeConns: true, inactConns: true },
    });
    return rows.map((r) => ({
      directorId, serviceKey, destKey,
      bucket: r.bucket.getTime(),
      bucketMs,
      delta: { conns: Number(r.conns), inPkts: Number(r.inPkts), outPkts: Number(r.outPkts), inBytes: Number(r.inBytes), outBytes: Number(r.outBytes) },
      activeMax: r.activeConns,
      activeLast: r.activeConns,
      inactLast: r.inactConns,
      samples: 0,
    }));
  }

  /** Deletes rows older than `before` (ms); returns how many. */
  async prune(before: number): Promise<number> {
    const r = await this.prisma.statsRollup.deleteMany({ where: { bucket: { lt: new Date(before) } } });
    return r.count;
  }

  /**
   * Deletes health transitions older than `before` (ms), except the newest one before `before` of
   * each real server (director, service, address, port): the current health (the latest transition,
   * healthQuery currentHealth) is never lost, and the state at the cutoff stays known, so
   * availability over any range after the cutoff is exact. Returns how many rows went.
   */
  async pruneHealth(before: number): Promise<number> {
    return this.prisma.$executeRawUnsafe(
      `DELETE FROM "HealthTransition" h
        WHERE h."at" < $1
          AND EXISTS (
            SELECT 1 FROM "HealthTransition" n
             WHERE n."directorId" = h."directorId" AND n."serviceKey" = h."serviceKey" AND n."rip" = h."rip" AND n."port" = h."port"
               AND n."at" < $1 AND (n."at" > h."at" OR (n."at" = h."at" AND n."id" > h."id")))`,
      new Date(before),
    );
  }

  async count(): Promise<number> {
    return this.prisma.statsRollup.count();
  }
}
