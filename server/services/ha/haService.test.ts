/**
 * HA in the control plane (PGlite): agent reports → overview (MASTER since when, split brain, sync),
 * planned switchover → the director's desired HA says maintenance (audited) → availability counts
 * the gap as planned, a crash as unplanned.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TRPCError } from "@trpc/server";
import { openDatabase, type Database } from "../../db/openDatabase.ts";
import { MemoryEventBus } from "../../events/MemoryEventBus.ts";
import { createLogger } from "../../log.ts";
import { appRouter } from "../../api/root.ts";
import { createCallerFactory } from "../../api/trpc.ts";
import { testSession } from "../../api/testFixtures.ts";
import { recordHaReport } from "./haService.ts";
import { createDesiredState } from "../desiredState.ts";
import type { Topology } from "../../../lvs/model.ts";
import type { HaStatus, VrrpState } from "../../../lvs/protocol/ha.ts";

const log = createLogger("silent");
const createCaller = createCallerFactory(appRouter);

function pair(): Topology {
  const dir = (id: string, address: string) => ({ id, name: `lvs-${id}`, managementAddress: null, interfaces: [{ name: "eth0", address, prefix: 24 }], engine: "ipvs" as const });
  return {
    name: "ha-pair", directors: [dir("d1", "10.0.0.1"), dir("d2", "10.0.0.2")],
    services: [{
      id: "vs1", protocol: "tcp", family: "inet", address: "10.0.0.100", port: 80, fwmark: null, scheduler: "rr", flags: [], persistence: null,
      persistenceEngine: null, onePacket: false, description: "", directorIds: ["d1", "d2"], healthCheck: null, sorryServer: null, proxyProtocol: false,
    }],
    realServers: [], memberships: [], layout: {},
  };
}

const status = (state: VrrpState, since: number, connections: number): HaStatus => ({
  at: since, keepalived: { running: true, version: "2.2.7", error: null }, maintenance: false,
  instances: [{ name: "VI_x", groupId: "ha:d1+d2", state, since, priority: 200 }],
  sync: { wanted: true, daemons: ["master sync daemon (mcast=eth0, syncid=1)", "backup sync daemon (mcast=eth0, syncid=1)"], connections, error: null },
});

describe("HA service (PGlite)", () => {
  let db: Database;
  let bus: MemoryEventBus;
  let operator: ReturnType<typeof createCaller>;
  let viewer: ReturnType<typeof createCaller>;
  let topologyId: string;
  const ids = new Map<string, string>();
  let now = 1_000_000;

  beforeAll(async () => {
    db = await openDatabase({ DATABASE_URL: "pglite:memory" });
    await db.migrate();
    bus = new MemoryEventBus(log);
    const base = { db, bus, log, ip: "127.0.0.9", now: () => now };
    operator = createCaller({ ...base, session: await testSession(db, "operator") });
    viewer = createCaller({ ...base, session: await testSession(db, "viewer") });
    const t = await operator.topology.create({ name: "ha-pair" });
    topologyId = t.id;
    const saved = await operator.topology.save({ id: t.id, expectedRevision: t.revision, document: pair(), message: "pair" });
    for (const d of await db.prisma.director.findMany({ where: { topologyId } })) ids.set(d.key, d.id);
    await db.prisma.director.updateMany({ where: { topologyId }, data: { targetRevision: saved.revision, online: true } });
  }, 300_000);
  afterAll(async () => {
    await bus?.close();
    await db?.close();
  });

  const report = (key: string, st: HaStatus) => recordHaReport({ db, bus, now: () => now }, { kind: "status", directorId: ids.get(key)!, topologyId, status: st, at: now });
  const transition = (key: string, from: VrrpState, to: VrrpState, at: number, planned = false) =>
    recordHaReport({ db, bus, now: () => now }, { kind: "transitions", directorId: ids.get(key)!, topologyId, transitions: [{ name: "VI_x", groupId: "ha:d1+d2", from, to, at, planned }], at });

  it("shows who is MASTER since when, sync health, transitions; two MASTERs are split brain", async () => {
    await transition("d1", "BACKUP", "MASTER", 1_000_000);
    await transition("d2", "UNKNOWN", "BACKUP", 1_000_000);
    await report("d1", status("MASTER", 1_000_000, 6));
    await report("d2", status("BACKUP", 1_000_000, 6));
    const [g] = await viewer.ha.overview({ topologyId });
    expect(g).toMatchObject({ masters: ["d1"], masterSince: 1_000_000, splitBrain: false, vips: ["10.0.0.100"] });
    expect(g!.sync).toEqual({ masterConnections: 6, backups: [{ key: "d2", connections: 6, daemons: 2 }], healthy: true });
    expect(g!.transitions.map((t) => `${t.key} ${t.to}`)).toContain("d1 MASTER");
    await report("d2", status("MASTER", 1_000_500, 0));
    const [split] = await viewer.ha.overview({ topologyId });
    expect(split).toMatchObject({ splitBrain: true, masters: ["d1", "d2"] });
    await report("d2", status("BACKUP", 1_000_600, 6));
  });

  it("a userspace BACKUP's listeners waiting for the VIP are shown as awaiting its address (not for an offline director)", async () => {
    await report("d2", { ...status("BACKUP", 1_000_650, 0), awaitingAddress: ["tcp 10.0.0.100:80"] });
    const [g] = await viewer.ha.overview({ topologyId });
    expect(g!.members.find((m) => m.key === "d2")!.awaitingAddress).toEqual(["tcp 10.0.0.100:80"]);
    expect(g!.members.find((m) => m.key === "d1")!.awaitingAddress).toEqual([]);
    await db.prisma.director.update({ where: { id: ids.get("d2")! }, data: { online: false } });
    expect((await viewer.ha.overview({ topologyId }))[0]!.members.find((m) => m.key === "d2")!.awaitingAddress).toEqual([]);
    await db.prisma.director.update({ where: { id: ids.get("d2")! }, data: { online: true } });
    await report("d2", status("BACKUP", 1_000_660, 6));
  });

  it("a crashed director (agent offline) is not counted as MASTER by its last report: the backup's takeover is no split brain", async () => {
    await report("d2", status("MASTER", 1_000_700, 6));
    await db.prisma.director.update({ where: { id: ids.get("d1")! }, data: { online: false } });
    const [g] = await viewer.ha.overview({ topologyId });
    expect(g).toMatchObject({ splitBrain: false, masters: ["d2"] });
    expect(g!.members.find((m) => m.key === "d1")!.state).toBe("UNKNOWN");
    await db.prisma.director.update({ where: { id: ids.get("d1")! }, data: { online: true } });
    await report("d2", status("BACKUP", 1_000_800, 6));
  });

  it("a planned switchover is audited, puts the director's desired HA into maintenance (no new revision), and is planned downtime", async () => {
    const { desiredFor } = createDesiredState(db.prisma);
    const before = await desiredFor(ids.get("d1")!);
    expect(before!.ha).toMatchObject({ maintenance: false, instances: [{ priority: 200, unicastPeers: ["10.0.0.2"] }] });
    const pushed: string[] = [];
    const off = bus.subscribe("ha.changed", (e) => pushed.push(`${e.kind} ${e.directorId}`));
    let err: unknown = null;
    try { await viewer.ha.switchover({ topologyId, directorKey: "d1" }); } catch (e) { err = e; }
    expect((err as TRPCError).code).toBe("FORBIDDEN");

    now = 2_000_000;
    await operator.ha.switchover({ topologyId, directorKey: "d1" });
    const during = await desiredFor(ids.get("d1")!);
    expect(during!.revision).toBe(before!.revision);
    expect(during!.ha!.maintenance).toBe(true);
    expect((await desiredFor(ids.get("d2")!))!.ha!.maintenance).toBe(false);
    await new Promise((r) => setTimeout(r, 20));
    expect(pushed).toContain(`maintenance ${ids.get("d1")}`);
    // the agents report the hand-over: d1 resigns (STOP), d2 MASTER 200 ms later
    await transition("d1", "MASTER", "STOP", 2_000_100, true);
    await transition("d2", "BACKUP", "MASTER", 2_000_300);
    now = 3_000_000;
    await operator.ha.handBack({ topologyId, directorKey: "d1" });
    expect((await desiredFor(ids.get("d1")!))!.ha!.maintenance).toBe(false);
    await transition("d1", "STOP", "BACKUP", 3_000_050);
    await transition("d1", "BACKUP", "MASTER", 3_000_700);
    await transition("d2", "MASTER", "BACKUP", 3_000_700);
    // an unplanned crash of d1 later: 900 ms without MASTER
    await transition("d1", "MASTER", "FAULT", 4_000_000);
    await transition("d2", "BACKUP", "MASTER", 4_000_900);
    off();

    const audit = await db.prisma.auditEvent.findMany({ where: { action: { in: ["ha.switchover", "ha.handback"] }, outcome: "success" }, orderBy: { at: "asc" } });
    expect(audit.map((a) => a.action)).toEqual(["ha.switchover", "ha.handback"]);

    const rows = await viewer.ha.availability({ topologyId, from: 1_000_000, to: 5_000_000 });
    const group = rows.find((r) => r.kind === "group")!;
    expect(group.planned.downtimeMs).toBe(200);
    expect(group.unplanned.downtimeMs).toBe(900);
    expect(group.total.downtimeMs).toBe(1100);
    const d1 = rows.find((r) => r.kind === "director" && r.id === "d1")!;
    expect(d1.planned.downtimeMs).toBe(3_000_050 - 2_000_100);
    expect(d1.unplanned.downtimeMs).toBe(5_000_000 - 4_000_000);
    expect(d1.unplanned.failures).toBe(1);
  });

  it("refuses a switchover while no other director of the group is ready to take the VIPs, naming which and why", async () => {
    const d2 = ids.get("d2")!;
    await db.prisma.director.update({ where: { id: d2 }, data: { online: false } });
    await expect(operator.ha.switchover({ topologyId, directorKey: "d1" })).rejects.toThrow(/lvs-d1 cannot hand its VIPs over: no other director of HA group .* \(lvs-d2 is offline\)/);
    await db.prisma.director.update({ where: { id: d2 }, data: { online: true } });
    await report("d2", { ...status("BACKUP", 5_000_000, 0), keepalived: { running: false, version: "2.2.7", error: null } });
    await expect(operator.ha.switchover({ topologyId, directorKey: "d1" })).rejects.toThrow(/lvs-d2's keepalived is not running/);
    await report("d2", status("FAULT", 5_000_000, 0));
    await expect(operator.ha.switchover({ topologyId, directorKey: "d1" })).rejects.toThrow(/lvs-d2's VRRP instance is FAULT/);
    expect(await db.prisma.haMaintenance.count({ where: { directorId: ids.get("d1")!, endedAt: null } })).toBe(0);
    await report("d2", status("BACKUP", 5_000_000, 0));
    await operator.ha.switchover({ topologyId, directorKey: "d1" });
    await operator.ha.handBack({ topologyId, directorKey: "d1" });
  });

  it("refuses a switchover of a director in no HA group, naming why", async () => {
    const t = await operator.topology.create({ name: "solo" });
    const doc = pair();
    doc.services[0]!.directorIds = ["d1"];
    await operator.topology.save({ id: t.id, expectedRevision: t.revision, document: { ...doc, name: "solo" }, message: "solo" });
    await expect(operator.ha.switchover({ topologyId: t.id, directorKey: "d1" })).rejects.toThrow(/no HA group/);
  });
});
