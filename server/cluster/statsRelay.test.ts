import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StatsSnapshot } from "../../lvs/model.ts";
import { NO_POSTGRES_REASON, TEST_DATABASE_URL } from "../db/testDatabase.ts";
import { createLogger } from "../log.ts";
import { PgStatsRelay } from "./statsRelay.ts";

const log = createLogger("silent");

function snapshot(services: number, at: number): StatsSnapshot {
  return {
    at,
    services: Array.from({ length: services }, (_, s) => ({
      key: { protocol: "tcp" as const, family: "inet" as const, address: `10.1.${s >> 8}.${s & 255}`, port: 80 },
      counters: { conns: s, inPkts: at % 1000, outPkts: 0, inBytes: s * at, outBytes: 0 },
      rates: { cps: 1, inPps: 2, outPps: 0, inBps: 3, outBps: 0 },
      destinations: Array.from({ length: 10 }, (_, d) => ({
        address: `192.168.${s & 255}.${d + 1}`, port: 8080, weight: 1, activeConns: d, inactConns: 0, persistConns: 0,
        counters: { conns: d * at, inPkts: d, outPkts: 0, inBytes: d, outBytes: 0 }, rates: { cps: 0, inPps: 0, outPps: 0, inBps: 0, outBps: 0 },
      })),
    })),
  };
}

describe.skipIf(!TEST_DATABASE_URL)(`stats relay over PostgreSQL NOTIFY${TEST_DATABASE_URL ? "" : ` (${NO_POSTGRES_REASON})`}`, () => {
  let pool: pg.Pool;
  const relays: PgStatsRelay[] = [];
  const channel = `lvs_stats_t${process.pid}`;
  beforeAll(() => {
    pool = new pg.Pool({ connectionString: TEST_DATABASE_URL!, max: 4 });
  });
  afterAll(async () => {
    for (const r of relays) await r.close();
    await pool.end();
  });

  it("delivers another instance's big snapshots whole and in order, and not back to their sender", async () => {
    const a = new PgStatsRelay({ url: TEST_DATABASE_URL!, pool, instanceId: "inst-a", log, channel });
    const b = new PgStatsRelay({ url: TEST_DATABASE_URL!, pool, instanceId: "inst-b", log, channel });
    relays.push(a, b);
    await Promise.all([a.start(), b.start()]);
    const atA: string[] = [];
    const atB: Array<{ directorId: string; snapshot: StatsSnapshot }> = [];
    a.onRemote((d) => atA.push(d));
    b.onRemote((directorId, snap) => atB.push({ directorId, snapshot: snap }));
    const sent = [snapshot(100, 1000), snapshot(100, 2000), snapshot(3, 3000)];
    for (const s of sent) {
      a.publish("dir-1", s);
      const end = Date.now() + 10_000;
      while (atB.length < sent.indexOf(s) + 1 && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
    }
    expect({ got: atB.length, a: a.counters(), b: b.counters() }).toMatchObject({ got: 3 });
    expect(atB.map((x) => x.snapshot)).toEqual(sent);
    expect(atB.every((x) => x.directorId === "dir-1")).toBe(true);
    expect(atA).toEqual([]);
    expect(b.counters()).toMatchObject({ received: 3, lost: 0 });
    const end = Date.now() + 5000;
    while (a.counters().published < 3 && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
    expect(a.counters()).toMatchObject({ published: 3, publishFailed: 0 });
  });

  it("under a burst, one frame per director is in flight and the latest waiting one replaces older ones", async () => {
    const a = new PgStatsRelay({ url: TEST_DATABASE_URL!, pool, instanceId: "inst-c", log, channel });
    const b = new PgStatsRelay({ url: TEST_DATABASE_URL!, pool, instanceId: "inst-d", log, channel });
    relays.push(a, b);
    await Promise.all([a.start(), b.start()]);
    const got: number[] = [];
    b.onRemote((d, snap) => { if (d === "dir-2") got.push(snap.at); });
    for (let i = 1; i <= 20; i++) a.publish("dir-2", snapshot(5, i));
    const end = Date.now() + 10_000;
    while (got.at(-1) !== 20 && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
    expect(got[0]).toBe(1);
    expect(got.at(-1)).toBe(20); // the latest always arrives
    expect([...got].sort((x, y) => x - y)).toEqual(got); // never out of order
    expect(a.counters().superseded).toBe(20 - got.length);
    expect(b.counters().lost).toBe(0);
  });
});
