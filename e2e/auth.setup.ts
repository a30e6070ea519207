// The `setup` project: a fresh server has no user, so the first visit lands on /setup; create the
// e2e admin there (the real first-run flow) and save the signed-in state for every other spec.
import { expect, test as setup } from "@playwright/test";
import { ADMIN_STATE, E2E_ADMIN } from "./fixtures/auth.ts";

setup("first-run setup creates the admin and signs in", async ({ page }) => {
  await page.goto("/");
  if (new URL(page.url()).pathname === "/setup") {
    await page.getByTestId("setup-name").fill(E2E_ADMIN.name);
    await page.getByTestId("setup-email").fill(E2E_ADMIN.email);
    await page.getByTestId("setup-password").fill(E2E_ADMIN.password);
    await page.getByTestId("setup-confirm").fill(E2E_ADMIN.password);
    await page.getByTestId("setup-submit").click();
  } else {
    // a server reused between runs: the admin exists already
    await expect(page).toHaveURL(/\/login/);
    await page.getByTestId("login-email").fill(E2E_ADMIN.email);
    await page.getByTestId("login-password").fill(E2E_ADMIN.password);
    await page.getByTestId("login-submit").click();
  }
  await expect(page).toHaveURL(/\/(overview|topologies)$/);
  await expect(page.getByTestId("user-email")).toHaveText(E2E_ADMIN.email);
  await page.context().storageState({ path: ADMIN_STATE });
});
