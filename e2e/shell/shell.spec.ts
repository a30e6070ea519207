import { expect, test, watchConsole } from "../fixtures/test.ts";

test("the shell renders: product name, navigation, language switch", async ({ page }) => {
  const problems = watchConsole(page);
  await page.goto("/topologies");
  await expect(page.getByTestId("app-header")).toBeVisible();
  await expect(page.getByTestId("product-name")).toHaveText("LVS Console");
  const nav = page.getByTestId("nav-topologies");
  await expect(nav).toHaveText("Topologies");
  await expect(nav).toHaveAttribute("aria-current", "page");
  await expect(page.getByTestId("language-switch")).toHaveValue("en");
  await expect(page.getByTestId("topologies-page").getByRole("heading", { level: 1 })).toHaveText("Topologies");
  await expect(page.getByTestId("topology-list")).toBeVisible();
  await expect(page).toHaveTitle(/Topologies · LVS Console/);
  expect(problems).toEqual([]);
});

test("the landing page is the overview", async ({ page }) => {
  await page.goto("/");
  await expect(page).toHaveURL(/\/overview$/);
  await expect(page.getByTestId("nav-overview")).toHaveAttribute("aria-current", "page");
  await expect(page.getByTestId("overview-page")).toBeVisible();
});

test("the health endpoint says the database is up", async ({ request }) => {
  const res = await request.get("/healthz");
  expect(res.ok()).toBe(true);
});

test("an unknown page shows the translated not-found page inside the shell", async ({ page }) => {
  const res = await page.goto("/no-such-page");
  expect(res?.status()).toBe(404);
  await expect(page.getByTestId("app-header")).toBeVisible();
  await expect(page.getByTestId("not-found")).toContainText("Not found");
});
