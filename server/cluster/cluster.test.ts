import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "../db/openDatabase.ts";
import { createTestPostgres, TEST_DATABASE_URL, type TestPostgres } from "../db/testDatabase.ts";
import { MemoryEventBus } from "../events/MemoryEventBus.ts";
import { createLogger } from "../log.ts";
import { Cluster, LEADER_LEASE } from "./cluster.ts";
import { PrismaClusterStore } from "./clusterStore.ts";

const log = createLogger("silent");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const kinds: Array<["pglite" | "postgres", boolean]> = [["pglite", true], ["postgres", !!TEST_DATABASE_URL]];

describe.each(kinds)("cluster leases on %s", (kind, enabled) => {
  let db: Database;
  let pgdb: TestPostgres | null = null;
  let directorIds: string[] = [];

  beforeAll(async () => {
    if (!enabled) return;
    if (kind === "postgres") pgdb = await createTestPostgres();
    db = await openDatabase({ DATABASE_URL: pgdb ? pgdb.url : "pglite:memory" });
    await db.migrate();
    const t = await db.prisma.topology.create({ data: { name: `cluster-${kind}`, document: {} } });
    directorIds = [];
    for (const key of ["d1", "d2", "d3"]) {
      const d = await db.prisma.director.create({ data: { topologyId: t.id, key, name: key, interfaces: [] } });
      directorIds.push(d.id);
    }
  }, 60_000);
  afterAll(async () => {
    if (!enabled) return;
    await db.close();
    await pgdb?.drop();
  });

  it.skipIf(!enabled)("an agent lease: the newest connection wins, only its holder releases it, renewals report what is still held", async () => {
    const s = new PrismaClusterStore(db.prisma);
    const [d1, d2] = directorIds as [string, string];
    expect(await s.acquireAgent(d1, { instanceId: "A", connectionId: "a1" }, 10_000)).toBeNull();
    expect(await s.acquireAgent(d2, { instanceId: "A", connectionId: "a2" }, 10_000)).toBeNull();
    // the agent of d1 reconnects through another instance
    expect(await s.acquireAgent(d1, { instanceId: "B", connectionId: "b1" }, 10_000)).toEqual({ instanceId: "A", connectionId: "a1" });
    expect(await s.agentHolder(d1)).toEqual({ instanceId: "B", connectionId: "b1" });
    expect((await s.renewAgents("A", 10_000)).map((h) => h.connectionId)).toEqual(["a2"]);
    // A's old socket closes late: it no longer holds the lease, so the director stays B's (online)
    expect(await s.releaseAgent(d1, "a1")).toBe(false);
    expect(await s.releaseAgent(d1, "b1")).toBe(true);
    expect(await s.agentHolder(d1)).toBeNull();
    expect(await s.releaseAgent(d2, "a2")).toBe(true);
    // a lease swept while its instance stalled is taken back only while nobody else holds it
    expect(await s.reacquireAgent(d2, { instanceId: "A", connectionId: "a2" }, 10_000)).toBe(true);
    expect(await s.reacquireAgent(d2, { instanceId: "B", connectionId: "b2" }, 10_000)).toBe(false);
    expect(await s.agentHolder(d2)).toEqual({ instanceId: "A", connectionId: "a2" });
    expect(await s.releaseAgent(d2, "a2")).toBe(true);
  });

  it.skipIf(!enabled)("the sweep drops expired leases and shows their directors offline, leaving held ones online", async () => {
    const s = new PrismaClusterStore(db.prisma);
    const [d1, d2, d3] = directorIds as [string, string, string];
    await db.prisma.director.updateMany({ where: { id: { in: directorIds } }, data: { online: true } });
    await s.acquireAgent(d1, { instanceId: "A", connectionId: "x1" }, 1); // its instance died: expires at once
    await s.acquireAgent(d2, { instanceId: "B", connectionId: "x2" }, 60_000);
    // d3: online without any lease (an instance died before it could even renew)
    await sleep(20);
    const gone = await s.sweep(60_000);
    expect(gone.map((g) => g.directorId).sort()).toEqual([d1, d3].sort());
    const online = await db.prisma.director.findMany({ where: { id: { in: directorIds } }, select: { id: true, online: true } });
    expect(Object.fromEntries(online.map((o) => [o.id, o.online]))).toEqual({ [d1]: false, [d2]: true, [d3]: false });
    expect(await s.agentHolder(d1)).toBeNull();
    await s.releaseAgent(d2, "x2");
  });

  it.skipIf(!enabled)("named leases: one holder at a time, taken over once it expires", async () => {
    const s = new PrismaClusterStore(db.prisma);
    expect(await s.tryHold("job", "A", 200)).toBe(true);
    expect(await s.tryHold("job", "B", 200)).toBe(false);
    expect(await s.tryHold("job", "A", 200)).toBe(true); // renewal
    await sleep(250);
    expect(await s.tryHold("job", "B", 200)).toBe(true);
    expect(await s.tryHold("job", "A", 200)).toBe(false);
    await s.release("job", "B");
    expect(await s.tryHold("job", "A", 200)).toBe(true);
    await s.release("job", "A");
  });

  it.skipIf(!enabled)("two instances: exactly one leads; when the leader stops renewing, the other takes over", async () => {
    const store = new PrismaClusterStore(db.prisma);
    const bus = new MemoryEventBus(log);
    const a = new Cluster({ store, bus, log, hostname: "a", instanceId: "inst-a", tickMs: 60_000, leaderTtlMs: 300 });
    const b = new Cluster({ store, bus, log, hostname: "b", instanceId: "inst-b", tickMs: 60_000, leaderTtlMs: 300 });
    await a.tick();
    await b.tick();
    expect([a.isLeader(), b.isLeader()]).toEqual([true, false]);
    await a.tick();
    await b.tick();
    expect([a.isLeader(), b.isLeader()]).toEqual([true, false]);
    // a is killed (no more rounds, no release): b leads after the lease expires
    await sleep(350);
    const changes: boolean[] = [];
    b.onLeadership((l) => changes.push(l));
    await b.tick();
    expect(b.isLeader()).toBe(true);
    expect(changes).toEqual([false, true]);
    await b.close(); // releases at once
    const c = new Cluster({ store, bus, log, hostname: "c", instanceId: "inst-c", tickMs: 60_000, leaderTtlMs: 300 });
    await c.tick();
    expect(c.isLeader()).toBe(true);
    await c.close();
    expect(await store.tryHold(LEADER_LEASE, "someone", 100)).toBe(true);
    await store.release(LEADER_LEASE, "someone");
    await bus.close();
  });

  it.skipIf(!enabled)("the leader's sweep publishes director.status offline for directors whose instance died", async () => {
    const store = new PrismaClusterStore(db.prisma);
    const bus = new MemoryEventBus(log);
    const [d1] = directorIds as [string];
    await db.prisma.director.update({ where: { id: d1 }, data: { online: true } });
    await store.acquireAgent(d1, { instanceId: "dead", connectionId: "z" }, 1);
    await sleep(10);
    const events: Array<{ directorId: string; online: boolean }> = [];
    bus.subscribe("director.status", (e) => events.push(e));
    const leader = new Cluster({ store, bus, log, hostname: "l", instanceId: "inst-l", tickMs: 60_000, leaderTtlMs: 5000 });
    await leader.tick();
    await sleep(10);
    expect(events).toEqual([expect.objectContaining({ directorId: d1, online: false })]);
    await leader.close();
    await bus.close();
  });
});
