/**
 * Saving is not applying, on the real control plane with real agents (FakeEngine): a save changes
 * nothing on any director; applyRevision rolls a revision out sequentially (stop on the first
 * failure) or in parallel, with a result per director and an audit event.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileDirector } from "../lvs/compile.ts";
import { agentServiceKeyText } from "../lvs/tableKey.ts";
import { NO_POSTGRES_REASON, TEST_DATABASE_URL } from "../server/db/testDatabase.ts";
import { applyRevision } from "../server/services/deploy/applyRevision.ts";
import { startHarness, twoDirectorTopology, type Harness } from "./deployHarness.ts";
import { until } from "./helpers.ts";

const actor = { actor: "alice@example.com", sourceIp: "127.0.0.1" };
const VS1 = agentServiceKeyText({ protocol: "tcp", family: "inet", address: "127.0.10.1", port: 80 });

for (const kind of ["pglite", "postgres"] as const) {
  describe.skipIf(kind === "postgres" && !TEST_DATABASE_URL)(`applyRevision on ${kind}${kind === "postgres" && !TEST_DATABASE_URL ? ` (skipped: ${NO_POSTGRES_REASON})` : ""}`, () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness(kind);
      await h.startAgent("d1");
      await h.startAgent("d2");
    }, 60_000);
    afterAll(async () => h?.close(), 30_000);

    const row = (k: "d1" | "d2") => h.s.db.prisma.director.findUniqueOrThrow({ where: { id: h.directorIds[k] } });

    it("a saved revision reaches no director until it is applied; then each one reports it", async () => {
      await new Promise((r) => setTimeout(r, 100));
      expect(h.engines.d1!.table).toEqual({ services: [] });
      expect((await row("d1")).targetRevision).toBeNull();
      const r = await applyRevision(h.deps, { topologyId: h.topologyId, actor });
      expect(r).toMatchObject({ status: "succeeded", revision: h.revision, kind: "apply", mode: "sequential", author: "alice@example.com" });
      expect(r.results.map((x) => [x.key, x.status, x.appliedRevision])).toEqual([["d1", "applied", h.revision], ["d2", "applied", h.revision]]);
      // sequential: d2 started only after d1 finished
      expect(r.results[1]!.startedAt!).toBeGreaterThanOrEqual(r.results[0]!.finishedAt!);
      expect(h.engines.d1!.table).toEqual(compileDirector(twoDirectorTopology(), "d1"));
      expect((await row("d2")).appliedRevision).toBe(h.revision);

      const before = h.revision;
      await h.save(twoDirectorTopology({ weight2: 5 }), "weight 5");
      await new Promise((r) => setTimeout(r, 150));
      expect(h.engines.d1!.table.services[0]!.destinations.map((d) => d.weight)).toEqual([1, 2]);
      expect((await row("d1")).targetRevision).toBe(before);

      const audit = await h.s.db.prisma.auditEvent.findMany({ where: { action: "deploy.apply", target: `topology:${h.topologyId}` } });
      expect(audit).toHaveLength(1);
      expect(audit[0]).toMatchObject({ actor: "alice@example.com", outcome: "success", sourceIp: "127.0.0.1" });
    });

    it("sequential rollout stops at the first failing director; the rest keep their revision", async () => {
      const old = (await row("d2")).appliedRevision;
      h.engines.d1!.failing.add(VS1);
      const r = await applyRevision(h.deps, { topologyId: h.topologyId, actor, waitMs: 5000 });
      h.engines.d1!.failing.clear();
      expect(r.status).toBe("failed");
      expect(r.results[0]).toMatchObject({ key: "d1", status: "failed", appliedRevision: old, errors: [{ op: `set ${VS1}`, error: "injected failure" }] });
      expect(r.results[1]).toMatchObject({ key: "d2", status: "skipped", startedAt: null });
      expect((await row("d2")).targetRevision).toBe(old);
      expect(h.engines.d2!.table.services[0]!.destinations.map((d) => d.weight)).toEqual([1, 2]);
      const stored = await h.s.db.prisma.rollout.findUniqueOrThrow({ where: { id: r.id } });
      expect(stored.status).toBe("failed");
      expect(stored.finishedAt).not.toBeNull();
      const audit = await h.s.db.prisma.auditEvent.findFirstOrThrow({ where: { action: "deploy.apply", outcome: "failure" } });
      expect(JSON.stringify(audit.diff)).toContain("injected failure");
    });

    it("parallel rollout tries every director; progress events name each one", async () => {
      const events: string[] = [];
      const off = h.s.bus.subscribe("deploy.progress", (e) => { if (e.directorId) events.push(e.directorId); });
      h.engines.d1!.failing.add(VS1);
      const r = await applyRevision(h.deps, { topologyId: h.topologyId, actor, mode: "parallel", waitMs: 5000 });
      h.engines.d1!.failing.clear();
      expect(r.results.map((x) => x.status)).toEqual(["failed", "applied"]);
      expect(h.engines.d2!.table.services[0]!.destinations.map((d) => d.weight)).toEqual([1, 5]);
      await until(() => events.includes(h.directorIds.d1) && events.includes(h.directorIds.d2), 2000, "progress events");
      off();
    });

    it("an offline director is reported as such and gets the revision when it connects; waitMs 0 only sets targets", async () => {
      await h.stopAgent("d1");
      const r = await applyRevision(h.deps, { topologyId: h.topologyId, actor, directors: ["d1"] });
      expect(r.results).toMatchObject([{ key: "d1", status: "offline" }]);
      expect(r.status).toBe("failed");
      await h.startAgent("d1");
      await until(async () => (await row("d1")).appliedRevision === h.revision, 5000, "d1 caught up on connect");
      expect(h.engines.d1!.table.services[0]!.destinations.map((d) => d.weight)).toEqual([1, 5]);

      const rev = await h.save(twoDirectorTopology({ weight2: 7 }), "weight 7");
      const p = await applyRevision(h.deps, { topologyId: h.topologyId, actor, waitMs: 0 });
      expect(p.status).toBe("pending");
      expect(p.results.map((x) => x.status)).toEqual(["pending", "pending"]);
      await until(async () => (await row("d1")).appliedRevision === rev && (await row("d2")).appliedRevision === rev, 5000, "both applied");
    });

    it("refuses unknown revisions and directors with the field named", async () => {
      await expect(applyRevision(h.deps, { topologyId: h.topologyId, revision: 999, actor })).rejects.toThrow(/no revision 999/);
      await expect(applyRevision(h.deps, { topologyId: h.topologyId, directors: ["d1", "zz"], actor })).rejects.toThrow(/directors\.1: director "zz" is not in revision/);
    });
  });
}
