import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Topology } from "../../../lvs/model.ts";
import { unpackTopology } from "../../../lvs/packedTopology.ts";
import { openDatabase, type Database } from "../../db/openDatabase.ts";
import { createTestPostgres, NO_POSTGRES_REASON, TEST_DATABASE_URL, type TestPostgres } from "../../db/testDatabase.ts";
import type { EventPayload } from "../../events/channels.ts";
import { MemoryEventBus } from "../../events/MemoryEventBus.ts";
import { createLogger } from "../../log.ts";
import { appRouter } from "../root.ts";
import { createCallerFactory } from "../trpc.ts";
import { sampleTopology, testSession } from "../testFixtures.ts";

const log = createLogger("silent");
const createCaller = createCallerFactory(appRouter);

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

describe.each(kinds)(`topology router on $kind${TEST_DATABASE_URL ? "" : ` (postgres skipped: ${NO_POSTGRES_REASON})`}`, ({ kind, skip }) => {
  let db: Database;
  let pgdb: TestPostgres | null = null;
  let bus: MemoryEventBus;
  const events: EventPayload<"topology.saved">[] = [];
  let caller: ReturnType<typeof createCaller>;

  beforeAll(async () => {
    if (skip) return;
    if (kind === "postgres") pgdb = await createTestPostgres();
    db = await openDatabase({ DATABASE_URL: pgdb ? pgdb.url : "pglite:memory" });
    await db.migrate();
    bus = new MemoryEventBus(log);
    bus.subscribe("topology.saved", (e) => events.push(e));
    caller = createCaller({ db, bus, log, session: await testSession(db), ip: null, now: () => 1_000 });
  });
  afterAll(async () => {
    await bus?.close();
    await db?.close();
    await pgdb?.drop();
  });

  it.skipIf(skip)("create, list, get: a new topology is empty at revision 1", async () => {
    const created = await caller.topology.create({ name: "lab" });
    expect(created).toMatchObject({ name: "lab", revision: 1, document: { name: "lab", directors: [], services: [], realServers: [], memberships: [], layout: {} } });
    await caller.topology.create({ name: "edge" });
    expect((await caller.topology.list()).map((t) => [t.name, t.revision])).toEqual([["edge", 1], ["lab", 1]]);
    const got = await caller.topology.get({ id: created.id });
    expect(got.document).toEqual(created.document);
    await vi.waitFor(() => expect(events).toContainEqual({ topologyId: created.id, revision: 1, author: "admin@test.invalid", at: 1_000 }));
  });

  it.skipIf(skip)("create with a used name is CONFLICT; a blank or oversize name is BAD_REQUEST", async () => {
    const dup = await trpcError(caller.topology.create({ name: "lab" }));
    expect(dup.code).toBe("CONFLICT");
    expect(dup.message).toContain('"lab" already exists');
    expect((await trpcError(caller.topology.create({ name: "   " }))).code).toBe("BAD_REQUEST");
    expect((await trpcError(caller.topology.create({ name: "x".repeat(129) }))).code).toBe("BAD_REQUEST");
  });

  it.skipIf(skip)("save stores the document byte-for-byte, a revision snapshot and the normalized rows", async () => {
    const t = await caller.topology.create({ name: "save-me" });
    const doc = sampleTopology("save-me");
    const saved = await caller.topology.save({ id: t.id, expectedRevision: 1, document: doc, message: "first design" });
    expect(saved.revision).toBe(2);
    const back = await caller.topology.get({ id: t.id });
    expect(JSON.stringify(back.document)).toBe(JSON.stringify(doc));
    // the editor's open: the same document, packed (lvs/packedTopology.ts)
    const { packed, ...opened } = await caller.topology.open({ id: t.id });
    expect(JSON.stringify(unpackTopology(JSON.parse(JSON.stringify(packed))))).toBe(JSON.stringify(doc));
    expect(opened).toEqual((({ document: _d, ...rest }) => rest)(back));

    const rev = await db.prisma.topologyRevision.findUniqueOrThrow({ where: { topologyId_revision: { topologyId: t.id, revision: 2 } } });
    expect(rev.message).toBe("first design");
    expect(JSON.stringify(rev.snapshot)).toBe(JSON.stringify(doc));

    const services = await db.prisma.virtualService.findMany({ where: { topologyId: t.id }, include: { placements: { include: { director: true } }, memberships: { include: { realServer: true } } }, orderBy: { key: "asc" } });
    expect(services.map((s) => [s.key, s.vip, s.port, s.fwmark, s.persistenceTimeout])).toEqual([["vs1", "127.0.10.1", 80, null, 360], ["vs2", null, null, 4294967295n, null]]);
    expect(services[0]!.placements.map((p) => p.director.key).sort()).toEqual(["d1", "d2"]);
    expect(services[0]!.memberships.map((m) => [m.key, m.realServer.rip, m.method, m.weight, m.state]).sort()).toEqual([
      ["m1", "127.0.30.1", "dr", 1, "active"],
      ["m2", "127.0.30.2", "nat", 3, "draining"],
    ]);
    expect(services[1]!.memberships[0]!.tunnel).toEqual({ type: "gue", port: 6080, checksum: "csum" });
    expect(await db.prisma.canvasPosition.count({ where: { topologyId: t.id } })).toBe(3);
  });

  it.skipIf(skip)("director rows keep their agent state across saves; removed objects disappear", async () => {
    const t = await caller.topology.create({ name: "agents" });
    const doc = sampleTopology("agents");
    await caller.topology.save({ id: t.id, expectedRevision: 1, document: doc, message: "" });
    const d1 = await db.prisma.director.findUniqueOrThrow({ where: { topologyId_key: { topologyId: t.id, key: "d1" } } });
    await db.prisma.director.update({ where: { id: d1.id }, data: { agentTokenHash: `hash-${kind}-${t.id}`, appliedRevision: 2 } });

    const next: Topology = { ...doc, directors: doc.directors.filter((d) => d.id === "d1").map((d) => ({ ...d, name: "renamed" })), services: doc.services.map((s) => ({ ...s, directorIds: s.directorIds.filter((d) => d !== "d2") })), memberships: doc.memberships.filter((m) => m.id !== "m2") };
    await caller.topology.save({ id: t.id, expectedRevision: 2, document: next, message: "" });
    const dirs = await db.prisma.director.findMany({ where: { topologyId: t.id } });
    expect(dirs.map((d) => [d.id, d.key, d.name, d.agentTokenHash, d.appliedRevision])).toEqual([[d1.id, "d1", "renamed", `hash-${kind}-${t.id}`, 2]]);
    expect((await db.prisma.membership.findMany({ where: { topologyId: t.id } })).map((m) => m.key).sort()).toEqual(["m1", "m3"]);
  });

  it.skipIf(skip)("a stale save is CONFLICT and leaves the first writer's data", async () => {
    const t = await caller.topology.create({ name: "race" });
    const first = sampleTopology("race");
    const second = { ...sampleTopology("race"), directors: [] as Topology["directors"], services: [] as Topology["services"], memberships: [] as Topology["memberships"] };
    await caller.topology.save({ id: t.id, expectedRevision: 1, document: first, message: "first" });
    const err = await trpcError(caller.topology.save({ id: t.id, expectedRevision: 1, document: second, message: "second" }));
    expect(err.code).toBe("CONFLICT");
    expect(err.message).toBe("topology was saved by someone else: current revision is 2");
    const stored = await caller.topology.get({ id: t.id });
    expect(stored.revision).toBe(2);
    expect(JSON.stringify(stored.document)).toBe(JSON.stringify(first));
    expect(await db.prisma.topologyRevision.count({ where: { topologyId: t.id } })).toBe(2);
    expect(await db.prisma.director.count({ where: { topologyId: t.id } })).toBe(2);
  });

  it.skipIf(skip)("concurrent saves of one revision: exactly one wins", async () => {
    const t = await caller.topology.create({ name: "concurrent" });
    const docs = [1, 2, 3].map((i) => ({ ...sampleTopology("concurrent"), layout: { d1: { x: i, y: i } } }));
    const results = await Promise.allSettled(docs.map((document) => caller.topology.save({ id: t.id, expectedRevision: 1, document, message: "" })));
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    for (const r of results) if (r.status === "rejected") expect((r.reason as TRPCError).code).toBe("CONFLICT");
    const stored = await caller.topology.get({ id: t.id });
    expect(stored.revision).toBe(2);
    const winner = docs[results.findIndex((r) => r.status === "fulfilled")]!;
    expect(stored.document).toEqual(winner);
  });

  it.skipIf(skip)("saving renames the topology; a name used by another topology is CONFLICT", async () => {
    await caller.topology.create({ name: "taken" });
    const t = await caller.topology.create({ name: "old-name" });
    await caller.topology.save({ id: t.id, expectedRevision: 1, document: sampleTopology("new-name"), message: "" });
    expect((await caller.topology.list()).map((x) => x.name)).toContain("new-name");
    const err = await trpcError(caller.topology.save({ id: t.id, expectedRevision: 2, document: sampleTopology("taken"), message: "" }));
    expect(err.code).toBe("CONFLICT");
    expect(err.message).toBe('a topology named "taken" already exists');
    expect((await caller.topology.get({ id: t.id })).revision).toBe(2);
  });

  it.skipIf(skip)("unknown id is NOT_FOUND for get and save", async () => {
    expect((await trpcError(caller.topology.get({ id: "nope" }))).code).toBe("NOT_FOUND");
    expect((await trpcError(caller.topology.open({ id: "nope" }))).code).toBe("NOT_FOUND");
    const err = await trpcError(caller.topology.save({ id: "nope", expectedRevision: 1, document: sampleTopology("x"), message: "" }));
    expect(err.code).toBe("NOT_FOUND");
  });

  it.skipIf(skip)("bad types, oversize input and dangling references are BAD_REQUEST naming the field", async () => {
    const t = await caller.topology.create({ name: "bad" });
    const bad = (document: unknown, extra: object = {}) => trpcError(caller.topology.save({ id: t.id, expectedRevision: 1, document, message: "", ...extra } as never));
    let err = await bad({ ...sampleTopology("bad"), directors: [{ ...sampleTopology().directors[0], interfaces: "eth0" }] });
    expect(err.code).toBe("BAD_REQUEST");
    err = await bad({ ...sampleTopology("bad"), realServers: Array.from({ length: 20001 }, () => sampleTopology().realServers[0]) });
    expect(err.code).toBe("BAD_REQUEST");
    err = await bad(sampleTopology("bad"), { message: "m".repeat(1025) });
    expect(err.code).toBe("BAD_REQUEST");
    err = await bad({ ...sampleTopology("bad"), memberships: [{ ...sampleTopology().memberships[0]!, serviceId: "ghost" }] });
    expect(err.code).toBe("BAD_REQUEST");
    expect(err.message).toBe('the document is inconsistent: document.memberships.0.serviceId: This link points at service "ghost", which does not exist; delete the link or restore the service.');
    err = await bad({ ...sampleTopology("bad"), directors: [sampleTopology().directors[0]!, sampleTopology().directors[0]!] });
    expect(err.message).toContain('document.directors.1.id: The id "d1" is used twice (directors and directors)');
    expect((await caller.topology.get({ id: t.id })).revision).toBe(1);
  });

  it.skipIf(skip)("create and save are audited with the user and a readable diff; a refused save is audited as a failure", async () => {
    const t = await caller.topology.create({ name: "audited" });
    const first = sampleTopology("audited");
    await caller.topology.save({ id: t.id, expectedRevision: 1, document: first, message: "first" });
    const second = { ...first, memberships: first.memberships.map((m) => (m.id === "m1" ? { ...m, weight: 5 } : m)) };
    await caller.topology.save({ id: t.id, expectedRevision: 2, document: second, message: "weight" });
    await trpcError(caller.topology.save({ id: t.id, expectedRevision: 2, document: second, message: "stale" }));
    const rows = await db.prisma.auditEvent.findMany({ where: { OR: [{ target: `topology:${t.id}` }, { target: "topology:audited" }] }, orderBy: { id: "asc" } });
    expect(rows.map((r) => [r.action, r.outcome, r.actor])).toEqual([
      ["topology.create", "success", "admin@test.invalid"],
      ["topology.save", "success", "admin@test.invalid"],
      ["topology.save", "success", "admin@test.invalid"],
      ["topology.save", "failure", "admin@test.invalid"],
    ]);
    expect(rows[2]!.diff).toEqual({ revision: { from: 2, to: 3 }, message: "weight", changes: ["~ TCP 127.0.10.1:80 -> 127.0.30.1: weight 1 → 5"], changeCount: 1 });
    expect((rows[3]!.diff as { error: string }).error).toMatch(/revision/);
  });
});
