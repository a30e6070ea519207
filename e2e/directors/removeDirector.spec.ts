// Issue 12 items 3 and 5 in the browser: a real agent started with --checks-dir reports its installed
// exec checks in its hello; the Directors tab lists them and the service's health-check editor offers
// them. Removing a director is an admin action confirmed by name: an operator sees no button and the
// API refuses it (403); the admin's confirmation removes it from the topology and deletes its token.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Topology } from "../../lvs/model.ts";
import { trpcMutation, trpcQuery, TrpcCallError } from "../fixtures/api.ts";
import { createUser, signInAs } from "../fixtures/auth.ts";
import { expect, test } from "../fixtures/test.ts";
import { openEditor, select } from "../editor/editorPage.ts";

const host = { loopbackVips: [], tunnelVips: [], arpSuppressed: false, gateway: null };
function doc(name: string): Topology {
  return {
    name,
    directors: [
      { id: "d1", name: "lb-keep", managementAddress: null, interfaces: [], engine: "userspace" },
      { id: "d2", name: "lb-gone", managementAddress: null, interfaces: [], engine: "userspace" },
    ],
    services: [{
      id: "web", protocol: "tcp", family: "inet", address: "127.0.0.1", port: 18097, fwmark: null, scheduler: "rr", flags: [],
      persistence: null, persistenceEngine: null, onePacket: false, description: "remove e2e", directorIds: ["d1", "d2"],
      healthCheck: null, sorryServer: null, proxyProtocol: false,
    }],
    realServers: [{ id: "rs1", name: "be1", address: "127.0.0.2", port: 18098, host }],
    memberships: [{ id: "m1", serviceId: "web", realServerId: "rs1", method: "nat", weight: 1, upperThreshold: 0, lowerThreshold: 0, tunnel: null, state: "active", healthCheck: null }],
    layout: { d1: { x: 0, y: 0 }, d2: { x: 0, y: 200 }, web: { x: 320, y: 100 }, rs1: { x: 700, y: 100 } },
  };
}

let agent: ChildProcess | null = null;
let tmp: string | null = null;
test.afterEach(async () => {
  if (agent && agent.exitCode === null && agent.signalCode === null) {
    const exited = new Promise((r) => agent!.once("exit", r));
    agent.kill("SIGTERM");
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    if (agent.exitCode === null && agent.signalCode === null) agent.kill("SIGKILL");
  }
  agent = null;
  if (tmp) await fs.rm(tmp, { recursive: true, force: true });
  tmp = null;
});

test("installed exec checks show up from the agent's hello; only an admin removes a director, after confirming its name", async ({ page, request, browser, baseURL, uniqueName }) => {
  test.setTimeout(240_000);
  const name = uniqueName("remove");
  const t = await trpcMutation<{ id: string; revision: number }>(request, "topology.create", { name });
  await trpcMutation(request, "topology.save", { id: t.id, expectedRevision: t.revision, document: doc(name), message: "seed" });
  const { token } = await trpcMutation<{ token: string }>(request, "director.create", { topologyId: t.id, key: "d2" });

  // a real agent with a checks directory of two installed programs (and one it must not offer)
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), "lvs-e2e-checks-"));
  const checks = path.join(tmp, "checks.d");
  await fs.mkdir(checks, { mode: 0o755 });
  for (const n of ["check_dns", "http-ok.sh"]) await fs.writeFile(path.join(checks, n), "#!/bin/sh\nexit 0\n", { mode: 0o755 });
  await fs.writeFile(path.join(checks, "writable"), "#!/bin/sh\nexit 0\n", { mode: 0o777 });
  await fs.chmod(path.join(checks, "writable"), 0o777);
  agent = spawn(process.execPath, ["bin/lvs-agent.mjs", "--server", baseURL!, "--token", token, "--engine", "userspace", "--state-dir", path.join(tmp, "state"), "--checks-dir", checks], { stdio: "ignore" });

  await page.goto(`/directors/${t.id}`);
  const gone = page.locator('[data-testid="director-row"][data-key="d2"]');
  await expect(gone).toHaveAttribute("data-online", "true", { timeout: 90_000 });
  await expect(gone.getByTestId("director-exec-checks")).toHaveAttribute("data-checks", "check_dns http-ok.sh");
  await expect(gone.getByTestId("director-exec-checks")).toHaveText("check_dns, http-ok.sh");
  await expect(page.locator('[data-testid="director-row"][data-key="d1"]').getByTestId("director-exec-checks")).toHaveAttribute("data-checks", "");

  // the service's health-check editor picks from what the directors reported
  await openEditor(page, t.id);
  await select(page, "web");
  await page.getByTestId("health-check-kind").selectOption("exec");
  await expect(page.getByTestId("health-check-exec").locator("option")).toHaveText(["check_dns", "http-ok.sh"]);
  await page.getByTestId("health-check-exec").selectOption("http-ok.sh");
  await expect(page.getByTestId("health-check-exec-missing")).toHaveCount(0);

  // an operator: no remove button, and the API refuses
  const email = `${uniqueName("op")}@e2e.example`;
  await createUser(request, { email, role: "operator", password: "e2e-remove-password" });
  const operator = await signInAs(browser, baseURL!, email, "e2e-remove-password");
  const opage = await operator.newPage();
  await opage.goto(`/directors/${t.id}`);
  await expect(opage.getByTestId("director-row")).toHaveCount(2);
  await expect(opage.getByTestId("director-remove")).toHaveCount(0);
  const revision = (await trpcQuery<{ revision: number }>(request, "topology.get", { id: t.id })).revision;
  const refused = await trpcMutation(operator.request, "director.remove", { topologyId: t.id, key: "d2", expectedRevision: revision }).catch((e: unknown) => e);
  expect(refused).toBeInstanceOf(TrpcCallError);
  expect((refused as TrpcCallError).httpStatus).toBe(403);
  await operator.close();

  // the admin: the dialog names the director; cancel keeps it, confirm removes it
  await page.goto(`/directors/${t.id}`);
  await gone.getByTestId("director-remove").click();
  await expect(page.getByTestId("remove-director-dialog")).toContainText("lb-gone");
  await expect(page.getByTestId("remove-director-online")).toBeVisible();
  await page.getByTestId("remove-director-cancel").click();
  await expect(page.getByTestId("remove-director-dialog")).toHaveCount(0);
  await expect(gone).toHaveCount(1);
  await gone.getByTestId("director-remove").click();
  await expect(page.getByTestId("remove-director-confirm")).toHaveText("Remove lb-gone");
  await page.getByTestId("remove-director-confirm").click();
  await expect(page.getByTestId("directors-notice")).toHaveText("Director lb-gone removed.");
  await expect(gone).toHaveCount(0);
  await expect(page.locator('[data-testid="director-row"][data-key="d1"]')).toHaveCount(1);
  const after = await trpcQuery<{ revision: number; document: Topology }>(request, "topology.get", { id: t.id });
  expect(after.revision).toBe(revision + 1);
  expect(after.document.directors.map((d) => d.id)).toEqual(["d1"]);
  expect(after.document.services[0]!.directorIds).toEqual(["d1"]);
});
