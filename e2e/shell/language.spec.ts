import { expect, test } from "../fixtures/test.ts";

test("the language switch changes the UI to Simplified Chinese and the choice persists", async ({ page, context }) => {
  await page.goto("/topologies");
  await expect(page.getByTestId("nav-topologies")).toHaveText("Topologies");
  await expect(page.locator("html")).toHaveAttribute("lang", "en");

  await page.getByTestId("language-switch").selectOption("zh");
  await expect(page.getByTestId("nav-topologies")).toHaveText("拓扑");
  await expect(page.getByTestId("product-name")).toHaveText("LVS 控制台");
  await expect(page.getByTestId("create-topology-submit")).toHaveText("创建拓扑");
  await expect(page.locator("html")).toHaveAttribute("lang", "zh-CN");
  // LVS terms stay as they are
  await expect(page.getByTestId("topologies-page")).toContainText("VIP");

  const cookie = (await context.cookies()).find((c) => c.name === "NEXT_LOCALE");
  expect(cookie?.value).toBe("zh");

  await page.reload();
  await expect(page.getByTestId("nav-topologies")).toHaveText("拓扑");
  await expect(page.getByTestId("language-switch")).toHaveValue("zh");

  // a new page in the same browser context remembers it too
  const second = await context.newPage();
  await second.goto("/topologies");
  await expect(second.getByTestId("nav-topologies")).toHaveText("拓扑");

  await page.getByTestId("language-switch").selectOption("en");
  await expect(page.getByTestId("nav-topologies")).toHaveText("Topologies");
  await page.reload();
  await expect(page.getByTestId("nav-topologies")).toHaveText("Topologies");
});
