/**
 * Health-transition retention (RollupWriter.prune → RollupRepository.pruneHealth) on PGlite and, when
 * TEST_DATABASE_URL is set, real PostgreSQL: rows older than the retention go, except each real
 * server's newest one before the cutoff, so current health (healthQuery currentHealth) is kept and
 * the state at the cutoff stays known. Injected clock.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "../db/openDatabase.ts";
import { createTestPostgres, NO_POSTGRES_REASON, TEST_DATABASE_URL, type TestPostgres } from "../db/testDatabase.ts";
import { createLogger } from "../log.ts";
import { currentHealth } from "./healthQuery.ts";
import { RollupRepository } from "./rollupRepository.ts";
import { HEALTH_RETENTION_MS, RollupWriter } from "./rollupWriter.ts";
import { StatsStore } from "./statsStore.ts";

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 10, 30, 9, 0, 0);
const kinds = [
  { kind: "pglite" as const, skip: false },
  { kind: "postgres" as const, skip: !TEST_DATABASE_URL },
];

describe.each(kinds)(`health transition retention on $kind${TEST_DATABASE_URL ? "" : ` (postgres skipped: ${NO_POSTGRES_REASON})`}`, ({ kind, skip }) => {
  let db: Database;
  let pgdb: TestPostgres | null = null;
  let directorId = "";
  beforeAll(async () => {
    if (skip) return;
    if (kind === "postgres") pgdb = await createTestPostgres();
    db = await openDatabase({ DATABASE_URL: pgdb ? pgdb.url : "pglite:memory" });
    await db.migrate();
    const topo = await db.prisma.topology.create({ data: { name: "retention", document: {} } });
    directorId = (await db.prisma.director.create({ data: { topologyId: topo.id, key: "d1", name: "lvs-a", interfaces: [] } })).id;
  }, 60_000);
  afterAll(async () => {
    await db?.close();
    await pgdb?.drop();
  });

  it.skipIf(skip)("prunes old transitions but keeps each real server's newest one before the cutoff, and every newer one", async () => {
    const sk = "tcp|10.0.0.1|80";
    const row = (rip: string, from: "up" | "down" | "unknown", to: "up" | "down", daysAgo: number) =>
      ({ directorId, serviceKey: sk, rip, port: 80, from, to, at: new Date(NOW - daysAgo * DAY) });
    await db.prisma.healthTransition.createMany({ data: [
      // .1: flapped long ago, last went down 500 days ago and stayed down (its current health)
      row("10.0.0.1", "up", "down", 700), row("10.0.0.1", "down", "up", 650), row("10.0.0.1", "up", "down", 500),
      // .2: old history, then recent transitions inside the retention
      row("10.0.0.2", "up", "down", 600), row("10.0.0.2", "down", "up", 450), row("10.0.0.2", "up", "down", 10), row("10.0.0.2", "down", "up", 9),
      // .3: only recent
      row("10.0.0.3", "unknown", "down", 1),
    ] });
    const before = await currentHealth(db.prisma, [directorId]);
    const writer = new RollupWriter({
      store: new StatsStore(), repo: new RollupRepository(db.prisma), log: createLogger("silent"), now: () => NOW, retentionMs: 48 * 3600_000,
    });
    expect(HEALTH_RETENTION_MS).toBe(400 * DAY);
    await writer.prune();
    expect(writer.prunedHealth).toBe(3);
    const left = await db.prisma.healthTransition.findMany({ orderBy: [{ rip: "asc" }, { at: "asc" }], select: { rip: true, to: true, at: true } });
    expect(left.map((r) => [r.rip, r.to, Math.round((NOW - r.at.getTime()) / DAY)])).toEqual([
      ["10.0.0.1", "down", 500],
      ["10.0.0.2", "up", 450], ["10.0.0.2", "down", 10], ["10.0.0.2", "up", 9],
      ["10.0.0.3", "down", 1],
    ]);
    // current health is unchanged
    expect(await currentHealth(db.prisma, [directorId])).toEqual(before);
    // pruning again removes nothing; a shorter retention keeps the newest one before its cutoff
    await writer.prune();
    expect(writer.prunedHealth).toBe(3);
    const short = new RollupWriter({
      store: new StatsStore(), repo: new RollupRepository(db.prisma), log: createLogger("silent"), now: () => NOW, retentionMs: 48 * 3600_000, healthRetentionMs: 5 * DAY,
    });
    await short.prune();
    expect(short.prunedHealth).toBe(2);
    const kept = await db.prisma.healthTransition.findMany({ where: { rip: "10.0.0.2" }, orderBy: { at: "asc" }, select: { to: true } });
    expect(kept.map((r) => r.to)).toEqual(["up"]);
    expect(await currentHealth(db.prisma, [directorId])).toEqual(before);
  });
});
