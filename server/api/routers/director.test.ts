import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "../../db/openDatabase.ts";
import { MemoryEventBus } from "../../events/MemoryEventBus.ts";
import type { EventPayload } from "../../events/channels.ts";
import { createLogger } from "../../log.ts";
import { tokenHash } from "../../auth/sessionToken.ts";
import { PrismaAgentDirectory } from "../../services/agentRecords.ts";
import { appRouter } from "../root.ts";
import { createCallerFactory } from "../trpc.ts";
import { sampleTopology, testSession } from "../testFixtures.ts";

const log = createLogger("silent");
const createCaller = createCallerFactory(appRouter);

describe("director router (PGlite)", () => {
  let db: Database;
  let caller: ReturnType<typeof createCaller>;
  let topologyId: string;
  const status: EventPayload<"director.status">[] = [];

  beforeAll(async () => {
    db = await openDatabase({ DATABASE_URL: "pglite:memory" });
    await db.migrate();
    const bus = new MemoryEventBus(log);
    bus.subscribe("director.status", (e) => status.push(e));
    caller = createCaller({ db, bus, log, session: await testSession(db), ip: null, now: () => 5_000 });
    const t = await caller.topology.create({ name: "dirs" });
    await caller.topology.save({ id: t.id, expectedRevision: t.revision, document: sampleTopology("dirs"), message: "" });
    topologyId = t.id;
  }, 60_000);
  afterAll(async () => db?.close());

  it("enrolls a director from the saved topology, shows the token once and stores only its hash", async () => {
    const { director, token } = await caller.director.create({ topologyId, key: "d1" });
    expect(token).toMatch(/^lvsa_[A-Za-z0-9_-]{43}$/);
    expect(director).toMatchObject({ key: "d1", name: "lvs-a", enrolled: true, revoked: false, online: false });
    const row = await db.prisma.director.findUniqueOrThrow({ where: { id: director.id } });
    expect(row.agentTokenHash).toBe(tokenHash(token));
    expect(JSON.stringify(await caller.director.list({ topologyId }))).not.toContain(token);
    const again = await caller.director.create({ topologyId, key: "d1" }).catch((e: TRPCError) => e);
    expect(again).toMatchObject({ code: "CONFLICT" });
    const dir = new PrismaAgentDirectory(db.prisma);
    expect(await dir.authenticate(token)).toMatchObject({ id: director.id, revoked: false });
    expect(await dir.authenticate(token + "x")).toBeNull();
  });

  it("rotates (old token dead) and revokes (token known but refused), announcing both", async () => {
    const [d1] = (await caller.director.list({ topologyId })).filter((d) => d.key === "d1");
    const dir = new PrismaAgentDirectory(db.prisma);
    const before = (await caller.director.create({ topologyId, key: "d2" })).token;
    const d2 = (await caller.director.list({ topologyId })).find((d) => d.key === "d2")!;
    const { token } = await caller.director.rotateToken({ id: d2.id });
    expect(await dir.authenticate(before)).toBeNull();
    expect(await dir.tokenState(d2.id, tokenHash(before))).toBe("replaced");
    expect(await dir.authenticate(token)).toMatchObject({ id: d2.id, revoked: false });
    const revoked = await caller.director.revokeToken({ id: d2.id });
    expect(revoked.revoked).toBe(true);
    expect(await dir.authenticate(token)).toMatchObject({ id: d2.id, revoked: true });
    expect(await dir.tokenState(d2.id, tokenHash(token))).toBe("revoked");
    await new Promise((r) => setTimeout(r, 10));
    expect(status.filter((e) => e.directorId === d2.id && !e.online)).toHaveLength(2);
    expect(d1?.enrolled).toBe(true);
    const missing = await caller.director.revokeToken({ id: "nope" }).catch((e: TRPCError) => e);
    expect(missing).toMatchObject({ code: "NOT_FOUND" });
  });

  it("lists the exec checks the agent's hello reported (null before any hello or from an older agent)", async () => {
    const d1 = (await caller.director.list({ topologyId })).find((d) => d.key === "d1")!;
    expect(d1.execChecks).toBeNull();
    const dir = new PrismaAgentDirectory(db.prisma);
    const table = { services: [] };
    await dir.markOnline(d1.id, { at: 6_000, appliedRevision: null, table, agent: { version: "0.1.0", protocol: 1, execChecks: ["check_dns", "http-ok.sh"] } });
    expect((await caller.director.list({ topologyId })).find((d) => d.key === "d1")?.execChecks).toEqual(["check_dns", "http-ok.sh"]);
    await dir.markOnline(d1.id, { at: 7_000, appliedRevision: null, table, agent: { version: "0.0.9", protocol: 1 } });
    expect((await caller.director.list({ topologyId })).find((d) => d.key === "d1")?.execChecks).toBeNull();
  });
});
