/**
 * deploy.* over tRPC in process: roles (viewer reads, operator plans/applies/drains), input errors
 * naming the field, and that a save alone sets no director's target while applyRevision does.
 */
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "../../db/openDatabase.ts";
import { MemoryEventBus } from "../../events/MemoryEventBus.ts";
import { createLogger } from "../../log.ts";
import { appRouter } from "../root.ts";
import { createCallerFactory } from "../trpc.ts";
import { sampleTopology, testSession } from "../testFixtures.ts";

const log = createLogger("silent");
const createCaller = createCallerFactory(appRouter);

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return "OK";
  } catch (err) {
    if (err instanceof TRPCError) return err.code;
    throw err;
  }
}

describe("deploy router (PGlite)", () => {
  let db: Database;
  let bus: MemoryEventBus;
  let operator: ReturnType<typeof createCaller>;
  let viewer: ReturnType<typeof createCaller>;
  let topologyId: string;
  let rev: number;

  beforeAll(async () => {
    db = await openDatabase({ DATABASE_URL: "pglite:memory" });
    await db.migrate();
    bus = new MemoryEventBus(log);
    const base = { db, bus, log, ip: "127.0.0.9", now: Date.now };
    operator = createCaller({ ...base, session: await testSession(db, "operator") });
    viewer = createCaller({ ...base, session: await testSession(db, "viewer") });
    const t = await operator.topology.create({ name: "deploy-router" });
    topologyId = t.id;
    rev = (await operator.topology.save({ id: t.id, expectedRevision: t.revision, document: sampleTopology("deploy-router"), message: "two directors" })).revision;
  }, 60_000);
  afterAll(async () => {
    await bus?.close();
    await db?.close();
  });

  it("a viewer reads revisions, diffs, drift, rollouts and drains but cannot plan, apply, roll back or drain", async () => {
    expect(await code(viewer.deploy.revisions({ topologyId }))).toBe("OK");
    expect(await code(viewer.deploy.diff({ topologyId, from: 1, to: rev }))).toBe("OK");
    expect(await code(viewer.deploy.drift({ topologyId }))).toBe("OK");
    expect(await code(viewer.deploy.rollouts({ topologyId }))).toBe("OK");
    expect(await code(viewer.deploy.drains({ topologyId }))).toBe("OK");
    expect(await code(viewer.deploy.plan({ topologyId }))).toBe("FORBIDDEN");
    expect(await code(viewer.deploy.applyRevision({ topologyId }))).toBe("FORBIDDEN");
    expect(await code(viewer.deploy.rollback({ topologyId, revision: 1 }))).toBe("FORBIDDEN");
    expect(await code(viewer.deploy.reapply({ topologyId, directors: ["d1"] }))).toBe("FORBIDDEN");
    expect(await code(viewer.deploy.importActual({ topologyId, directorKey: "d1" }))).toBe("FORBIDDEN");
    expect(await code(viewer.deploy.drain({ topologyId, subject: { kind: "realServer", key: "rs1" } }))).toBe("FORBIDDEN");
    expect(await code(viewer.deploy.forceDrain({ drainId: "x" }))).toBe("FORBIDDEN");
    expect(await code(viewer.deploy.enable({ drainId: "x" }))).toBe("FORBIDDEN");
    const denied = await db.prisma.auditEvent.count({ where: { outcome: "denied", action: { startsWith: "deploy." } } });
    expect(denied).toBe(8);
  });

  it("an operator plans (every op from an empty report) and applies; saving alone set no target", async () => {
    const rows = await db.prisma.director.findMany({ where: { topologyId } });
    expect(rows.map((r) => r.targetRevision)).toEqual([null, null]);
    const plan = await operator.deploy.plan({ topologyId });
    expect(plan.directors.map((d) => [d.key, d.basis, d.ops.length])).toEqual([["d1", "none", 3], ["d2", "none", 3]]);
    expect(plan.directors[0]!.ops[0]!.command).toBe("ipvsadm -A -t 127.0.10.1:80 -s wlc -p 360");
    const r = await operator.deploy.applyRevision({ topologyId, waitMs: 0 });
    expect(r).toMatchObject({ status: "pending", revision: rev, author: expect.stringContaining("@") });
    for (let i = 0; i < 50 && (await db.prisma.rollout.findUniqueOrThrow({ where: { id: r.id } })).finishedAt == null; i++) await new Promise((x) => setTimeout(x, 20));
    expect((await db.prisma.director.findMany({ where: { topologyId } })).map((d) => d.targetRevision)).toEqual([rev, rev]);
    expect((await operator.deploy.rollout({ id: r.id })).results.map((x) => x.status)).toEqual(["pending", "pending"]);
    const audit = await db.prisma.auditEvent.findFirstOrThrow({ where: { action: "deploy.apply" } });
    expect(audit).toMatchObject({ outcome: "success", sourceIp: "127.0.0.9", target: `topology:${topologyId}` });
  });

  it("a rollout left running by a stopped instance shows as interrupted once past its last possible end", async () => {
    const results = [{ directorId: "x", key: "d1", name: "lvs-a", status: "applying", appliedRevision: null, message: null, errors: [], startedAt: 1, finishedAt: null }];
    const row = await db.prisma.rollout.create({
      data: { topologyId, revision: rev, kind: "apply", mode: "sequential", status: "running", waitMs: 1000, results, createdAt: new Date(Date.now() - 15_000) },
    });
    // 15 s ago + 1 s wait + 20 s slack: still running
    expect((await operator.deploy.rollout({ id: row.id })).status).toBe("running");
    await db.prisma.rollout.update({ where: { id: row.id }, data: { createdAt: new Date(Date.now() - 22_000) } });
    const r = await operator.deploy.rollout({ id: row.id });
    expect(r.status).toBe("failed");
    expect(r.results[0]).toMatchObject({ status: "timeout", message: expect.stringMatching(/^interrupted/) });
  });

  it("input errors name the field", async () => {
    await expect(operator.deploy.applyRevision({ topologyId, waitMs: -1 })).rejects.toThrow(/waitMs/);
    await expect(operator.deploy.rollback({ topologyId, revision: 99 })).rejects.toThrow(/no revision 99/);
    await expect(operator.deploy.applyRevision({ topologyId, directors: ["nope"] })).rejects.toThrow(/directors\.0: director "nope"/);
    await expect(operator.deploy.diff({ topologyId, from: 1, to: 42 })).rejects.toThrow(/no revision 42/);
    await expect(operator.deploy.drain({ topologyId, subject: { kind: "membership", key: "m3" } })).rejects.toThrow(/no active membership/);
    await expect(operator.deploy.importActual({ topologyId, directorKey: "d1" })).rejects.toThrow(/has not reported a table yet/);
  });
});
