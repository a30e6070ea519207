/**
 * Plan, drift (re-apply / import actual), revisions + diff and drain, on the real control plane with
 * real agents (FakeEngine: its statistics come from the table it runs, with no connections).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileDirector } from "../lvs/compile.ts";
import type { Topology } from "../lvs/model.ts";
import { NO_POSTGRES_REASON, TEST_DATABASE_URL } from "../server/db/testDatabase.ts";
import { applyRevision } from "../server/services/deploy/applyRevision.ts";
import { driftOf, importActual } from "../server/services/deploy/drift.ts";
import { evaluateDrains, forceDrain, listDrains, startDrain } from "../server/services/deploy/drainService.ts";
import { enableDrain } from "../server/services/deploy/enableDrain.ts";
import { planRevision } from "../server/services/deploy/planRevision.ts";
import { diffRevisions, listRevisions } from "../server/services/deploy/revisions.ts";
import { startHarness, twoDirectorTopology, type Harness } from "./deployHarness.ts";
import { until } from "./helpers.ts";

const actor = { actor: "bob@example.com" };

for (const kind of ["pglite", "postgres"] as const) {
  describe.skipIf(kind === "postgres" && !TEST_DATABASE_URL)(`deploy services on ${kind}${kind === "postgres" && !TEST_DATABASE_URL ? ` (skipped: ${NO_POSTGRES_REASON})` : ""}`, () => {
    let h: Harness;
    let first: number;
    beforeAll(async () => {
      h = await startHarness(kind, twoDirectorTopology({ extraService: true }));
      first = h.revision;
      await h.startAgent("d1");
      await h.startAgent("d2");
      expect((await applyRevision(h.deps, { topologyId: h.topologyId, actor })).status).toBe("succeeded");
    }, 60_000);
    afterAll(async () => h?.close(), 30_000);

    const row = (k: "d1" | "d2") => h.s.db.prisma.director.findUniqueOrThrow({ where: { id: h.directorIds[k] } });
    const observedFresh = async (k: "d1" | "d2") => { const r = await row(k); return !!r.observedAt && !!r.reportedAt && r.observedAt > r.reportedAt; };

    it("plans the exact ipvsadm ops per director against what the agent reported, marking deletions", async () => {
      await until(() => observedFresh("d1"), 5000, "statistics after the report");
      const doc = twoDirectorTopology({ weight2: 4, scheduler: "rr" });
      await h.save(doc, "rr, weight 4, no tls");
      const p = await planRevision(h.deps, { topologyId: h.topologyId, actor });
      expect(p.revision).toBe(h.revision);
      const d1 = p.directors.find((d) => d.key === "d1")!;
      expect(d1).toMatchObject({ basis: "reported", appliedRevision: first, diffFrom: first, online: true });
      expect(d1.ops.map((o) => [o.command, o.risk])).toEqual([
        ["ipvsadm -E -t 127.0.10.1:80 -s rr", "none"],
        ["ipvsadm -e -t 127.0.10.1:80 -r 127.0.30.2:8080 -m -w 4", "none"],
        ["ipvsadm -D -t 127.0.10.1:443", "drops-connections"],
      ]);
      expect(d1.ops[2]).toMatchObject({ activeConns: 0, inactConns: 0 });
      expect(d1.batch).toBe("-E -t 127.0.10.1:80 -s rr\n-e -t 127.0.10.1:80 -r 127.0.30.2:8080 -m -w 4\n-D -t 127.0.10.1:443");
      expect(p.totals).toEqual({ ops: 6, deletions: 2, dropsConnections: 2 });
      expect(d1.changes.map((c) => `${c.action} ${c.label}`)).toEqual(expect.arrayContaining(["removed TCP 127.0.10.1:443", "changed TCP 127.0.10.1:80"]));
      expect(d1.changeLines).toContain("~ TCP 127.0.10.1:80 -> 127.0.30.2:8080: weight 2 → 4");
      // planning changes nothing
      expect(h.engines.d1!.table).toEqual(compileDirector(twoDirectorTopology({ extraService: true }), "d1"));
      expect(await h.s.db.prisma.auditEvent.count({ where: { action: "deploy.plan", actor: "bob@example.com" } })).toBe(1);
    });

    it("lists revisions with author and message, where they run, and a readable diff between any two", async () => {
      const list = await listRevisions(h.deps, h.topologyId);
      expect(list.map((r) => [r.revision, r.message, r.author])).toEqual([[h.revision, "rr, weight 4, no tls", "alice@example.com"], [first, "first", "alice@example.com"], [1, "created", null]]);
      expect(list[1]).toMatchObject({ appliedOn: ["lvs-a", "lvs-b"], targetOf: ["lvs-a", "lvs-b"] });
      const d = await diffRevisions(h.deps, h.topologyId, first, h.revision);
      expect(d.lines).toEqual([
        "~ TCP 127.0.10.1:80: scheduler wlc → rr",
        "- TCP 127.0.10.1:443",
        "~ TCP 127.0.10.1:80 -> 127.0.30.2:8080: weight 2 → 4",
        "- TCP 127.0.10.1:443 -> 127.0.30.1:8080",
      ]);
      await expect(diffRevisions(h.deps, h.topologyId, first, 99)).rejects.toThrow(/no revision 99/);
    });

    it("rollback is a plan/apply of an earlier revision", async () => {
      const fwd = await applyRevision(h.deps, { topologyId: h.topologyId, actor });
      expect(fwd.status).toBe("succeeded");
      expect(h.engines.d1!.table.services).toHaveLength(1);
      const plan = await planRevision(h.deps, { topologyId: h.topologyId, revision: first, actor });
      expect(plan.directors[0]!.ops.map((o) => o.command)).toContain("ipvsadm -A -t 127.0.10.1:443 -s wlc");
      const back = await applyRevision(h.deps, { topologyId: h.topologyId, revision: first, kind: "rollback", actor });
      expect(back).toMatchObject({ status: "succeeded", kind: "rollback", revision: first });
      expect(h.engines.d1!.table).toEqual(compileDirector(twoDirectorTopology({ extraService: true }), "d1"));
      expect(await h.s.db.prisma.auditEvent.count({ where: { action: "deploy.rollback" } })).toBe(1);
      // forward again for the next tests
      await applyRevision(h.deps, { topologyId: h.topologyId, actor });
    });

    it("detects a hand-made change as drift; re-apply repairs it; import makes it a revision", async () => {
      await until(async () => (await driftOf(h.deps, h.topologyId)).every((d) => !d.drifted && !d.behind), 5000, "no drift after apply");
      // someone changes d1 by hand (the agent heals only at its 30 s resync)
      h.engines.d1!.table.services[0]!.destinations[0]!.weight = 9;
      await until(async () => (await driftOf(h.deps, h.topologyId)).find((d) => d.key === "d1")!.drifted, 5000, "drift seen");
      const drift = (await driftOf(h.deps, h.topologyId)).find((d) => d.key === "d1")!;
      expect(drift.ops.map((o) => o.command)).toEqual(["ipvsadm -e -t 127.0.10.1:80 -r 127.0.30.1:8080 -m -w 1"]);
      expect((await driftOf(h.deps, h.topologyId)).find((d) => d.key === "d2")!.drifted).toBe(false);

      const r = await applyRevision(h.deps, { topologyId: h.topologyId, revision: h.revision, directors: ["d1"], kind: "reapply", force: true, actor });
      expect(r.results[0]).toMatchObject({ status: "applied" });
      expect(h.engines.d1!.table.services[0]!.destinations[0]!.weight).toBe(1);
      await until(async () => !(await driftOf(h.deps, h.topologyId)).find((d) => d.key === "d1")!.drifted, 5000, "drift repaired");

      h.engines.d1!.table.services[0]!.destinations[0]!.weight = 6;
      await until(async () => (await driftOf(h.deps, h.topologyId)).find((d) => d.key === "d1")!.drifted, 5000, "drift seen again");
      const before = h.revision;
      const imported = await importActual(h.deps, { topologyId: h.topologyId, directorKey: "d1", actor });
      expect(imported.revision).toBe(before + 1);
      h.revision = imported.revision;
      const saved = (await h.s.db.prisma.topology.findUniqueOrThrow({ where: { id: h.topologyId } })).document as unknown as Topology;
      expect(saved.memberships.find((m) => m.id === "m1")!.weight).toBe(6);
      expect(compileDirector(saved, "d1")).toEqual(h.engines.d1!.table);
      const rev = await h.s.db.prisma.topologyRevision.findFirstOrThrow({ where: { topologyId: h.topologyId, revision: imported.revision } });
      expect(rev).toMatchObject({ author: "bob@example.com", message: "import the actual table of director lvs-a" });
      // applying the import makes d2 follow (the service is shared) and clears the drift
      expect((await applyRevision(h.deps, { topologyId: h.topologyId, actor })).status).toBe("succeeded");
      await until(async () => (await driftOf(h.deps, h.topologyId)).every((d) => !d.drifted), 5000, "no drift after applying the import");
    });

    it("drains a real server: weight 0 on every director, drained when the statistics show no connections; enable ramps back", async () => {
      await expect(startDrain(h.deps, { topologyId: h.topologyId, subject: { kind: "realServer", key: "nope" }, actor })).rejects.toThrow(/no real server "nope"/);
      const started = await startDrain(h.deps, { topologyId: h.topologyId, subject: { kind: "realServer", key: "rs2" }, timeoutMs: 60_000, actor });
      expect(started.drain).toMatchObject({ status: "draining", label: "real server 127.0.30.2:8080 (web-2)", membershipKeys: ["m2"] });
      const rollout = await started.done;
      expect(rollout).toMatchObject({ kind: "drain", mode: "parallel", status: "succeeded" });
      for (const k of ["d1", "d2"]) expect(h.engines[k]!.table.services[0]!.destinations.find((d) => d.address === "127.0.30.2")!.weight).toBe(0);
      // the document keeps the weight for re-enable
      const doc = (await h.s.db.prisma.topology.findUniqueOrThrow({ where: { id: h.topologyId } })).document as unknown as Topology;
      expect(doc.memberships.find((m) => m.id === "m2")).toMatchObject({ state: "draining", weight: 4 });
      await expect(startDrain(h.deps, { topologyId: h.topologyId, subject: { kind: "membership", key: "m2" }, actor })).rejects.toThrow(/no active membership/);

      await until(async () => { await evaluateDrains(h.deps, h.topologyId); return (await listDrains(h.deps, h.topologyId))[0]!.status === "drained"; }, 5000, "drained");
      expect((await listDrains(h.deps, h.topologyId))[0]).toMatchObject({ activeConns: 0, inactConns: 0 });
      await expect(forceDrain(h.deps, { drainId: started.drain.id, actor })).rejects.toThrow(/drain is drained/);

      const steps: number[][] = [];
      const enabled = await enableDrain(h.deps, {
        drainId: started.drain.id, ramp: { steps: 4, durationMs: 300 }, actor,
        sleep: async () => { steps.push(["d1", "d2"].map((k) => h.engines[k]!.table.services[0]!.destinations.find((d) => d.address === "127.0.30.2")!.weight)); },
      });
      expect(enabled.status).toBe("enabled");
      // the weights each step ran with before the next: 1, 2, 3 then 4
      expect(steps).toEqual([[1, 1], [2, 2], [3, 3]]);
      expect(h.engines.d1!.table.services[0]!.destinations.find((d) => d.address === "127.0.30.2")!.weight).toBe(4);
      const revs = await listRevisions(h.deps, h.topologyId, { limit: 4 });
      expect(revs.map((r) => r.message)).toEqual([4, 3, 2, 1].map((i) => `enable real server 127.0.30.2:8080 (web-2) (slow start ${i}/4)`));
      const actions = (await h.s.db.prisma.auditEvent.findMany({ where: { action: { in: ["realServer.drain", "realServer.enable"] } }, orderBy: { id: "asc" } })).map((a) => `${a.action} ${a.outcome}`);
      expect(actions).toEqual(["realServer.drain failure", "realServer.drain success", "realServer.drain failure", "realServer.enable success"]);
    });

    it("re-enable restores the weights the drain revision kept, also after an interrupted slow start", async () => {
      const s = await startDrain(h.deps, { topologyId: h.topologyId, subject: { kind: "membership", key: "m1" }, actor });
      await s.done;
      // a slow start that stopped half way (its instance died): m1 runs at weight 2, the drain says ramping
      const doc = (await h.s.db.prisma.topology.findUniqueOrThrow({ where: { id: h.topologyId } })).document as unknown as Topology;
      expect(doc.memberships.find((m) => m.id === "m1")).toMatchObject({ state: "draining", weight: 6 });
      await h.save({ ...doc, memberships: doc.memberships.map((m) => (m.id === "m1" ? { ...m, state: "active", weight: 2 } : m)) }, "slow start 1/3");
      expect((await applyRevision(h.deps, { topologyId: h.topologyId, actor })).status).toBe("succeeded");
      await h.s.db.prisma.drain.update({ where: { id: s.drain.id }, data: { status: "ramping", since: new Date() } });
      await expect(enableDrain(h.deps, { drainId: s.drain.id, actor })).rejects.toThrow(/already ramping/);
      await h.s.db.prisma.drain.update({ where: { id: s.drain.id }, data: { since: new Date(Date.now() - 2 * 3_600_000) } });
      expect((await enableDrain(h.deps, { drainId: s.drain.id, actor })).status).toBe("enabled");
      expect(h.engines.d1!.table.services[0]!.destinations.find((d) => d.address === "127.0.30.1")!.weight).toBe(6);
    });

    it("a drain that cannot see its connections times out; force marks it; unapplied saves block drains", async () => {
      await h.stopAgent("d2");
      const t0 = Date.now();
      const s = await startDrain(h.deps, { topologyId: h.topologyId, subject: { kind: "director", key: "d2" }, timeoutMs: 1000, actor });
      await s.done;
      await until(async () => { await evaluateDrains(h.deps, h.topologyId); return (await listDrains(h.deps, h.topologyId))[0]!.status === "timed-out"; }, 5000, "timed out");
      expect(Date.now() - t0).toBeGreaterThanOrEqual(1000);
      expect((await forceDrain(h.deps, { drainId: s.drain.id, actor })).status).toBe("forced");
      await h.save(twoDirectorTopology({ weight2: 9 }), "not applied");
      await expect(startDrain(h.deps, { topologyId: h.topologyId, subject: { kind: "realServer", key: "rs1" }, actor })).rejects.toThrow(/is saved but director lvs-a runs revision/);
    });
  });
}
