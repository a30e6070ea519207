// HA groups in the editor: pair two directors from the director's inspector, float a VIP in the
// group, edit the VRRP settings with validation inline (ha.* codes in the UI language), save, and
// get the settings back in the director's keepalived.conf export.
import { expect, test } from "../fixtures/test.ts";
import { openEditor, save, seed, select, shot, stored } from "./editorPage.ts";

const dir = (id: string, name: string, dip: string) => ({ id, name, managementAddress: null, interfaces: [{ name: "eth0", address: dip, prefix: 24 }], engine: "ipvs" });
const document = {
  name: "ha-editor",
  directors: [dir("lb1", "lb1", "10.0.0.2"), dir("lb2", "lb2", "10.0.0.3")],
  services: [{
    id: "web", protocol: "tcp", family: "inet", address: "10.0.0.100", port: 80, fwmark: null, scheduler: "rr", flags: [], persistence: null,
    persistenceEngine: null, onePacket: false, description: "", directorIds: ["lb1"], healthCheck: null, sorryServer: null, proxyProtocol: false,
  }],
  realServers: [], memberships: [],
  layout: { lb1: { x: 0, y: 0 }, lb2: { x: 0, y: 200 }, web: { x: 340, y: 100 } },
};

test("pair two directors, float the VIP, edit VRRP settings with inline ha.* issues, save and export", async ({ page, request, uniqueName }, testInfo) => {
  const { id } = await seed(request, uniqueName("ha"), { ...document, name: uniqueName("ha-doc") });
  await openEditor(page, id);
  await select(page, "lb1");
  await expect(page.getByTestId("ha-none")).toBeVisible();
  await page.getByTestId("ha-pair-with").selectOption("lb2");
  await page.getByTestId("ha-pair").click();
  const group = page.locator('[data-testid^="ha-group-"][data-declared="true"]');
  await expect(group).toHaveCount(1);
  // a declared pair without a shared VIP has nothing to move: said inline, in the seed's terms
  await expect(group.getByTestId("ha-group-issues").locator('[data-code="ha.no-vip"]')).toHaveCount(1);
  await group.getByTestId("ha-vip-10.0.0.100").check();
  await expect(group.getByTestId("ha-group-issues")).toHaveCount(0);

  const form = group.getByTestId("ha-group-form");
  await form.getByTestId("inspector-field-virtualRouterId").fill("42");
  await form.getByTestId("inspector-field-advertIntMs").fill("200");
  await form.getByTestId("ha-priority-lb2").fill("150");
  // VRRPv2 cannot advertise every 0.2 s: the rule shows up inline at once
  await form.getByTestId("inspector-field-vrrpVersion").fill("2");
  await expect(group.getByTestId("ha-group-issues").locator('[data-code="ha.advert-v2-whole-seconds"]')).toHaveCount(1);
  await form.getByTestId("inspector-field-vrrpVersion").fill("3");
  await expect(group.getByTestId("ha-group-issues")).toHaveCount(0);
  // out of range: the field keeps its error and the document keeps the last valid value
  await form.getByTestId("inspector-field-virtualRouterId").fill("300");
  await expect(form.getByTestId("inspector-error-virtualRouterId")).toBeVisible();
  await form.getByTestId("inspector-field-virtualRouterId").fill("42");
  await form.getByTestId("inspector-field-syncId").fill("9");
  await shot(page, testInfo, "ha-group-form");
  await save(page);

  const doc = (await stored(request, id)).document as unknown as { haGroups: Array<Record<string, unknown>>; services: Array<{ directorIds: string[] }> };
  expect(doc.services[0]!.directorIds).toEqual(["lb1", "lb2"]);
  expect(doc.haGroups).toHaveLength(1);
  expect(doc.haGroups[0]).toMatchObject({ directorIds: ["lb1", "lb2"], virtualRouterId: 42, advertIntMs: 200, vrrpVersion: 3, priorities: { lb2: 150 }, syncId: 9 });

  await page.getByTestId("open-export").click();
  await page.getByTestId("export-scope").selectOption({ label: "Director lb2" });
  await page.getByTestId("export-tab-keepalived").click();
  const conf = (await page.getByTestId("export-text").textContent())!;
  expect(conf).toContain("lvs_sync_daemon eth0 ");
  expect(conf).toContain(" id 9\n");
  expect(conf).toMatch(/state BACKUP\n\s+interface eth0\n\s+virtual_router_id 42\n\s+priority 150\n\s+advert_int 0.2\n\s+version 3\n\s+unicast_src_ip 10.0.0.3\n/);
  expect(conf).toContain("10.0.0.100/24 dev eth0");
});
