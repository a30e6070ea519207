// Agent enrollment from the UI: an admin opens the Directors tab of a topology, enrolls the agent of a
// director (the token is shown once with the one install command), runs THAT command (with --root into
// a temp dir instead of sudo: it downloads the built agent from this console, verifies its SHA-256 and
// writes the unit and the root-only agent.env), starts the agent it installed with the settings it
// wrote, sees the director online with the agent's version, and revoking the token turns it offline.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
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
  test.setTimeout(240_000);
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
  const shown = dialog.getByTestId("token-command");
  await expect(shown).toHaveAttribute("data-ready", "true");
  await expect(shown).toHaveValue(`curl -fsSL ${origin}/agent/install.sh | sudo sh -s -- --server ${origin} --token ${token}`);
  const command = await shown.inputValue();
  // the browser used 127.0.0.1 and LVS_PUBLIC_URL is not set: a director could not reach that
  await expect(dialog.getByTestId("token-loopback-warning")).toContainText(origin);
  await expect(dialog.getByTestId("token-agent-missing")).toHaveCount(0);
  await dialog.getByTestId("token-done").click();
  await expect(dialog).toHaveCount(0);
  await expect(row).toHaveAttribute("data-token", "enrolled");
  await expect(row.getByTestId("director-enroll")).toHaveCount(0);

  // the command the dialog shows, as an operator pastes it (into a temp root instead of sudo)
  stateDir = await fs.mkdtemp(path.join(os.tmpdir(), "lvs-e2e-directors-"));
  expect(command).toContain("| sudo sh -s -- ");
  const installed = spawnSync("sh", ["-c", `${command.replace("| sudo sh -s -- ", "| sh -s -- ")} --root ${stateDir}`], { encoding: "utf8", timeout: 120_000 });
  expect(installed.status, installed.stderr).toBe(0);
  expect(installed.stdout).toContain("checksum verified");
  const envFile = path.join(stateDir, "etc/lvs-agent/agent.env");
  expect((await fs.stat(envFile)).mode & 0o777).toBe(0o600);
  const settings = Object.fromEntries((await fs.readFile(envFile, "utf8")).split("\n").filter((l) => /^LVS_AGENT_[A-Z_]+=/.test(l)).map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]));
  expect(settings).toEqual({ LVS_AGENT_SERVER: origin, LVS_AGENT_TOKEN: token });
  // the agent it installed, with the settings it wrote (systemd would start it the same way)
  agent = spawn(path.join(stateDir, "usr/local/lib/lvs-agent/lvs-agent"), [], {
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...settings, LVS_AGENT_ENGINE: "userspace", LVS_AGENT_STATE_DIR: path.join(stateDir, "var/lib/lvs-agent") } as Record<string, string> as NodeJS.ProcessEnv,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const keep = (d: Buffer) => { agentOutput.push(d.toString()); if (agentOutput.length > 200) agentOutput.shift(); };
  agent.stdout!.on("data", keep);
  agent.stderr!.on("data", keep);
  try {
    await expect(row).toHaveAttribute("data-online", "true", { timeout: 20_000 });
    await expect(row.getByTestId("director-online")).toHaveText("online");
    // its hello's version: the build this console serves (so nothing to upgrade)
    await expect(row.getByTestId("director-agent")).toHaveAttribute("data-agent-state", "same");
    await expect(row.getByTestId("director-agent-version")).toHaveText(/^\d+\.\d+\.\d+\+\S+?\s*protocol 1$/);
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
