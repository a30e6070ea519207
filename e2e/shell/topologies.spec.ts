import { expect, test, watchConsole } from "../fixtures/test.ts";

test("create a topology through the form; it is listed and survives a reload", async ({ page, uniqueName }) => {
  const problems = watchConsole(page);
  const name = uniqueName("web-frontend");
  await page.goto("/topologies");
  await page.getByTestId("create-topology-name").fill(name);
  await page.getByTestId("create-topology-submit").click();
  await expect(page.getByTestId("create-topology-success")).toContainText(name);
  await expect(page.getByTestId("create-topology-name")).toHaveValue("");

  const row = page.locator(`[data-testid="topology-row"][data-topology-name="${name}"]`);
  await expect(row).toHaveCount(1);
  await page.reload();
  await expect(row).toHaveCount(1);

  const id = await row.getAttribute("data-topology-id");
  expect(id).toBeTruthy();
  await expect(row.getByTestId("topology-link")).toHaveAttribute("href", `/topology/${id}`);
  expect(problems).toEqual([]);
});

test("a topology created through the API shows up in the list", async ({ page, seedTopology, uniqueName }) => {
  const created = await seedTopology(uniqueName("api-seeded"));
  await page.goto("/topologies");
  const row = page.locator(`[data-testid="topology-row"][data-topology-id="${created.id}"]`);
  await expect(row).toHaveAttribute("data-topology-name", created.name);
  await expect(row.getByTestId("topology-revision")).toHaveText(String(created.revision));
});

test("a duplicate name shows the typed CONFLICT error and creates nothing", async ({ page, seedTopology, uniqueName }) => {
  const name = uniqueName("dup");
  await seedTopology(name);
  await page.goto("/topologies");
  await page.getByTestId("create-topology-name").fill(name);
  await page.getByTestId("create-topology-submit").click();
  const error = page.getByTestId("create-topology-error");
  await expect(error).toHaveAttribute("data-error-code", "CONFLICT");
  await expect(error).toHaveText(`A topology named “${name}” already exists.`);
  await expect(page.locator(`[data-testid="topology-row"][data-topology-name="${name}"]`)).toHaveCount(1);
});

test("an empty name is refused before it reaches the server", async ({ page }) => {
  await page.goto("/topologies");
  await page.getByTestId("create-topology-name").fill("   ");
  await page.getByTestId("create-topology-submit").click();
  await expect(page.getByTestId("create-topology-error")).toHaveText("Name is required.");
});
