// Issue 18: the live chart started empty on every page load (a 5-minute axis with seconds of data).
// With a real agent (userspace engine) forwarding traffic for a while, a fresh page load must show the
// last minutes at once, backfilled from the server's 1 s ring (live.history).
import type { Topology } from "../../lvs/model.ts";
import { trpcMutation } from "../fixtures/api.ts";
import { expect, test } from "../fixtures/test.ts";
import { applyLatest, enroll, freePort, getOnce, startAgent, startBackend, startTraffic, type Agent, type Backend, type Traffic } from "./liveLab.ts";

const VIP = "127.0.48.1";

function doc(name: string, vipPort: number, b: Backend): Topology {
  return {
    name,
    directors: [{ id: "d1", name: "lb-backfill", managementAddress: null, interfaces: [], engine: "userspace" }],
    services: [{ id: "web", protocol: "tcp", family: "inet", address: VIP, port: vipPort, fwmark: null, scheduler: "rr", flags: [], persistence: null,
      persistenceEngine: null, onePacket: false, description: "", directorIds: ["d1"], healthCheck: null, sorryServer: null, proxyProtocol: false }],
    realServers: [{ id: "rs1", name: b.name, address: b.address, port: b.port, host: { loopbackVips: [], tunnelVips: [], arpSuppressed: false, gateway: null } }],
    memberships: [{ id: "m1", serviceId: "web", realServerId: "rs1", method: "nat", weight: 1, upperThreshold: 0, lowerThreshold: 0, tunnel: null, state: "active", healthCheck: null }],
    layout: {},
  };
}

test("the live chart starts full: a page load shows the last minutes from the server, not an empty axis", async ({ page, request, baseURL }) => {
  test.setTimeout(150_000);
  const backend = await startBackend("bf1", "127.0.49.1");
  let agent: Agent | null = null;
  let traffic: Traffic | null = null;
  try {
    const vipPort = await freePort(VIP);
    const name = `backfill-${Date.now().toString(36)}`;
    const t = await trpcMutation<{ id: string; revision: number }>(request, "topology.create", { name });
    await trpcMutation(request, "topology.save", { id: t.id, expectedRevision: t.revision, document: doc(name, vipPort, backend), message: "backfill e2e" });
    const d = await enroll(request, t.id, "d1");
    agent = await startAgent(baseURL!, d.token);
    await applyLatest(request, t.id);
    await expect.poll(() => getOnce(VIP, vipPort, 500), { timeout: 60_000 }).toMatch(/^bf1/);
    traffic = startTraffic(VIP, vipPort, 5, 120);
    // the server's ring holds a stretch of traffic before the page is opened
    await page.waitForTimeout(12_000);
    const loadedAt = Date.now();
    await page.goto(`/live/${t.id}`);
    const chart = page.getByTestId(`chart-tcp|${VIP}|${vipPort}`);
    await expect(chart).toBeVisible({ timeout: 30_000 });
    // the first point lies well before the page was loaded: the chart was backfilled
    await expect.poll(async () => Number(await chart.getAttribute("data-first-at")), { timeout: 20_000 }).toBeLessThan(loadedAt - 8_000);
    // and it holds those seconds at once (a chart filled only live would need 8 more seconds)
    await expect.poll(async () => Number(await chart.getAttribute("data-points")), { timeout: 3_000 }).toBeGreaterThan(8);
    await page.screenshot({ path: test.info().outputPath("live-backfilled.png"), fullPage: true });
  } finally {
    await traffic?.stop();
    await agent?.stop();
    await backend.kill().catch(() => {});
  }
});
