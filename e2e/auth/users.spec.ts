// User administration through the UI, as the e2e admin: add a user, change the role, reset the
// password, disable -- and what the user can do after each step, checked against the API.
import { expect, test } from "../fixtures/test.ts";
import { signInAs } from "../fixtures/auth.ts";

test("an admin adds a user, changes the role, resets the password and disables the account", async ({ page, browser, baseURL, uniqueName }) => {
  const email = `${uniqueName("ops")}@e2e.example`;
  await page.goto("/users");
  await page.getByTestId("new-user-email").fill(email);
  await page.getByTestId("new-user-name").fill("Ops Person");
  await page.getByTestId("new-user-role").selectOption("viewer");
  await page.getByTestId("new-user-password").fill("first-password-1");
  await page.getByTestId("new-user-submit").click();
  await expect(page.getByTestId("users-notice")).toContainText(`${email} was added`);
  const row = page.locator(`[data-testid="user-row"][data-email="${email}"]`);
  await expect(row).toHaveAttribute("data-role", "viewer");

  const asViewer = await signInAs(browser, baseURL!, email, "first-password-1");
  expect((await asViewer.request.post("/api/trpc/topology.create", { data: { name: uniqueName("nope") } })).status()).toBe(403);

  await row.getByTestId("user-role-select").selectOption("operator");
  await expect(row).toHaveAttribute("data-role", "operator");
  // a role change ends the user's sessions: the old cookie is dead
  expect((await asViewer.request.get("/api/trpc/topology.list")).status()).toBe(401);
  const asOperator = await signInAs(browser, baseURL!, email, "first-password-1");
  expect((await asOperator.request.post("/api/trpc/topology.create", { data: { name: uniqueName("yes") } })).status()).toBe(200);

  await row.getByTestId("user-reset-password").click();
  await page.getByTestId("reset-password-input").fill("second-password-2");
  await page.getByTestId("reset-password-submit").click();
  await expect(page.getByTestId("reset-password-form")).toHaveCount(0);
  await expect(page.getByTestId("users-notice")).toContainText(`Password changed; ${email}`);
  expect((await asOperator.request.get("/api/trpc/topology.list")).status()).toBe(401);
  await expect(signInAs(browser, baseURL!, email, "first-password-1")).rejects.toThrow(/401/);

  await row.getByTestId("user-toggle-disabled").click();
  await expect(row).toHaveAttribute("data-disabled", "true");
  await expect(signInAs(browser, baseURL!, email, "second-password-2")).rejects.toThrow(/401/);

  // the log opens pre-filtered from its URL
  await page.goto(`/audit?target=${encodeURIComponent(`user:${email}`)}&action=user`);
  await expect(page.getByTestId("audit-filter-target")).toHaveValue(`user:${email}`);
  await expect
    .poll(() => page.getByTestId("audit-row").evaluateAll((els) => els.map((e) => e.getAttribute("data-action"))))
    .toEqual(["user.disable", "user.resetPassword", "user.setRole", "user.create"]);
  await asViewer.close();
  await asOperator.close();
});
