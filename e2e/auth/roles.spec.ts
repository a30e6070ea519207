// Operators and roles end to end: sign-in and sign-out, a viewer who cannot save or apply (the UI
// hides it and the API answers 403), an operator who can, and the audit log showing each step with
// the right user. Specs start signed in as the e2e admin (e2e/auth.setup.ts).
import type { APIRequestContext } from "@playwright/test";
import { expect, test } from "../fixtures/test.ts";
import { trpcMutation, TrpcCallError } from "../fixtures/api.ts";
import { createUser, E2E_ADMIN, signInAs } from "../fixtures/auth.ts";
import { seed } from "../editor/editorPage.ts";
import { knownTopology } from "../editor/known.ts";

const PASSWORD = "e2e-role-password";

async function refused(request: APIRequestContext, path: string, input: unknown): Promise<{ code: string; status: number }> {
  try {
    await trpcMutation(request, path, input);
  } catch (err) {
    if (err instanceof TrpcCallError) return { code: err.code, status: err.httpStatus };
    throw err;
  }
  return { code: "OK", status: 200 };
}

test("signing in and out: an anonymous visit goes to /login and comes back after signing in", async ({ browser, baseURL, request, uniqueName }) => {
  const email = `${uniqueName("op")}@e2e.example`;
  await createUser(request, { email, role: "operator", password: PASSWORD });
  const context = await browser.newContext({ baseURL: baseURL!, storageState: { cookies: [], origins: [] } });
  const page = await context.newPage();
  await page.goto("/topologies");
  await expect(page).toHaveURL(/\/login\?next=%2Ftopologies$/);
  await expect(page.getByTestId("main-nav")).toHaveCount(0);
  await page.goto("/setup"); // closed once an admin exists
  await expect(page).toHaveURL(/\/login$/);

  await page.goto("/login?next=%2Ftopologies");
  await page.getByTestId("login-email").fill(email);
  await page.getByTestId("login-password").fill("not-the-password");
  await page.getByTestId("login-submit").click();
  await expect(page.getByTestId("login-error")).toHaveAttribute("data-error-code", "UNAUTHORIZED");
  await page.getByTestId("login-password").fill(PASSWORD);
  await page.getByTestId("login-submit").click();
  await expect(page).toHaveURL(/\/topologies$/);
  await expect(page.getByTestId("user-email")).toHaveText(email);
  await expect(page.getByTestId("user-role")).toHaveAttribute("data-role", "operator");

  // their own password, from the user menu
  await page.getByTestId("user-email").click();
  await expect(page).toHaveURL(/\/account$/);
  await page.getByTestId("current-password").fill("wrong-password-0");
  await page.getByTestId("new-password").fill("changed-password-9");
  await page.getByTestId("confirm-password").fill("changed-password-9");
  await page.getByTestId("change-password-submit").click();
  await expect(page.getByTestId("change-password-error")).toHaveText("The current password is wrong.");
  await page.getByTestId("current-password").fill(PASSWORD);
  await page.getByTestId("change-password-submit").click();
  await expect(page.getByTestId("change-password-done")).toBeVisible();

  await page.getByTestId("logout").click();
  await expect(page).toHaveURL(/\/login$/);
  const after = await context.request.get("/api/trpc/topology.list");
  expect(after.status()).toBe(401);
  await expect(signInAs(browser, baseURL!, email, PASSWORD)).rejects.toThrow(/401/);
  await (await signInAs(browser, baseURL!, email, "changed-password-9")).close();
  await context.close();
});

test("a viewer cannot save or apply: the UI hides it and the API refuses it (403); the audit log shows who did what", async ({ browser, baseURL, request, uniqueName }) => {
  const viewerEmail = `${uniqueName("viewer")}@e2e.example`;
  const operatorEmail = `${uniqueName("operator")}@e2e.example`;
  await createUser(request, { email: viewerEmail, role: "viewer", password: PASSWORD });
  await createUser(request, { email: operatorEmail, role: "operator", password: PASSWORD });
  const name = uniqueName("roles");
  const { id, revision } = await seed(request, name, knownTopology);
  const document = { ...knownTopology, name };

  // --- the viewer: sees everything, changes nothing
  const viewer = await signInAs(browser, baseURL!, viewerEmail, PASSWORD);
  const vpage = await viewer.newPage();
  await vpage.goto("/topologies");
  await expect(vpage.getByTestId("user-role")).toHaveAttribute("data-role", "viewer");
  await expect(vpage.getByTestId("topology-list").getByText(name)).toBeVisible();
  await expect(vpage.getByTestId("create-topology-form")).toHaveCount(0);
  await expect(vpage.getByTestId("nav-audit")).toBeVisible();
  await expect(vpage.getByTestId("nav-users")).toHaveCount(0);

  await vpage.goto(`/topology/${id}`);
  await expect(vpage.getByTestId("topology-editor")).toBeVisible({ timeout: 60_000 });
  await expect(vpage.getByTestId("read-only")).toBeVisible();
  await expect(vpage.getByTestId("save")).toHaveCount(0);

  expect(await refused(viewer.request, "topology.save", { id, expectedRevision: revision, document, message: "viewer try" })).toEqual({ code: "FORBIDDEN", status: 403 });
  expect(await refused(viewer.request, "deploy.applyRevision", { topologyId: id })).toEqual({ code: "FORBIDDEN", status: 403 });
  expect(await refused(viewer.request, "user.create", { email: "x@e2e.example", role: "admin", password: PASSWORD })).toEqual({ code: "FORBIDDEN", status: 403 });
  // the deploy page: a viewer can neither plan nor apply
  await vpage.goto(`/deploy/${id}`);
  await expect(vpage.getByTestId("plan-panel")).toBeVisible({ timeout: 30_000 });
  await expect(vpage.getByTestId("plan-button")).toBeDisabled();
  await expect(vpage.getByTestId("apply-button")).toBeDisabled();
  await vpage.goto("/users");
  await expect(vpage.getByTestId("users-not-allowed")).toBeVisible();

  // --- the operator: the same save goes through
  const operator = await signInAs(browser, baseURL!, operatorEmail, PASSWORD);
  const opage = await operator.newPage();
  await opage.goto(`/topology/${id}`);
  await expect(opage.getByTestId("topology-editor")).toBeVisible({ timeout: 60_000 });
  await expect(opage.getByTestId("save")).toBeVisible();
  await expect(opage.getByTestId("read-only")).toHaveCount(0);
  await opage.goto(`/deploy/${id}`);
  await expect(opage.getByTestId("plan-button")).toBeEnabled({ timeout: 30_000 });
  const reweighted = { ...document, memberships: document.memberships.map((m) => (m.id === "m-2" ? { ...m, weight: 5 } : m)) };
  const saved = await trpcMutation<{ revision: number }>(operator.request, "topology.save", { id, expectedRevision: revision, document: reweighted, message: "operator save" });
  expect(saved.revision).toBe(revision + 1);

  // --- the audit log, as the admin: each step under the right user
  const page = await (await browser.newContext({ baseURL: baseURL! })).newPage();
  await page.goto("/audit");
  await page.getByTestId("audit-filter-target").fill(`topology:${id}`);
  await page.getByTestId("audit-apply").click();
  const trail = async () =>
    page.getByTestId("audit-row").evaluateAll((els) => els.map((e) => `${e.getAttribute("data-action")} ${e.getAttribute("data-outcome")} ${e.getAttribute("data-actor")}`));
  // newest first: the operator's save, the viewer's refused apply and save, the admin's seed save
  await expect.poll(trail).toEqual([
    `topology.save success ${operatorEmail}`,
    `deploy.applyRevision denied ${viewerEmail}`,
    `topology.save denied ${viewerEmail}`,
    `topology.save success ${E2E_ADMIN.email}`,
  ]);

  // the operator's save shows what changed, readably
  await expect(page.getByTestId("audit-row").first().getByTestId("audit-changes")).toContainText("~ TCP 10.0.0.100:80 -> 10.0.0.8: weight 3 → 5");
  await expect(page.getByTestId("audit-row").first().getByTestId("audit-message")).toContainText("operator save");

  // refusals are recorded against the viewer; sign-ins against each user
  await page.getByTestId("audit-filter-target").fill("");
  await page.getByTestId("audit-filter-actor").fill(viewerEmail);
  await page.getByTestId("audit-apply").click();
  await expect.poll(trail).toEqual([
    `user.create denied ${viewerEmail}`, // aimed at user:x@e2e.example
    `deploy.applyRevision denied ${viewerEmail}`,
    `topology.save denied ${viewerEmail}`,
    `auth.login success ${viewerEmail}`,
  ]);
  await page.getByTestId("audit-filter-actor").fill(E2E_ADMIN.email);
  await page.getByTestId("audit-filter-action").fill("user.create");
  await page.getByTestId("audit-apply").click();
  await expect(page.getByTestId("audit-row").filter({ has: page.getByText(viewerEmail) })).toHaveCount(1);
  await expect(page.getByTestId("audit-row").filter({ has: page.getByText(operatorEmail) })).toHaveCount(1);
  await viewer.close();
  await operator.close();
  await page.context().close();
});
