import { expect, test } from "../fixtures/test.ts";
import { scaleTopology } from "../../bench/scaleTopology.ts";
import { openEditor, seed } from "./editorPage.ts";

// 1 500 services × 3 memberships over 750 real servers and 6 directors: above the grouping threshold
const doc = scaleTopology(1500, 3);
const PAIR = "group:dir-1+dir-2"; // services s ≡ 0 (mod 4): svc-1, svc-5, …
// svc-1201 (s = 1200) sits on dir-1+dir-2 as its 301st service: beyond the first page of the group
const DEEP = { id: "svc-1201", address: "10.100.1.51" };

test.describe("big clusters", () => {
  test.setTimeout(180_000);

  test("grouped canvas: director groups with counts, expand services and pools, search opens a collapsed group", async ({ page, request, uniqueName }) => {
    const { id } = await seed(request, uniqueName("big"), doc);
    await openEditor(page, id);
    const canvas = page.getByTestId("canvas");
    await expect(canvas).toHaveAttribute("data-view", "grouped", { timeout: 60_000 });
    await expect(page.getByTestId("view-switch")).toHaveAttribute("data-mode", "grouped");
    // a document loaded without a layout is not an unsaved change
    await expect(page.getByTestId("dirty-flag")).toHaveAttribute("data-dirty", "false");
    const group = page.getByTestId(`group-${PAIR}`);
    await expect(group).toHaveAttribute("data-services", "375");
    await expect(group).toHaveAttribute("data-expanded", "false");
    await expect(page.getByTestId("node-svc-1")).toHaveCount(0);

    await page.getByTestId(`group-toggle-${PAIR}`).click();
    await expect(group).toHaveAttribute("data-expanded", "true");
    await expect(group).toHaveAttribute("data-shown", "100");
    await expect(page.getByTestId(`group-more-${PAIR}`)).toBeVisible();
    await expect(page.getByTestId(`node-${DEEP.id}`)).toHaveCount(0);
    // opening shows what it drew: the group and its first services
    await expect(page.getByTestId("node-svc-1")).toBeVisible();
    // search selects a drawn service and centres it (its row also holds its pool)
    await page.getByTestId("search").fill("10.100.0.1");
    await page.getByTestId("search-hit-svc-1").click();
    await expect(page.getByTestId("inspector-object")).toHaveAttribute("data-object", "svc-1");
    await expect(page.getByTestId("node-svc-1")).toBeVisible();
    const pool = page.getByTestId("pool-svc-1");
    await expect(pool).toHaveAttribute("data-count", "3");
    await expect(pool).toHaveAttribute("data-expanded", "false");
    await expect(page.getByTestId("node-rs-1")).toHaveCount(0);

    // the pool sits at the right edge of the focused view (under the minimap's corner at some
    // sizes): its toggle is clicked as a DOM event; what is tested is what opening a pool draws
    await page.getByTestId("pool-toggle-svc-1").dispatchEvent("click");
    await expect(pool).toHaveAttribute("data-expanded", "true");
    // opening the pool brings its real servers (drawn to its right) into view
    for (const rs of ["rs-1", "rs-2", "rs-3"]) await expect(page.getByTestId(`node-${rs}`)).toBeVisible();
    await expect(page.getByTestId("node-rs-4")).toHaveCount(0);
    // zoom in on the real server, then select the membership drawn from the pool (the document's own
    // edge) and edit it in the inspector
    await page.getByTestId("search").fill("10.200.0.1");
    await page.getByTestId("search-hit-rs-1").click();
    await expect(page.getByTestId("inspector-object")).toHaveAttribute("data-object", "rs-1");
    await page.getByTestId("edge-m-1").click();
    await expect(page.getByTestId("panel-membership")).toBeVisible();
    await page.getByTestId("inspector-field-weight").fill("7");
    await expect(page.getByTestId("edge-m-1-line")).toContainText("Masq 7");
    await expect(page.getByTestId("dirty-flag")).toHaveAttribute("data-dirty", "true");

    // search reaches a service hidden beyond the group's first page: it is drawn and selected
    await page.getByTestId("search").fill(DEEP.address);
    await page.getByTestId(`search-hit-${DEEP.id}`).click();
    await expect(page.getByTestId(`node-${DEEP.id}`)).toBeVisible();
    await expect(page.getByTestId("inspector-object")).toHaveAttribute("data-object", DEEP.id);
  });

  test("table view: every service, filter, open memberships, edit through the inspector", async ({ page, request, uniqueName }) => {
    const { id } = await seed(request, uniqueName("big-table"), doc);
    await openEditor(page, id);
    await page.getByTestId("view-table").click();
    const table = page.getByTestId("table-view");
    await expect(table).toHaveAttribute("data-rows", "1500");
    await expect(page.getByTestId("canvas")).toHaveCount(0);

    await page.getByTestId("table-filter").fill(DEEP.address);
    await expect(table).toHaveAttribute("data-rows", "4");
    await page.getByTestId(`table-row-${DEEP.id}`).click();
    await expect(page.getByTestId("inspector-object")).toHaveAttribute("data-object", DEEP.id);
    await page.getByTestId("inspector-field-port").fill("31000");
    await expect(page.getByTestId(`table-row-${DEEP.id}`)).toContainText(`${DEEP.address}:31000`);

    await page.getByTestId(`table-open-${DEEP.id}`).click();
    await expect(table).toHaveAttribute("data-rows", "7");
    const member = table.locator('[data-testid^="table-row-m-"]').first();
    await member.click();
    await expect(page.getByTestId("panel-membership")).toBeVisible();
    await page.getByTestId("inspector-field-state").selectOption("disabled");
    await expect(member).toHaveAttribute("data-state", "disabled");

    // the same document in the grouped canvas: the edit is there (one store, three views)
    await page.getByTestId("view-grouped").click();
    await expect(page.getByTestId("canvas")).toHaveAttribute("data-view", "grouped");
    await expect(page.getByTestId("dirty-flag")).toHaveAttribute("data-dirty", "true");
  });
});
