// The overview (landing page) with real traffic: a real lvs-agent (userspace engine) forwards loopback
// HTTP to two backends; a second director was drawn but never enrolled. The overview must show the
// running director up with its conns/s and a filled sparkline, the draft director as not enrolled (not
// down), a killed backend under "failing", and recent events.
import type { Topology } from "../../lvs/model.ts";
import { trpcMutation } from "../fixtures/api.ts";
import { expect, test, watchConsole } from "../fixtures/test.ts";
import { applyLatest, enroll, freePort, getOnce, startAgent, startBackend, startTraffic, type Agent, type Backend, type Traffic } from "../live/liveLab.ts";

test.describe.configure({ mode: "serial" });

const VIP = "127.0.44.1";
const check = { kind: "tcp" as const, port: null, intervalMs: 300, timeoutMs: 250, rise: 1, fall: 2, onFailure: "quiesce" as const };

function doc(name: string, vipPort: number, backends: Backend[]): Topology {
  const host = { loopbackVips: [], tunnelVips: [], arpSuppressed: false, gateway: null };
  return {
    name,
    directors: [
      { id: "d1", name: "lb-overview", managementAddress: null, interfaces: [], engine: "userspace" },
      { id: "d2", name: "lb-draft", managementAddress: null, interfaces: [], engine: "userspace" },
    ],
    services: [{
      id: "web", protocol: "tcp", family: "inet", address: VIP, port: vipPort, fwmark: null, scheduler: "rr", flags: [],
      persistence: null, persistenceEngine: null, onePacket: false, description: "", directorIds: ["d1"],
      healthCheck: check, sorryServer: null, proxyProtocol: false,
    }],
    realServers: backends.map((b, i) => ({ id: `rs${i + 1}`, name: b.name, address: b.address, port: b.port, host })),
    memberships: backends.map((_, i) => ({
      id: `m${i + 1}`, serviceId: "web", realServerId: `rs${i + 1}`, method: "nat" as const, weight: 1,
      upperThreshold: 0, lowerThreshold: 0, tunnel: null, state: "active" as const, healthCheck: null,
    })),
    layout: {},
  };
}

let backends: Backend[] = [];
let agent: Agent | null = null;
let traffic: Traffic | null = null;
let topologyId = "";
let vipPort = 0;
let name = "";

test.beforeAll(async ({ request, baseURL }) => {
  test.setTimeout(120_000);
  backends = await Promise.all([1, 2].map((i) => startBackend(`ob${i}`, `127.0.45.${i}`)));
  vipPort = await freePort(VIP);
  name = `overview-${Date.now().toString(36)}`;
  // a dozen drafts whose names sort first and that changed last: the running cluster must still get its card
  for (let i = 0; i < 13; i++) await trpcMutation(request, "topology.create", { name: `0-draft-${i}-${name}` });
  const created = await trpcMutation<{ id: string; revision: number }>(request, "topology.create", { name });
  topologyId = created.id;
  await trpcMutation(request, "topology.save", { id: topologyId, expectedRevision: created.revision, document: doc(name, vipPort, backends), message: "overview e2e" });
  const d = await enroll(request, topologyId, "d1");
  agent = await startAgent(baseURL!, d.token);
  await applyLatest(request, topologyId);
  await expect.poll(() => getOnce(VIP, vipPort, 500), { timeout: 60_000, message: "the VIP never answered" }).toMatch(/^ob\d/);
  traffic = startTraffic(VIP, vipPort, 10, 200);
});

test.afterAll(async () => {
  await traffic?.stop();
  await agent?.stop();
  await Promise.all(backends.map((b) => b.kill().catch(() => {})));
});

test("the overview shows each director's health, traffic with a sparkline, failing real servers and recent events", async ({ page }) => {
  test.setTimeout(150_000);
  const problems = watchConsole(page);
  await page.goto("/");
  await expect(page).toHaveURL(/\/overview$/);
  const card = page.locator(`[data-testid="overview-topology"][data-topology="${name}"]`);
  const running = card.locator('[data-testid="overview-director"][data-director="lb-overview"]');
  const draft = card.locator('[data-testid="overview-director"][data-director="lb-draft"]');
  await expect(running).toHaveAttribute("data-health", "up", { timeout: 30_000 });
  // a director drawn but never enrolled is a draft, not an outage
  await expect(draft).toHaveAttribute("data-health", "not-enrolled");
  await expect(draft.getByTestId("overview-health")).toHaveText("not enrolled");
  // conns/s now: the generator sends 10 a second
  await expect.poll(async () => Number(await running.getAttribute("data-cps")), { timeout: 30_000 }).toBeGreaterThanOrEqual(5);
  // the sparkline is drawn from the server's history (several points already)
  await expect.poll(async () => Number(await running.getByTestId("overview-spark-cps").getAttribute("data-points")), { timeout: 60_000 }).toBeGreaterThan(1);
  // recent events: the save and the apply of this test are there
  await expect(page.getByTestId("overview-events").locator('[data-testid="overview-event"][data-action="topology.save"]').first()).toBeVisible();

  // a backend dies: it is listed as failing, with its address
  await backends[1]!.kill();
  await expect(card.getByTestId("overview-failing-server")).toContainText(`${backends[1]!.address}:${backends[1]!.port}`, { timeout: 30_000 });
  await page.screenshot({ path: test.info().outputPath("overview.png"), fullPage: true });
  expect(problems).toEqual([]);
});
