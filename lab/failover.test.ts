/**
 * HA failover on the real kernel with real keepalived (QEMU lab, lab/failover/): two directors, each
 * an agent with the ipvs engine and Debian's keepalived started by its HaSupervisor, LVS-DR real
 * servers, a client. The MASTER crashes (link down, then its processes die): the backup takes the VIP,
 * requests keep being answered, and with connection sync the held connections survive. Then a
 * planned switchover through the control plane moves the VIP back and forth.
 * Timing goals are measured by `npm run bench:failover`, not here: the bounds below are sanity only.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FailoverLab } from "./failover/failoverLab.ts";
import { crashScenario, handbackScenario, plannedScenario, returnScenario } from "./failover/scenarios.ts";

const LAB = process.env.LVS_LAB_DIR;

describe.skipIf(!LAB)("HA failover with keepalived on the real kernel (lab)", () => {
  const lab = new FailoverLab();
  beforeAll(async () => {
    await lab.start();
  }, 900_000);
  afterAll(async () => {
    await lab.close();
  }, 120_000);

  it("a crashed MASTER's VIP moves to the backup; with connection sync the held connections survive; the control plane hears every transition", async () => {
    await lab.configure({ advertIntMs: 200, sync: true, nopreempt: false, maintenance: {} });
    const r = await crashScenario(lab, "kill-sync", { held: 4 });
    expect(r.vipAfterMs, r.detail).not.toBeNull();
    expect(r.vipAfterMs!).toBeLessThan(60_000);
    expect(r.heldTotal).toBe(4);
    expect(r.heldKept, r.detail).toBe(4);
    expect(r.requests).toBeGreaterThan(0);
    expect(await lab.vipOn("dir2")).toBe(true);
    expect(lab.transitions.some((t) => t.directorId === "dir2" && t.to === "MASTER")).toBe(true);
    // the backup mirrored the connections before the crash (ipvsadm -Lnc on dir2 through its agent)
    expect(lab.status.get("dir2")?.sync.daemons.length).toBe(2);

    // the old master comes back (preempt): it takes the VIP back
    const back = await returnScenario(lab, "return", { held: 2 });
    expect(back.vipAfterMs, back.detail).not.toBeNull();
    expect(await lab.vipOn("dir1")).toBe(true);
  }, 900_000);

  it("a planned switchover through the control plane hands the VIP over and back; the resignation is reported as planned", async () => {
    const r = await plannedScenario(lab, "planned", { held: 2 });
    expect(r.vipAfterMs, r.detail).not.toBeNull();
    expect(await lab.vipOn("dir2")).toBe(true);
    expect(lab.transitions.some((t) => t.directorId === "dir1" && t.planned)).toBe(true);
    const h = await handbackScenario(lab, "handback", { held: 2 });
    expect(h.vipAfterMs, h.detail).not.toBeNull();
    expect(await lab.vipOn("dir1")).toBe(true);
  }, 900_000);
});
