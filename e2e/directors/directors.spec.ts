// Agent enrollment from the UI: an admin opens the Directors tab of a topology, enrolls the agent of a
// director (the token is shown once with the command line to run), a real lvs-agent started with that
// token turns the director online, and revoking the token turns it offline again.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Topology } from "../../lvs/model.ts";
import { trpcMutation } from "../fixtures/api.ts";
import { expect, test, watchConsole } from "../fixtures/test.ts";

const host = { loopbackVips: [], tunnelVips: [], arpSuppressed: false, gateway: null };
function doc(name: string): Topology {
  return {
    name,
    directors: [{ id: "d1", name: "lb-enroll", managementAddress: null, interfaces: [], engine: "userspace" }],
    services: [{
      id: "web", protocol: "tcp", family: "inet", address: "127.0.0.1", port: 18080, fwmark: null, scheduler: "rr", flags: [],
      persistence: null, persistenceEngine: null, onePacket: false, description: "directors e2e", directorIds: ["d1"],
      healthCheck: null, sorryServer: null, proxyProtocol: false,
    }],
    realServers: [{ id: "rs1", name: "be1", address: "127.0.0.2", port: 18081, host }],
    memberships: [{
      id: "m1", serviceId: "web", realServerId: "rs1", method: "nat", weight: 1,
      upperThreshold: 0, lowerThreshold: 0, tunnel: null, state: "active", healthCheck: null,
    }],
    layout: { d1: { x: 0, y: 100 }, web: { x: 320, y: 100 }, rs1: { x: 700, y: 100 } },
  };
}

let agent: ChildProcess | null = null;
let stateDir: string | null = null;
const agentOutput: string[] = [];

test.afterEach(async () => {
  if (agent && agent.exitCode === null && agent.signalCode === null) {
    const exited = new Promise((r) => agent!.once("exit", r));
    agent.kill("SIGTERM");
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    if (agent.exitCode === null && agent.signalCode === null) agent.kill("SIGKILL");
  }
  agent = null;
  if (stateDir) await fs.rm(stateDir, { recursive: true, force: true });
  stateDir = null;
});

test("an admin enrolls a director's agent, sees it online, revokes it and sees it offline", async ({ page, request, uniqueName, baseURL }, testInfo) => {
  test.setTimeout(90_000);
  const problems = watchConsole(page);
  const name = uniqueName("enroll");
  const t = await trpcMutation<{ id: string; revision: number }>(request, "topology.create", { name });
  await trpcMutation(request, "topology.save", { id: t.id, expectedRevision: t.revision, document: doc(name), message: "seed" });

  // the tab sits next to Design | Live | Deploy
  await page.goto(`/deploy/${t.id}`);
  await page.getByTestId("tab-directors").click();
  await expect(page).toHaveURL(new RegExp(`/directors/${t.id}$`));
  await expect(page.getByTestId("directors-topology-name")).toHaveText(name);
  const row = page.locator('[data-testid="director-row"][data-key="d1"]');
  await expect(row).toHaveAttribute("data-token", "none");
  await expect(row).toHaveAttribute("data-online", "false");
  await expect(row.getByTestId("director-revoke")).toHaveCount(0);

  // enroll: the token once, with the command line that uses it
  await row.getByTestId("director-enroll").click();
  const dialog = page.getByTestId("token-dialog");
  await expect(dialog).toBeVisible();
  await expect(dialog.getByTestId("token-once")).toContainText("will not be shown again");
  const token = await dialog.getByTestId("token-value").inputValue();
  expect(token).toMatch(/^lvsa_\S+$/);
  const origin = new URL(baseURL!).origin;
  await expect(dialog.getByTestId("token-command")).toHaveValue(`npx lvs-agent --server ${origin} --token ${token} --engine auto`);
  await dialog.getByTestId("token-done").click();
  await expect(dialog).toHaveCount(0);
  await expect(row).toHaveAttribute("data-token", "enrolled");
  await expect(row.getByTestId("director-enroll")).toHaveCount(0);

  // the real agent with that token
  stateDir = await fs.mkdtemp(path.join(os.tmpdir(), "lvs-e2e-directors-"));
  agent = spawn(process.execPath, ["bin/lvs-agent.mjs", "--server", origin, "--token", token, "--engine", "userspace", "--state-dir", stateDir], {
    cwd: process.cwd(), env: { ...process.env, NODE_ENV: "production" }, stdio: ["ignore", "pipe", "pipe"],
  });
  const keep = (d: Buffer) => { agentOutput.push(d.toString()); if (agentOutput.length > 200) agentOutput.shift(); };
  agent.stdout!.on("data", keep);
  agent.stderr!.on("data", keep);
  try {
    await expect(row).toHaveAttribute("data-online", "true", { timeout: 20_000 });
    await expect(row.getByTestId("director-online")).toHaveText("online");
  } catch (err) {
    await testInfo.attach("agent-output", { body: agentOutput.join("") });
    throw err;
  }

  // revoke (confirmed): the agent is disconnected and the director shows offline
  await row.getByTestId("director-revoke").click();
  await expect(page.getByTestId("revoke-confirm")).toBeVisible();
  await page.getByTestId("revoke-confirm-button").click();
  await expect(page.getByTestId("revoke-confirm")).toHaveCount(0);
  await expect(row).toHaveAttribute("data-token", "revoked");
  await expect(row).toHaveAttribute("data-online", "false", { timeout: 15_000 });
  await expect(row.getByTestId("director-online")).toHaveText("offline");
  // still offline a moment later: the agent keeps retrying but is refused
  await page.waitForTimeout(2500);
  await expect(row).toHaveAttribute("data-online", "false");
  // a revoked director can get a new token by rotation (same one-time dialog)
  await expect(row.getByTestId("director-rotate")).toBeVisible();

  expect(problems).toEqual([]);
});
