// Canvas details an operator trips over: a new connection is selected at once, the packet path says
// when a director has no DIP, membership labels never sit under nodes (default columns and auto
// layout), the minimap never covers nodes after fit view, and a draft (a service without real
// servers, a director no agent ever ran) is drawn and saved with its issues, not as errors.
import type { Page } from "@playwright/test";
import { expect, test } from "../fixtures/test.ts";
import { connect, drop, openEditor, save, seed, selectEdge, shot } from "./editorPage.ts";
import { knownTopology } from "./known.ts";

type Box = { x: number; y: number; width: number; height: number };
test.describe.configure({ timeout: 90_000 }); // drags and layouts on a loaded 2-core machine

const overlap = (a: Box, b: Box) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

async function boxes(page: Page, selector: string): Promise<Array<{ id: string; box: Box }>> {
  const out: Array<{ id: string; box: Box }> = [];
  for (const el of await page.locator(selector).all()) {
    const box = await el.boundingBox();
    if (box) out.push({ id: (await el.getAttribute("data-testid")) ?? (await el.getAttribute("data-id")) ?? "?", box });
  }
  return out;
}

/** every membership label against every node box: the pairs that overlap */
async function labelsUnderNodes(page: Page) {
  const labels = await boxes(page, '[data-testid^="edge-"][data-method]');
  const nodes = await boxes(page, ".react-flow__node");
  return labels.flatMap((l) => nodes.filter((n) => overlap(l.box, n.box)).map((n) => `${l.id}/${n.id}`));
}

/** a realistic column: one director, two VIPs, seven real servers, NAT with ports (the longest labels) */
function tall() {
  const rs = Array.from({ length: 7 }, (_, i) => ({
    id: `rs-${i + 1}`, name: `web${i + 1}`, address: `10.0.1.${100 + i}`, port: 8080,
    host: { loopbackVips: [], tunnelVips: [], arpSuppressed: false, gateway: "10.0.0.2" },
  }));
  const memberships = rs.map((r, i) => ({
    id: `m-${i + 1}`, serviceId: i < 4 ? "svc-web" : "svc-dns", realServerId: r.id, method: "nat", weight: 100 + i,
    upperThreshold: 0, lowerThreshold: 0, tunnel: null, state: i === 2 ? "draining" : "active", healthCheck: null,
  }));
  return { ...knownTopology, services: knownTopology.services.map((s) => ({ ...s, persistence: null })), realServers: rs, memberships, layout: {} };
}

test("a new connection is selected: the inspector opens on its method and weight", async ({ page, request, uniqueName }) => {
  const { id } = await seed(request, uniqueName("newconn"), knownTopology);
  await openEditor(page, id);
  await expect(page.getByTestId("node-svc-dns")).toBeVisible();
  const rs = await drop(page, "realServer", 420, 420); // the dropped node is selected
  await connect(page, "svc-dns", rs);
  await expect(page.getByTestId("inspector-multi")).toHaveCount(0);
  await expect(page.getByTestId("inspector-field-method")).toBeVisible();
  const object = await page.getByTestId("inspector-object").getAttribute("data-object");
  await expect(page.getByTestId(`edge-${object}`)).toHaveAttribute("data-method", "dr");
});

test("the packet path says when the director has no DIP", async ({ page, request, uniqueName }) => {
  const noDip = { ...knownTopology, directors: [{ ...knownTopology.directors[0]!, name: "demo-lvs", interfaces: [] }] };
  const { id } = await seed(request, uniqueName("nodip"), noDip);
  await openEditor(page, id);
  await selectEdge(page, "m-3");
  const summary = page.getByTestId("packet-path-summary");
  await expect(summary).toHaveAttribute("data-dip", "missing");
  await expect(summary).toHaveText("CIP → VIP 10.0.0.53:53 → DIP missing: the director declares no interface (demo-lvs) → RIP 10.0.0.9:5353");
  await expect(summary).not.toContainText("DIP DIP");
});

test("membership labels never sit under nodes, by default and after auto layout; the minimap covers no node after fit view", async ({ page, request, uniqueName }, testInfo) => {
  const { id } = await seed(request, uniqueName("labels"), tall());
  await openEditor(page, id);
  await expect(page.getByTestId("edge-m-7")).toBeVisible();
  await page.getByTestId("fit-view").click();
  await expect.poll(() => labelsUnderNodes(page)).toEqual([]);
  const minimap = (await page.locator(".react-flow__minimap").boundingBox())!;
  const coveredByMinimap = async () => (await boxes(page, ".react-flow__node")).filter((n) => overlap(n.box, minimap)).map((n) => n.id);
  await expect.poll(coveredByMinimap).toEqual([]);
  await shot(page, testInfo, "default-columns");

  await page.getByTestId("auto-layout").click();
  await expect(page.getByTestId("dirty-flag")).toHaveAttribute("data-dirty", "true");
  await page.waitForTimeout(600); // the layout's fit view animation
  await expect.poll(() => labelsUnderNodes(page)).toEqual([]);
  await expect.poll(coveredByMinimap).toEqual([]);
  // one label per membership, each on one line (no self-overlapping "Masq 0 DRAINING")
  for (const l of await boxes(page, '[data-testid^="edge-"][data-method]')) expect(l.box.height, l.id).toBeLessThan(24);
  await shot(page, testInfo, "auto-layout");
});

test("a draft: a service without real servers is drawn and saved with its warning; a director no agent ran is not OFFLINE", async ({ page, request, uniqueName }, testInfo) => {
  const draft = { ...knownTopology, realServers: [], memberships: [] };
  const { id } = await seed(request, uniqueName("draft"), draft);
  await openEditor(page, id);
  await expect(page.getByTestId("issue-service.no-real-servers").first()).toBeVisible();
  // a warning is amber, not red
  await page.getByTestId("node-svc-web").click();
  await expect(page.getByTestId("inspector-issues")).toHaveAttribute("data-severity", "warning");
  const svc = await drop(page, "service", 300, 420);
  await connect(page, "dir-a", svc);
  await save(page);
  await expect(page.getByTestId("saved-with-errors")).toHaveCount(0);
  // the director was saved but no agent ever connected: a draft, not a red OFFLINE
  const live = page.getByTestId("live-node-dir-a");
  await expect(live).toHaveAttribute("data-agent", "none", { timeout: 20_000 });
  await expect(live).not.toContainText(/offline/i);
  // drain needs an agent to follow the connections: not offered yet
  await page.getByTestId("node-dir-a").click();
  await expect(page.getByTestId("drain-no-agent")).toBeVisible();
  await expect(page.getByTestId("drain-start")).toHaveCount(0);
  await shot(page, testInfo, "draft");
});
