// The HA panel end to end: two real agents (agent/runAgent: the production link, the HA supervisor,
// the planned-switchover path) enrolled as the directors of one shared VIP; keepalived itself is the
// FakeKeepalivedHost, whose notify lines are exactly what keepalived's notify script writes (the real
// keepalived path is proven in the kernel lab: lab/failover.test.ts). The browser must show a MASTER
// change within 2 s over the live socket, and a planned switchover as planned downtime.
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Topology } from "../../lvs/model.ts";
import { runAgent, type RunningAgent } from "../../agent/runAgent.ts";
import { FakeEngine } from "../../agent/fakeEngine.ts";
import { HaSupervisor } from "../../agent/ha/haSupervisor.ts";
import { FakeKeepalivedHost } from "../../agent/ha/keepalivedHost.ts";
import { memoryLog } from "../../agent/log.ts";
import { trpcMutation } from "../fixtures/api.ts";
import { expect, test, watchConsole } from "../fixtures/test.ts";
import { applyLatest, enroll } from "./liveLab.ts";

test.describe.configure({ mode: "serial" });

const VIP = "127.0.41.1";
const INSTANCE = "VI_ha_d1_d2"; // the derived group "ha:d1+d2" (lvs/ha/haGroups.ts instanceName)

function doc(name: string): Topology {
  const dir = (id: string, n: string) => ({ id, name: n, managementAddress: null, interfaces: [], engine: "userspace" as const });
  return {
    name,
    directors: [dir("d1", "lb-ha-1"), dir("d2", "lb-ha-2")],
    services: [{
      id: "web", protocol: "tcp", family: "inet", address: VIP, port: 80, fwmark: null, scheduler: "rr", flags: [], persistence: null,
      persistenceEngine: null, onePacket: false, description: "", directorIds: ["d1", "d2"], healthCheck: null, sorryServer: null, proxyProtocol: false,
    }],
    realServers: [], memberships: [],
    layout: { d1: { x: 0, y: 0 }, d2: { x: 0, y: 160 }, web: { x: 340, y: 80 } },
  };
}

interface Director { host: FakeKeepalivedHost; agent: RunningAgent; dir: string }
const directors: Record<"d1" | "d2", Director | null> = { d1: null, d2: null };
let topologyId = "";

const notify = (d: "d1" | "d2", state: string, prio: number) =>
  directors[d]!.host.emit(`${Math.floor(Date.now() / 1000)} INSTANCE ${INSTANCE} ${state} ${prio}`);

test.beforeAll(async ({ request, baseURL }) => {
  test.setTimeout(120_000);
  const name = `ha-${Date.now().toString(36)}`;
  const created = await trpcMutation<{ id: string; revision: number }>(request, "topology.create", { name });
  topologyId = created.id;
  await trpcMutation(request, "topology.save", { id: topologyId, expectedRevision: created.revision, document: doc(name), message: "e2e ha" });
  for (const key of ["d1", "d2"] as const) {
    const { token } = await enroll(request, topologyId, key);
    const host = new FakeKeepalivedHost();
    const log = memoryLog();
    const ha = new HaSupervisor({ host, exec: { run: async () => ({ code: 0, stdout: "", stderr: "" }) }, log, now: Date.now, routerId: key, kernelSync: false });
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), "lvs-e2e-ha-"));
    const agent = await runAgent({ server: baseURL!, token, engine: new FakeEngine(Date.now), stateDir: dir, log, checkers: {}, ha, haStatusIntervalMs: 2000, resyncIntervalMs: 0 });
    directors[key] = { host, agent, dir };
  }
  await applyLatest(request, topologyId);
  // keepalived started on both (VRRP only) and elects d1 (priority 200 vs 190)
  await expect.poll(() => directors.d1!.host.isRunning && directors.d2!.host.isRunning, { timeout: 30_000 }).toBe(true);
  notify("d1", "BACKUP", 200);
  notify("d2", "BACKUP", 190);
  notify("d1", "MASTER", 200);
});

test.afterAll(async () => {
  for (const d of Object.values(directors)) {
    if (!d) continue;
    await d.agent.stop().catch(() => {});
    await fs.rm(d.dir, { recursive: true, force: true });
  }
});

test("HA panel: a MASTER change shows within 2 s; a planned switchover is planned downtime in the HA availability", async ({ page }, testInfo) => {
  test.setTimeout(120_000);
  const problems = watchConsole(page);
  await page.goto(`/live/${topologyId}`);
  await expect(page.getByTestId("live-status")).toHaveAttribute("data-status", "open", { timeout: 30_000 });
  const master = page.getByTestId("ha-master");
  await expect(master).toHaveAttribute("data-master", "d1", { timeout: 20_000 });

  await test.step("d1's interface fails: d2 becomes MASTER, the panel follows within 2 s (live event, no 1 s poll)", async () => {
    // what keepalived's notify scripts write: d1 goes FAULT (its interface is down), d2 takes over
    notify("d1", "FAULT", 200);
    notify("d2", "MASTER", 190);
    await expect(master).toHaveAttribute("data-master", "d2", { timeout: 2000 });
    await expect(page.getByTestId("ha-member-d2")).toHaveAttribute("data-state", "MASTER", { timeout: 2000 });
    // d1 comes back as BACKUP and preempts (higher priority)
    notify("d1", "BACKUP", 200);
    notify("d1", "MASTER", 200);
    notify("d2", "BACKUP", 190);
    await expect(master).toHaveAttribute("data-master", "d1", { timeout: 2000 });
  });

  await test.step("planned switchover of d1: its agent stops keepalived, d2 takes over, the window is planned downtime", async () => {
    const row = page.getByTestId("ha-availability-director-d1");
    const cellOf = async (col: string) => Number(await row.locator(`td[data-col="${col}"]`).getAttribute("data-value"));
    // d1's FAULT above was one unplanned outage; the switchover must add none
    await expect.poll(() => cellOf("unplanned-count"), { timeout: 15_000 }).toBe(1);
    await page.getByTestId("ha-switchover-d1").click();
    // the agent got maintenance and stopped keepalived (MASTER instances send priority 0)
    await expect.poll(() => directors.d1!.host.calls.includes("stop"), { timeout: 15_000 }).toBe(true);
    notify("d1", "STOP", 200);
    notify("d2", "MASTER", 190);
    await expect(master).toHaveAttribute("data-master", "d2", { timeout: 2000 });
    await expect(page.getByTestId("ha-handback-d1")).toBeVisible();
    await expect.poll(() => cellOf("planned-downtime"), { timeout: 15_000 }).toBeGreaterThan(0);
    expect(await cellOf("planned-count")).toBe(1);
    expect(await cellOf("unplanned-count")).toBe(1);
    await testInfo.attach("ha-planned", { body: await page.screenshot({ fullPage: true }), contentType: "image/png" });
  });

  await test.step("hand back: keepalived runs again on d1", async () => {
    const starts = directors.d1!.host.calls.filter((c) => c === "start").length;
    await page.getByTestId("ha-handback-d1").click();
    await expect.poll(() => directors.d1!.host.calls.filter((c) => c === "start").length, { timeout: 15_000 }).toBe(starts + 1);
    notify("d1", "BACKUP", 200);
    notify("d1", "MASTER", 200);
    notify("d2", "BACKUP", 190);
    await expect(master).toHaveAttribute("data-master", "d1", { timeout: 2000 });
    await expect(page.getByTestId("ha-switchover-d1")).toBeVisible();
  });
  expect(problems).toEqual([]);
});
