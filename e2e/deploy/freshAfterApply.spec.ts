// Issue 18: after "Apply revision N succeeded" the revisions table showed the previous revision as
// running and "Apply revision N" stayed enabled until a reload. After the apply, without reloading,
// the table must say where N runs and the spent plan must not offer the same apply again.
import type { Topology } from "../../lvs/model.ts";
import { trpcMutation } from "../fixtures/api.ts";
import { expect, test, watchConsole } from "../fixtures/test.ts";
import { applyLatest, enroll, freePort, getOnce, startAgent, startBackend, type Agent, type Backend } from "../live/liveLab.ts";

const VIP = "127.0.46.1";
const host = { loopbackVips: [], tunnelVips: [], arpSuppressed: false, gateway: null };
const doc = (name: string, port: number, b: Backend[], weight: number): Topology => ({
  name,
  directors: [{ id: "d1", name: "lb-fresh", managementAddress: null, interfaces: [], engine: "userspace" }],
  services: [{ id: "web", protocol: "tcp", family: "inet", address: VIP, port, fwmark: null, scheduler: "wrr", flags: [], persistence: null,
    persistenceEngine: null, onePacket: false, description: "", directorIds: ["d1"], healthCheck: null, sorryServer: null, proxyProtocol: false }],
  realServers: b.map((x, i) => ({ id: `rs${i}`, name: x.name, address: x.address, port: x.port, host })),
  memberships: b.map((_, i) => ({ id: `m${i}`, serviceId: "web", realServerId: `rs${i}`, method: "nat" as const, weight: i === 0 ? weight : 1,
    upperThreshold: 0, lowerThreshold: 0, tunnel: null, state: "active" as const, healthCheck: null })),
  layout: {},
});

test("after Apply the revisions table shows the new revision running and Apply is no longer offered", async ({ page, request, baseURL, uniqueName }) => {
  test.setTimeout(120_000);
  const problems = watchConsole(page);
  const backends = [await startBackend("f1", "127.0.47.1"), await startBackend("f2", "127.0.47.2")];
  let agent: Agent | null = null;
  try {
    const port = await freePort(VIP);
    const name = uniqueName("fresh");
    const t = await trpcMutation<{ id: string; revision: number }>(request, "topology.create", { name });
    const r1 = await trpcMutation<{ revision: number }>(request, "topology.save", { id: t.id, expectedRevision: t.revision, document: doc(name, port, backends, 1), message: "first" });
    const d = await enroll(request, t.id, "d1");
    agent = await startAgent(baseURL!, d.token);
    await applyLatest(request, t.id);
    await expect.poll(() => getOnce(VIP, port, 500), { timeout: 60_000 }).toMatch(/^f\d/);
    const r2 = await trpcMutation<{ revision: number }>(request, "topology.save", { id: t.id, expectedRevision: r1.revision, document: doc(name, port, backends, 5), message: "weight 5" });

    await page.goto(`/deploy/${t.id}`);
    const row = (rev: number) => page.getByTestId("revision-row").and(page.locator(`[data-revision="${rev}"]`));
    await expect(row(r1.revision).getByTestId("revision-runs-on")).toHaveText("lb-fresh");
    await expect(row(r2.revision).getByTestId("revision-runs-on")).toHaveText("—");
    await page.getByTestId("plan-button").click();
    await expect(page.getByTestId("plan-op")).toHaveCount(1);
    await page.getByTestId("apply-button").click();
    await expect(page.getByTestId("rollout")).toHaveAttribute("data-status", "succeeded", { timeout: 30_000 });
    // no reload: the table follows the apply
    await expect(row(r2.revision).getByTestId("revision-runs-on")).toHaveText("lb-fresh", { timeout: 15_000 });
    await expect(row(r1.revision).getByTestId("revision-runs-on")).toHaveText("—");
    // the spent plan is not offered again; planning again says there is nothing to apply
    await expect(page.getByTestId("apply-button")).toBeDisabled();
    await page.getByTestId("plan-button").click();
    await expect(page.getByTestId("plan-up-to-date")).toBeVisible();
    await expect(page.getByTestId("apply-button")).toBeDisabled();
    expect(problems).toEqual([]);
  } finally {
    await agent?.stop();
    await Promise.all(backends.map((b) => b.kill().catch(() => {})));
  }
});
