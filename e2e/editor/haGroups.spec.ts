// HA groups in the editor: two directors on one VIP already form a group with VRRP defaults; the
// operator pins them ("Edit settings"), changes router id and priorities, pairs a third director,
// and the validation explains a group of one and a duplicate router id in the seed's terms, inline.
import { expect, test } from "../fixtures/test.ts";
import { openEditor, save, seed, select, shot, stored } from "./editorPage.ts";

const dir = (id: string, dip: string) => ({ id, name: id, managementAddress: null, interfaces: [{ name: "eth0", address: dip, prefix: 24 }], engine: "ipvs" });
const svc = (id: string, vip: string, directorIds: string[]) => ({
  id, protocol: "tcp", family: "inet", address: vip, port: 80, fwmark: null, scheduler: "rr", flags: [], persistence: null,
  persistenceEngine: null, onePacket: false, description: "", directorIds, healthCheck: null, sorryServer: null, proxyProtocol: false,
});
const document = {
  name: "ha-editor",
  directors: [dir("lb1", "10.0.0.2"), dir("lb2", "10.0.0.3"), dir("lb3", "10.0.0.4")],
  services: [svc("web", "10.0.0.100", ["lb1", "lb2"]), svc("api", "10.0.0.101", ["lb3"])],
  realServers: [], memberships: [],
  layout: { lb1: { x: 0, y: 0 }, lb2: { x: 0, y: 160 }, lb3: { x: 0, y: 320 }, web: { x: 340, y: 60 }, api: { x: 340, y: 300 } },
};

test("two directors on a VIP form an HA group with VRRP defaults; edits, a group of one and a duplicate router id are explained inline", async ({ page, request, uniqueName }, testInfo) => {
  // ~15 s on a quiet machine; the margin is for a shared one (load 20 took 30 s to reach the save)
  test.setTimeout(60_000);
  const { id } = await seed(request, uniqueName("ha"), { ...document, name: uniqueName("ha-doc") });
  await openEditor(page, id);
  await select(page, "lb1");

  // formed by the shared VIP, with defaults: an allocated router id, the VIP checked
  const web = page.locator('[data-testid^="ha-group-"][data-declared]').first();
  await expect(web).toHaveAttribute("data-declared", "false");
  await expect(web.getByTestId("ha-group-vrid")).toHaveText(/^VRID \d+$/);
  await expect(web.getByTestId("ha-vip-10.0.0.100")).toBeChecked();
  await web.getByTestId("ha-declare").click();
  const form = page.locator('[data-declared="true"]').getByTestId("ha-group-form");
  // the defaults, now editable: VRRPv3, 1 s adverts, priorities by order (200, 190), connection sync on
  await expect(form.getByTestId("inspector-field-vrrpVersion")).toHaveValue("3");
  await expect(form.getByTestId("inspector-field-advertIntMs")).toHaveValue("1000");
  await expect(form.getByTestId("ha-priority-lb1")).toHaveAttribute("placeholder", "200");
  await expect(form.getByTestId("ha-priority-lb2")).toHaveAttribute("placeholder", "190");
  await expect(form.getByTestId("inspector-field-connectionSync")).toBeChecked();
  await form.getByTestId("inspector-field-virtualRouterId").fill("42");
  await form.getByTestId("ha-priority-lb2").fill("150");

  // a second pair, lb3 + lb1, over the api VIP
  await select(page, "lb3");
  await page.getByTestId("ha-pair-with").selectOption("lb1");
  await page.getByTestId("ha-pair").click();
  const api = page.locator('[data-testid^="ha-group-"][data-declared="true"]');
  await expect(api).toHaveCount(1);
  const apiIssues = api.getByTestId("ha-group-issues");
  // a group of one is still a single point of failure
  await api.getByTestId("ha-member-lb1").uncheck();
  await expect(apiIssues.locator('[data-code="ha.group-of-one"]')).toContainText("single point of failure");
  await api.getByTestId("ha-member-lb1").check();
  await api.getByTestId("ha-vip-10.0.0.101").check();
  await expect(apiIssues).toHaveCount(0);
  // the same router id as the first pair on one segment: both would claim one virtual MAC
  await api.getByTestId("inspector-field-virtualRouterId").fill("42");
  await expect(apiIssues.locator('[data-code="ha.duplicate-router-id"]')).toContainText("virtual_router_id 42 is used by HA groups lb1 + lb2, lb3 + lb1 on the network 10.0.0.0/24");
  await shot(page, testInfo, "ha-duplicate-router-id");
  await api.getByTestId("inspector-field-virtualRouterId").fill("43");
  await expect(apiIssues).toHaveCount(0);
  await save(page);

  const doc = (await stored(request, id)).document as unknown as { haGroups: Array<Record<string, unknown>>; services: Array<{ id: string; directorIds: string[] }> };
  expect(doc.services.find((s) => s.id === "api")!.directorIds).toEqual(["lb3", "lb1"]);
  expect(doc.haGroups.map((g) => [g.directorIds, g.virtualRouterId, g.priorities])).toEqual([
    [["lb1", "lb2"], 42, { lb2: 150 }],
    [["lb3", "lb1"], 43, {}],
  ]);
});
