/**
 * What a save may not do below the admin role: attach or change an exec health check (it runs a
 * program on every director), or drop an enrolled director (it deletes the director and its token).
 * Both are refused (403 / 409), audited, and leave the topology unchanged.
 */
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HealthCheck, Topology } from "../../../lvs/model.ts";
import { openDatabase, type Database } from "../../db/openDatabase.ts";
import { createTestPostgres, NO_POSTGRES_REASON, TEST_DATABASE_URL, type TestPostgres } from "../../db/testDatabase.ts";
import { MemoryEventBus } from "../../events/MemoryEventBus.ts";
import { createLogger } from "../../log.ts";
import { appRouter } from "../root.ts";
import { createCallerFactory } from "../trpc.ts";
import { sampleTopology, testSession } from "../testFixtures.ts";

const log = createLogger("silent");
const createCaller = createCallerFactory(appRouter);
const timing = { intervalMs: 2000, timeoutMs: 1000, rise: 1, fall: 1, onFailure: "quiesce" as const };
const exec = (check: string, args: string[] = []): HealthCheck => ({ kind: "exec", check, args, ...timing });
const withServiceCheck = (doc: Topology, hc: HealthCheck | null): Topology => ({ ...doc, services: doc.services.map((s, i) => (i === 0 ? { ...s, healthCheck: hc } : s)) });

async function trpcError(p: Promise<unknown>): Promise<TRPCError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof TRPCError) return err;
    throw err;
  }
  throw new Error("expected a TRPCError");
}

const kinds = [
  { kind: "pglite" as const, skip: false },
  { kind: "postgres" as const, skip: !TEST_DATABASE_URL },
];

describe.each(kinds)(`privileged changes in a save on $kind${TEST_DATABASE_URL ? "" : ` (postgres skipped: ${NO_POSTGRES_REASON})`}`, ({ kind, skip }) => {
  let db: Database;
  let pgdb: TestPostgres | null = null;
  let admin: ReturnType<typeof createCaller>;
  let operator: ReturnType<typeof createCaller>;

  beforeAll(async () => {
    if (skip) return;
    if (kind === "postgres") pgdb = await createTestPostgres();
    db = await openDatabase({ DATABASE_URL: pgdb ? pgdb.url : "pglite:memory" });
    await db.migrate();
    const bus = new MemoryEventBus(log);
    admin = createCaller({ db, bus, log, session: await testSession(db, "admin"), ip: null, now: () => 1_000 });
    operator = createCaller({ db, bus, log, session: await testSession(db, "operator"), ip: null, now: () => 1_000 });
  }, 60_000);
  afterAll(async () => {
    await db?.close();
    await pgdb?.drop();
  });

  const failures = async (action: string) =>
    db.prisma.auditEvent.findMany({ where: { action, outcome: "failure" }, orderBy: { at: "asc" } });

  it.skipIf(skip)("an operator cannot attach or change an exec check; an admin can; other edits stay open to operators", async () => {
    const t = await operator.topology.create({ name: "exec-checks" });
    const base = sampleTopology("exec-checks");
    const s2 = await operator.topology.save({ id: t.id, expectedRevision: 1, document: base, message: "" });

    const before = (await failures("topology.save")).length;
    const refused = await trpcError(operator.topology.save({ id: t.id, expectedRevision: s2.revision, document: withServiceCheck(base, exec("check_http")), message: "" }));
    expect(refused.code).toBe("FORBIDDEN");
    expect(refused.message).toContain("exec");
    const memberExec: Topology = { ...base, memberships: base.memberships.map((m, i) => (i === 2 ? { ...m, healthCheck: exec("check_dns") } : m)) };
    expect((await trpcError(operator.topology.save({ id: t.id, expectedRevision: s2.revision, document: memberExec, message: "" }))).code).toBe("FORBIDDEN");
    expect((await operator.topology.get({ id: t.id })).revision).toBe(s2.revision);
    const audit = await failures("topology.save");
    expect(audit.length).toBe(before + 2);
    expect(JSON.stringify(audit.at(-1)!.diff)).toContain("exec");

    const s3 = await admin.topology.save({ id: t.id, expectedRevision: s2.revision, document: withServiceCheck(base, exec("check_http", ["/health"])), message: "" });
    // operators keep editing everything else of a topology that has one
    const renamed = withServiceCheck({ ...base, services: base.services.map((s, i) => (i === 1 ? { ...s, description: "edited" } : s)) }, exec("check_http", ["/health"]));
    const s4 = await operator.topology.save({ id: t.id, expectedRevision: s3.revision, document: renamed, message: "" });
    // ... and may remove it, but not point it at another program or change its arguments
    expect((await trpcError(operator.topology.save({ id: t.id, expectedRevision: s4.revision, document: withServiceCheck(renamed, exec("check_http", ["/other"])), message: "" }))).code).toBe("FORBIDDEN");
    expect((await trpcError(operator.topology.save({ id: t.id, expectedRevision: s4.revision, document: withServiceCheck(renamed, exec("other")), message: "" }))).code).toBe("FORBIDDEN");
    const retimed = withServiceCheck(renamed, { ...exec("check_http", ["/health"]), intervalMs: 5000 });
    const s5 = await operator.topology.save({ id: t.id, expectedRevision: s4.revision, document: retimed, message: "" });
    await operator.topology.save({ id: t.id, expectedRevision: s5.revision, document: withServiceCheck(renamed, null), message: "" });
  });

  it.skipIf(skip)("stored documents with a legacy shell-command exec check read back as a named check", async () => {
    const t = await admin.topology.create({ name: "legacy" });
    const doc = withServiceCheck(sampleTopology("legacy"), exec("placeholder"));
    const s2 = await admin.topology.save({ id: t.id, expectedRevision: 1, document: doc, message: "" });
    const legacy = JSON.parse(JSON.stringify(doc).replace('"check":"placeholder","args":[]', '"command":"/usr/local/bin/check_web --fast"')) as Topology;
    await db.prisma.topology.update({ where: { id: t.id }, data: { document: legacy as never } });
    await db.prisma.topologyRevision.update({ where: { topologyId_revision: { topologyId: t.id, revision: s2.revision } }, data: { snapshot: legacy as never } });
    const got = await operator.topology.get({ id: t.id });
    expect(got.document.services[0]!.healthCheck).toMatchObject({ kind: "exec", check: "check_web", args: ["--fast"] });
    expect(JSON.stringify(got.document)).not.toContain("command");
    // an operator saving it back unchanged (converted) is not "changing" the exec check
    await operator.topology.save({ id: t.id, expectedRevision: s2.revision, document: got.document, message: "" });
  });

  it.skipIf(skip)("a save cannot drop an enrolled director (its token would go); removing one is an admin action", async () => {
    const t = await admin.topology.create({ name: "enrolled" });
    const doc = sampleTopology("enrolled");
    const s2 = await admin.topology.save({ id: t.id, expectedRevision: 1, document: doc, message: "" });
    const { director } = await admin.director.create({ topologyId: t.id, key: "d1" });
    const without: Topology = { ...doc, directors: doc.directors.filter((d) => d.id !== "d1"), services: doc.services.map((s) => ({ ...s, directorIds: s.directorIds.filter((d) => d !== "d1") })) };

    const refused = await trpcError(operator.topology.save({ id: t.id, expectedRevision: s2.revision, document: without, message: "" }));
    expect(refused.code).toBe("CONFLICT");
    expect(refused.message).toContain("lvs-a");
    expect((await trpcError(admin.topology.save({ id: t.id, expectedRevision: s2.revision, document: without, message: "" }))).code).toBe("CONFLICT");
    expect(await db.prisma.director.findUnique({ where: { id: director.id } })).toMatchObject({ key: "d1" });
    // dropping the director that is not enrolled is an ordinary edit
    const withoutD2: Topology = { ...doc, directors: doc.directors.filter((d) => d.id !== "d2"), services: doc.services.map((s) => ({ ...s, directorIds: s.directorIds.filter((d) => d !== "d2") })) };
    const s3 = await operator.topology.save({ id: t.id, expectedRevision: s2.revision, document: withoutD2, message: "" });

    expect((await trpcError(operator.director.remove({ topologyId: t.id, key: "d1", expectedRevision: s3.revision }))).code).toBe("FORBIDDEN");
    const removed = await admin.director.remove({ topologyId: t.id, key: "d1", expectedRevision: s3.revision });
    expect(removed.revision).toBe(s3.revision + 1);
    expect(await db.prisma.director.findUnique({ where: { id: director.id } })).toBeNull();
    const after = await admin.topology.get({ id: t.id });
    expect(after.document.directors.map((d) => d.id)).toEqual([]);
    expect(after.document.services.every((s) => !s.directorIds.includes("d1"))).toBe(true);
    const audit = await db.prisma.auditEvent.findMany({ where: { action: "director.remove" }, orderBy: { at: "asc" } });
    expect(audit.map((a) => a.outcome)).toEqual(["denied", "success"]);
  });

  it.skipIf(skip)("a director enrolled before it is in the design survives an operator's save (the agent keeps its token)", async () => {
    const t = await admin.topology.create({ name: "ahead" });
    const { director } = await admin.director.create({ topologyId: t.id, key: "edge-1" });
    await operator.topology.save({ id: t.id, expectedRevision: 1, document: sampleTopology("ahead"), message: "" });
    expect(await db.prisma.director.findUnique({ where: { id: director.id } })).toMatchObject({ key: "edge-1", agentTokenHash: expect.any(String) });
  });
});
