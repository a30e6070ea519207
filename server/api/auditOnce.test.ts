/**
 * Audit rule (ARCHITECTURE.md, "Audit"): services write audit rows, routers never do, and each
 * mutation call writes exactly one row for itself -- success, or failure when the service refuses it
 * (a rollout's row is written when it ends). Every call below counts the rows it added.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { openDatabase, type Database } from "../db/openDatabase.ts";
import { MemoryEventBus } from "../events/MemoryEventBus.ts";
import { createLogger } from "../log.ts";
import { appRouter } from "./root.ts";
import { createCallerFactory } from "./trpc.ts";
import { sampleTopology, testSession } from "./testFixtures.ts";

const log = createLogger("silent");
const createCaller = createCallerFactory(appRouter);

describe("one audit row per mutation call (PGlite)", () => {
  let db: Database;
  let bus: MemoryEventBus;
  let admin: ReturnType<typeof createCaller>;

  beforeAll(async () => {
    db = await openDatabase({ DATABASE_URL: "pglite:memory" });
    await db.migrate();
    bus = new MemoryEventBus(log);
    admin = createCaller({ db, bus, log, ip: "127.0.0.9", now: Date.now, session: await testSession(db, "admin") });
  }, 180_000);
  afterAll(async () => {
    await bus?.close();
    await db?.close();
  });

  /** runs `call` and returns the audit rows it added, as "action outcome" */
  async function rowsOf(call: () => Promise<unknown>): Promise<string[]> {
    const last = (await db.prisma.auditEvent.findFirst({ orderBy: { id: "desc" }, select: { id: true } }))?.id;
    await call().catch(() => undefined);
    const rows = await db.prisma.auditEvent.findMany({ where: last === undefined ? {} : { id: { gt: last } }, orderBy: { id: "asc" } });
    return rows.map((r) => `${r.action} ${r.outcome}`);
  }

  it("topology and director use cases: one row each, success or failure", async () => {
    let topologyId = "";
    expect(await rowsOf(async () => { topologyId = (await admin.topology.create({ name: "audit-once" })).id; })).toEqual(["topology.create success"]);
    expect(await rowsOf(() => admin.topology.create({ name: "audit-once" }))).toEqual(["topology.create failure"]);
    expect(await rowsOf(() => admin.topology.save({ id: topologyId, expectedRevision: 1, document: sampleTopology("audit-once"), message: "" }))).toEqual(["topology.save success"]);
    expect(await rowsOf(() => admin.topology.save({ id: topologyId, expectedRevision: 1, document: sampleTopology("audit-once"), message: "" }))).toEqual(["topology.save failure"]);
    let directorId = "";
    expect(await rowsOf(async () => { directorId = (await admin.director.create({ topologyId, key: "d1" })).director.id; })).toEqual(["director.enroll success"]);
    expect(await rowsOf(() => admin.director.create({ topologyId, key: "d1" }))).toEqual(["director.enroll failure"]);
    expect(await rowsOf(() => admin.director.rotateToken({ id: "no-such-director" }))).toEqual(["director.rotateToken failure"]);
    expect(await rowsOf(() => admin.director.revokeToken({ id: directorId }))).toEqual(["director.revokeToken success"]);
    expect(await rowsOf(() => admin.director.remove({ topologyId, key: "d1", expectedRevision: 1 }))).toEqual(["director.remove failure"]);
  });

  it("deploy use cases: refusals before any rollout exists are audited too", async () => {
    const t = await admin.topology.create({ name: "audit-deploy" });
    await admin.topology.save({ id: t.id, expectedRevision: 1, document: sampleTopology("audit-deploy"), message: "" });
    expect(await rowsOf(() => admin.deploy.plan({ topologyId: t.id }))).toEqual(["deploy.plan success"]);
    expect(await rowsOf(() => admin.deploy.plan({ topologyId: t.id, revision: 99 }))).toEqual(["deploy.plan failure"]);
    expect(await rowsOf(() => admin.deploy.applyRevision({ topologyId: t.id, directors: ["nope"] }))).toEqual(["deploy.apply failure"]);
    expect(await rowsOf(() => admin.deploy.rollback({ topologyId: t.id, revision: 99 }))).toEqual(["deploy.rollback failure"]);
    expect(await rowsOf(() => admin.deploy.reapply({ topologyId: t.id, directors: ["d1"] }))).toEqual(["deploy.reapply failure"]);
    expect(await rowsOf(() => admin.deploy.importActual({ topologyId: t.id, directorKey: "nope" }))).toEqual(["deploy.importActual failure"]);
    expect(await rowsOf(() => admin.deploy.forceDrain({ drainId: "no-such-drain" }))).toEqual(["realServer.drain.force failure"]);
    expect(await rowsOf(() => admin.deploy.enable({ drainId: "no-such-drain" }))).toEqual(["realServer.enable failure"]);
    expect(await rowsOf(() => admin.deploy.drain({ topologyId: t.id, subject: { kind: "membership", key: "m3" } }))).toEqual(["realServer.drain failure"]);

    // a rollout that runs: its one row is written when it ends
    const added = await rowsOf(async () => {
      const r = await admin.deploy.applyRevision({ topologyId: t.id, waitMs: 0 });
      await vi.waitFor(async () => expect((await admin.deploy.rollout({ id: r.id })).finishedAt).not.toBeNull(), { timeout: 20_000, interval: 50 });
      await vi.waitFor(async () => expect(await db.prisma.auditEvent.count({ where: { action: "deploy.apply", outcome: "success" } })).toBe(1), { timeout: 20_000, interval: 50 });
    });
    expect(added).toEqual(["deploy.apply success"]);
  });
});
