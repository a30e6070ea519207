// Change management end to end: saving is not applying; an operator edits → plans (sees the exact
// ipvsadm ops) → applies → a real lvs-agent (userspace engine) forwards real loopback traffic per the
// new revision → rolling back restores the old behaviour. A drain reaches "drained" on the live engine
// once the connection closes. A hand-made change on a director is shown as drift and re-applied.
import net from "node:net";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Page } from "@playwright/test";
import type { Topology } from "../../lvs/model.ts";
import { trpcMutation, trpcQuery } from "../fixtures/api.ts";
import { expect, test, watchConsole } from "../fixtures/test.ts";
import { createUser, signInAs } from "../fixtures/auth.ts";
import { openEditor, save, selectEdge, select } from "../editor/editorPage.ts";
import { applyLatest, enroll, freePort, getOnce, startAgent, startBackend, type Agent, type Backend } from "../live/liveLab.ts";
import { runAgent, type RunningAgent } from "../../agent/runAgent.ts";
import { UserspaceEngine } from "../../agent/engines/userspace/userspaceEngine.ts";
import { memoryLog } from "../../agent/log.ts";

test.describe.configure({ mode: "serial" });

const host = { loopbackVips: [], tunnelVips: [], arpSuppressed: false, gateway: null };
function doc(name: string, vip: string, vipPort: number, backends: Array<{ address: string; port: number; name: string }>, states: Array<"active" | "disabled">): Topology {
  return {
    name,
    directors: [{ id: "d1", name: "lb-deploy", managementAddress: null, interfaces: [], engine: "userspace" }],
    services: [{
      id: "web", protocol: "tcp", family: "inet", address: vip, port: vipPort, fwmark: null, scheduler: "rr", flags: [],
      persistence: null, persistenceEngine: null, onePacket: false, description: "deploy e2e", directorIds: ["d1"],
      healthCheck: null, sorryServer: null, proxyProtocol: false,
    }],
    realServers: backends.map((b, i) => ({ id: `rs${i + 1}`, name: b.name, address: b.address, port: b.port, host })),
    memberships: backends.map((_, i) => ({
      id: `m${i + 1}`, serviceId: "web", realServerId: `rs${i + 1}`, method: "nat" as const, weight: 1,
      upperThreshold: 0, lowerThreshold: 0, tunnel: null, state: states[i]!, healthCheck: null,
    })),
    // positions only for objects that exist (the editor drops the others, which would make it dirty)
    layout: { d1: { x: 0, y: 100 }, web: { x: 320, y: 100 }, ...Object.fromEntries(backends.map((_, i) => [`rs${i + 1}`, { x: 700, y: i * 200 }])) },
  };
}

async function seed(request: Parameters<typeof trpcMutation>[0], name: string, document: Topology) {
  const t = await trpcMutation<{ id: string; revision: number }>(request, "topology.create", { name });
  const s = await trpcMutation<{ revision: number }>(request, "topology.save", { id: t.id, expectedRevision: t.revision, document, message: "seed" });
  return { id: t.id, revision: s.revision };
}

/** Which backends answer `n` fresh connections to the VIP. */
async function answers(vip: string, port: number, n = 6): Promise<string[]> {
  const got = new Set<string>();
  for (let i = 0; i < n; i++) {
    const body = await getOnce(vip, port);
    got.add(body === null ? "none" : body.trim());
  }
  return [...got].sort();
}

const cleanups: Array<() => Promise<unknown>> = [];
test.afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => {});
});

test("an operator edits → plan shows the ops → apply forwards per the new revision → rollback restores it", async ({ browser, baseURL, request, uniqueName }) => {
  test.setTimeout(120_000);
  // the admin (request) seeds; an operator does the change in the browser
  const operatorEmail = `${uniqueName("op")}@e2e.example`;
  await createUser(request, { email: operatorEmail, role: "operator", password: "operator-password-1" });
  const context = await signInAs(browser, baseURL!, operatorEmail, "operator-password-1");
  cleanups.push(() => context.close());
  const page = await context.newPage();
  const problems = watchConsole(page);
  const VIP = "127.0.40.1";
  const b1: Backend = await startBackend("b1", "127.0.41.1");
  const b2: Backend = await startBackend("b2", "127.0.41.2");
  cleanups.push(b1.kill, b2.kill);
  const vipPort = await freePort(VIP);
  const name = uniqueName("deploy");
  const { id, revision: seeded } = await seed(request, name, doc(name, VIP, vipPort, [b1, b2], ["active", "disabled"]));
  const { token } = await enroll(request, id, "d1");
  const agent: Agent = await startAgent(`http://127.0.0.1:${process.env.LVS_E2E_PORT}`, token);
  cleanups.push(agent.stop);
  await applyLatest(request, id);
  await expect.poll(() => answers(VIP, vipPort), { timeout: 20_000 }).toEqual(["b1"]);

  // the operator enables b2 in the editor and saves: nothing changes on the director
  await openEditor(page, id);
  await selectEdge(page, "m2");
  await page.getByTestId("inspector-field-state").selectOption("active");
  await save(page);
  await page.waitForTimeout(500);
  expect(await answers(VIP, vipPort)).toEqual(["b1"]);

  // plan: the exact ipvsadm op, then apply
  await page.getByTestId("tab-deploy").click();
  await expect(page.getByTestId("deploy-view")).toBeVisible();
  await expect(page.getByTestId("apply-button")).toBeDisabled();
  await page.getByTestId("plan-button").click();
  const add = page.getByTestId("plan-op").filter({ hasText: `ipvsadm -a -t ${VIP}:${vipPort} -r 127.0.41.2:${b2.port} -m -w 1` });
  await expect(add).toBeVisible();
  await expect(add).toHaveAttribute("data-risk", "none");
  await expect(page.getByTestId("plan-op")).toHaveCount(1);
  await expect(page.getByTestId("plan-change")).toHaveText([`~ TCP ${VIP}:${vipPort} -> 127.0.41.2:${b2.port}: state disabled → active`]);
  await page.getByTestId("apply-button").click();
  await expect(page.getByTestId("rollout")).toHaveAttribute("data-status", "succeeded", { timeout: 20_000 });
  await expect(page.getByTestId("rollout-director")).toHaveAttribute("data-status", "applied");
  await expect(page.getByTestId("rollout-applied")).toHaveText(String(seeded + 1));
  await expect.poll(() => answers(VIP, vipPort), { timeout: 10_000 }).toEqual(["b1", "b2"]);

  // the readable diff between the two revisions
  await expect(page.getByTestId("diff-line")).toHaveText([`~ TCP ${VIP}:${vipPort} -> 127.0.41.2:${b2.port}: state disabled → active`]);

  // rollback: plan the earlier revision (b2 removed: highlighted), apply it
  await page.getByTestId("revision-row").and(page.locator(`[data-revision="${seeded}"]`)).getByTestId("revision-plan").click();
  await expect(page.getByTestId("plan-panel")).toHaveAttribute("data-revision", String(seeded));
  await page.getByTestId("plan-button").click();
  const del = page.getByTestId("plan-op").filter({ hasText: `ipvsadm -d -t ${VIP}:${vipPort} -r 127.0.41.2:${b2.port}` });
  await expect(del).toBeVisible();
  await expect(del).not.toHaveAttribute("data-risk", "none");
  await page.getByTestId("apply-button").click();
  await expect(page.getByTestId("rollout")).toHaveAttribute("data-revision", String(seeded));
  await expect(page.getByTestId("rollout")).toHaveAttribute("data-status", "succeeded", { timeout: 20_000 });
  await expect.poll(() => answers(VIP, vipPort), { timeout: 10_000 }).toEqual(["b1"]);
  const audit = await trpcQuery<{ items: Array<{ action: string; outcome: string; actor: string }> }>(request, "audit.list", { target: `topology:${id}`, limit: 50 });
  const byOperator = audit.items.filter((a) => a.actor === operatorEmail).map((a) => `${a.action} ${a.outcome}`);
  expect(byOperator).toEqual(expect.arrayContaining(["deploy.plan success", "deploy.apply success", "deploy.rollback success"]));
  expect(problems).toEqual([]);
});

async function drainStatus(page: Page) {
  return page.getByTestId("drain-actions").getByTestId("drain-status");
}

test("drain reaches drained on the live engine once the connection closes", async ({ page, request, uniqueName }) => {
  test.setTimeout(120_000);
  const VIP = "127.0.40.2";
  // a backend that holds its connections open until the client goes away
  const held = new Set<net.Socket>();
  const backend = net.createServer((s) => { held.add(s); s.on("error", () => {}); s.on("close", () => held.delete(s)); });
  await new Promise<void>((r) => backend.listen(0, "127.0.41.3", r));
  cleanups.push(async () => { for (const s of held) s.destroy(); await new Promise((r) => backend.close(r)); });
  const port = (backend.address() as net.AddressInfo).port;
  const vipPort = await freePort(VIP);
  const name = uniqueName("drain");
  const { id, revision: seeded } = await seed(request, name, doc(name, VIP, vipPort, [{ address: "127.0.41.3", port, name: "held" }], ["active"]));
  const { token } = await enroll(request, id, "d1");
  const agent = await startAgent(`http://127.0.0.1:${process.env.LVS_E2E_PORT}`, token);
  cleanups.push(agent.stop);
  await applyLatest(request, id);

  let client: net.Socket | null = null;
  await expect.poll(async () => { client = await connectVip(VIP, vipPort).catch(() => null); return client !== null; }, { timeout: 20_000 }).toBe(true);
  await expect.poll(() => held.size, { timeout: 10_000 }).toBe(1);

  await openEditor(page, id);
  await select(page, "rs1");
  await page.getByTestId("drain-timeout").fill("60");
  await page.getByTestId("drain-start").click();
  await expect(await drainStatus(page)).toHaveText("draining", { timeout: 15_000 });
  // the drain is a revision: the editor (no unsaved edits) follows it
  await expect(page.getByTestId("revision")).toHaveText(`revision ${seeded + 1}`);
  await expect(page.getByTestId("dirty-flag")).toHaveAttribute("data-dirty", "false");
  await expect(page.getByTestId("drain-actions").getByTestId("drain-conns")).toHaveText("1 active, 0 inactive connections", { timeout: 15_000 });
  const stored = await trpcQuery<{ document: Topology }>(request, "topology.get", { id });
  expect(stored.document.memberships[0]).toMatchObject({ state: "draining", weight: 1 });

  // the connection goes away (reset: its entry lingers 10 s as CLOSE, then the destination is empty)
  client!.resetAndDestroy();
  await expect(await drainStatus(page)).toHaveText("drained", { timeout: 45_000 });
  await expect(page.getByTestId("drain-actions").getByTestId("drain-conns")).toHaveText("0 active, 0 inactive connections");

  await page.getByTestId("drain-enable").click();
  await expect(page.getByTestId("drain-start")).toBeVisible({ timeout: 15_000 });
  await expect(page.getByTestId("revision")).toHaveText(`revision ${seeded + 2}`);
  await expect(page.getByTestId("dirty-flag")).toHaveAttribute("data-dirty", "false");
  const after = await trpcQuery<{ document: Topology }>(request, "topology.get", { id });
  expect(after.document.memberships[0]).toMatchObject({ state: "active", weight: 1 });
  await expect.poll(async () => { const c = await connectVip(VIP, vipPort).catch(() => null); c?.destroy(); return c !== null; }, { timeout: 10_000 }).toBe(true);
});

function connectVip(vip: string, port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const c = net.connect(port, vip);
    c.once("connect", () => resolve(c));
    c.once("error", reject);
  });
}

test("a hand-made change on a director is detected as drift and re-applied", async ({ page, request, uniqueName }) => {
  test.setTimeout(90_000);
  const VIP = "127.0.40.3";
  const b = await startBackend("b4", "127.0.41.4");
  cleanups.push(b.kill);
  const vipPort = await freePort(VIP);
  const name = uniqueName("drift");
  const { id, revision } = await seed(request, name, doc(name, VIP, vipPort, [b], ["active"]));
  const { token } = await enroll(request, id, "d1");
  // the agent runs in this process so the test can change its engine by hand (like ipvsadm on the box)
  const engine = new UserspaceEngine();
  const stateDir = await fs.mkdtemp(path.join(os.tmpdir(), "lvs-e2e-drift-"));
  const agent: RunningAgent = await runAgent({ server: `http://127.0.0.1:${process.env.LVS_E2E_PORT}`, token, engine, stateDir, log: memoryLog(), resyncIntervalMs: 0 });
  cleanups.push(async () => { await agent.stop(); await engine.close(); await fs.rm(stateDir, { recursive: true, force: true }); });
  await applyLatest(request, id);
  await expect.poll(() => answers(VIP, vipPort, 2), { timeout: 20_000 }).toEqual(["b4"]);

  await page.goto(`/deploy/${id}`);
  await expect(page.getByTestId("deploy-view")).toBeVisible();
  await expect(page.getByTestId("drift-banner")).toHaveCount(0);
  const table = await engine.read();
  table.services[0]!.destinations[0]!.weight = 5;
  await engine.apply(table);
  const banner = page.getByTestId("drift-banner");
  await expect(banner).toBeVisible({ timeout: 15_000 });
  await expect(banner.getByTestId("drift-op")).toHaveText([`ipvsadm -e -t ${VIP}:${vipPort} -r 127.0.41.4:${b.port} -m -w 1`]);
  await banner.getByTestId("drift-reapply").click();
  await expect(page.getByTestId("rollout")).toHaveAttribute("data-status", "succeeded", { timeout: 15_000 });
  await expect(page.getByTestId("rollout")).toHaveAttribute("data-revision", String(revision));
  expect((await engine.read()).services[0]!.destinations[0]!.weight).toBe(1);
  await expect(page.getByTestId("drift-banner")).toHaveCount(0, { timeout: 15_000 });
});
