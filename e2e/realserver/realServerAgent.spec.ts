// Verified real servers: an admin enrolls a real server's agent from the inspector (token shown once),
// the agent (`lvs-agent --role realserver --apply on-request`, as a real process; its host is the
// in-memory fake, LVS_AGENT_TEST_FAKE_HOST=1 — the kernel lab proves the real host) reports its
// checks; the DR membership shows ✗ with the failing check named and the broken packet-path steps,
// the declared-host warnings give way to the observed checks; "Prepare" makes the agent apply the
// settings and the membership turns ✓.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Topology } from "../../lvs/model.ts";
import { trpcMutation } from "../fixtures/api.ts";
import { expect, test, watchConsole } from "../fixtures/test.ts";
import { select, selectEdge } from "../editor/editorPage.ts";

const host = { loopbackVips: [], tunnelVips: [], arpSuppressed: false, gateway: null };
function doc(name: string): Topology {
  return {
    name,
    directors: [{ id: "d1", name: "lb-dr", managementAddress: null, interfaces: [{ name: "eth0", address: "10.0.0.1", prefix: 24 }], engine: "ipvs" }],
    services: [{
      id: "web", protocol: "tcp", family: "inet", address: "10.0.0.100", port: 80, fwmark: null, scheduler: "rr", flags: [],
      persistence: null, persistenceEngine: null, onePacket: false, description: "", directorIds: ["d1"],
      healthCheck: null, sorryServer: null, proxyProtocol: false,
    }],
    realServers: [{ id: "rs1", name: "web-a", address: "10.0.0.2", port: null, host }],
    memberships: [{
      id: "m1", serviceId: "web", realServerId: "rs1", method: "dr", weight: 1,
      upperThreshold: 0, lowerThreshold: 0, tunnel: null, state: "active", healthCheck: null,
    }],
    layout: { d1: { x: 0, y: 100 }, web: { x: 320, y: 100 }, rs1: { x: 700, y: 100 } },
  };
}

let agent: ChildProcess | null = null;
let stateDir: string | null = null;
const output: string[] = [];

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

test("a real server's agent reports ✗ with the failing check; Prepare turns the membership ✓", async ({ page, request, uniqueName, baseURL }, testInfo) => {
  test.setTimeout(180_000);
  const problems = watchConsole(page);
  const name = uniqueName("rsagent");
  const t = await trpcMutation<{ id: string; revision: number }>(request, "topology.create", { name });
  await trpcMutation(request, "topology.save", { id: t.id, expectedRevision: t.revision, document: doc(name), message: "seed" });
  await page.goto(`/topology/${t.id}`);

  // no agent: the membership is not verified and the declared-host warnings stay
  await selectEdge(page, "m1");
  await expect(page.getByTestId("membership-verdict")).toHaveAttribute("data-state", "unknown");
  await select(page, "rs1");
  await expect(page.getByTestId("inspector-issues")).toContainText("dr.vip-not-on-loopback");
  await expect(page.getByTestId("issues-panel").getByTestId("issue-dr.vip-not-on-loopback").first()).toBeVisible();
  await expect(page.getByTestId("realserver-agent-none")).toBeVisible();

  // enroll: the token once, with the command that starts the agent
  await page.getByTestId("realserver-enroll").click();
  const direct = page.getByTestId("realserver-token-direct");
  await expect(direct).toContainText("--role realserver");
  const token = /--token (lvsr_\S+)/.exec((await direct.textContent()) ?? "")![1]!;
  const origin = new URL(baseURL!).origin;
  await expect(page.getByTestId("realserver-token-command")).toHaveValue(`curl -fsSL ${origin}/agent/install.sh | sudo sh -s -- --server ${origin} --token ${token}`);

  stateDir = await fs.mkdtemp(path.join(os.tmpdir(), "lvs-e2e-rs-"));
  agent = spawn(process.execPath, ["bin/lvs-agent.mjs", "--role", "realserver", "--server", origin, "--token", token, "--apply", "on-request", "--state-dir", stateDir], {
    env: { ...process.env, LVS_AGENT_TEST_FAKE_HOST: "1" }, stdio: ["ignore", "pipe", "pipe"],
  });
  const keep = (d: Buffer) => { output.push(d.toString()); if (output.length > 200) output.shift(); };
  agent.stdout!.on("data", keep);
  agent.stderr!.on("data", keep);
  try {
    await expect(page.getByTestId("realserver-agent")).toHaveAttribute("data-online", "true", { timeout: 30_000 });
    await expect(page.getByTestId("realserver-agent-status")).toContainText("checks failing", { timeout: 15_000 });
  } catch (err) {
    await testInfo.attach("agent-output", { body: output.join("") });
    throw err;
  }
  // the agent's observed checks replace the warnings about what was declared: in the inspector,
  // and in the issues panel and the badges too
  await expect(page.getByTestId("inspector-issues").filter({ hasText: "dr.vip-not-on-loopback" })).toHaveCount(0);
  await expect(page.getByTestId("issues-panel").getByTestId("issue-dr.vip-not-on-loopback")).toHaveCount(0);

  await selectEdge(page, "m1");
  const verdict = page.getByTestId("membership-verdict");
  await expect(verdict).toHaveAttribute("data-state", "failing");
  await expect(page.getByTestId("membership-verdict-mark")).toHaveText("✗");
  await expect(page.getByTestId("edge-m1-verified")).toHaveAttribute("data-verdict", "failing");
  await expect(verdict.locator('[data-check="address lo 10.0.0.100/32"]')).toContainText("observed absent");
  await expect(page.getByTestId("packet-hop-1")).toHaveAttribute("data-failing", "true");
  await expect(page.getByTestId("packet-hop-1-broken")).toContainText("address lo 10.0.0.100/32");
  await expect(page.getByTestId("packet-hop-0")).toHaveAttribute("data-failing", "true"); // ARP not suppressed

  // prepare (operator+): the agent applies the settings, the membership turns ✓
  await select(page, "rs1");
  await page.getByTestId("realserver-prepare").click();
  await expect(page.getByTestId("realserver-agent-notice")).toContainText("Prepared", { timeout: 30_000 });
  await selectEdge(page, "m1");
  await expect(verdict).toHaveAttribute("data-state", "verified", { timeout: 10_000 });
  await expect(page.getByTestId("membership-verdict-mark")).toHaveText("✓");
  await expect(page.getByTestId("edge-m1-verified")).toHaveAttribute("data-verdict", "verified");
  await expect(page.getByTestId("packet-hop-1")).not.toHaveAttribute("data-failing", "true");
  expect(problems).toEqual([]);
});
