// History survives a control-plane restart: a control plane of this spec's own (same build, its own
// embedded database) takes real traffic through a real agent, is stopped gracefully (the minute in
// progress is flushed) and started again on the same data; the browser's 1 h chart still shows the
// traffic from before the restart, and the agent comes back online by itself.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { request as playwrightRequest, type APIRequestContext } from "@playwright/test";
import type { Topology } from "../../lvs/model.ts";
import { trpcMutation } from "../fixtures/api.ts";
import { expect, test } from "../fixtures/test.ts";
import { applyLatest, enroll, freePort, getOnce, startAgent, startBackend, startTraffic, type Agent, type Backend } from "./liveLab.ts";

const VIP = "127.0.32.1";
/** the app folder whose build the extra control plane serves (the one Playwright's webServer built) */
const APP_DIR = process.env.LVS_E2E_APP_DIR || process.cwd();

interface ControlPlane {
  url: string;
  child: ChildProcess;
  output: string[];
}

async function startControlPlane(port: number, dataDir: string): Promise<ControlPlane> {
  const output: string[] = [];
  const child = spawn(process.execPath, ["--import", "tsx", "server/index.ts"], {
    cwd: APP_DIR,
    env: {
      ...process.env, PORT: String(port), HOST: "127.0.0.1", DATABASE_URL: `pglite:${path.join(dataDir, "pglite")}`,
      LVS_DATA_DIR: dataDir, LVS_DEMO: "0", LOG_LEVEL: "warn", NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const keep = (d: Buffer) => output.push(d.toString());
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  const url = `http://127.0.0.1:${port}`;
  await expect.poll(async () => {
    if (child.exitCode !== null) throw new Error(`control plane exited ${child.exitCode}: ${output.join("")}`);
    return fetch(`${url}/healthz`).then((r) => r.status, () => 0);
  }, { timeout: 90_000 }).toBe(200);
  return { url, child, output };
}

async function stopControlPlane(cp: ControlPlane): Promise<void> {
  if (cp.child.exitCode !== null || cp.child.signalCode !== null) return;
  const exited = new Promise((r) => cp.child.once("exit", r));
  cp.child.kill("SIGTERM");
  await Promise.race([exited, new Promise((r) => setTimeout(r, 20_000))]);
  if (cp.child.exitCode === null && cp.child.signalCode === null) {
    cp.child.kill("SIGKILL");
    await exited;
  }
}

function topologyDoc(name: string, vipPort: number, b: Backend): Topology {
  return {
    name,
    directors: [{ id: "d1", name: "lb-restart", managementAddress: null, interfaces: [], engine: "userspace" }],
    services: [{
      id: "web", protocol: "tcp", family: "inet", address: VIP, port: vipPort, fwmark: null, scheduler: "rr", flags: [],
      persistence: null, persistenceEngine: null, onePacket: false, description: "", directorIds: ["d1"],
      healthCheck: null, sorryServer: null, proxyProtocol: false,
    }],
    realServers: [{ id: "rs1", name: b.name, address: b.address, port: b.port, host: { loopbackVips: [], tunnelVips: [], arpSuppressed: false, gateway: null } }],
    memberships: [{ id: "m1", serviceId: "web", realServerId: "rs1", method: "nat", weight: 1, upperThreshold: 0, lowerThreshold: 0, tunnel: null, state: "active", healthCheck: null }],
    layout: {},
  };
}

test("history survives a control-plane restart: the 1 h chart still shows the traffic from before", async ({ browser }) => {
  test.setTimeout(240_000);
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "lvs-e2e-restart-"));
  const port = await freePort("127.0.0.1");
  const backend = await startBackend("r1", "127.0.33.1");
  const vipPort = await freePort(VIP);
  let cp: ControlPlane | null = null;
  let agent: Agent | null = null;
  let api: APIRequestContext | null = null;
  try {
    cp = await startControlPlane(port, dataDir);
    api = await playwrightRequest.newContext({ baseURL: cp.url });
    const creds = { email: "restart@example.com", password: "restart-e2e-password" };
    await trpcMutation(api, "auth.setup", { ...creds, name: "restart" });
    const created = await trpcMutation<{ id: string; revision: number }>(api, "topology.create", { name: "restart" });
    await trpcMutation(api, "topology.save", { id: created.id, expectedRevision: created.revision, document: topologyDoc("restart", vipPort, backend), message: "restart e2e" });
    const d = await enroll(api, created.id, "d1");
    agent = await startAgent(cp.url, d.token);
    await applyLatest(api, created.id);
    await expect.poll(() => getOnce(VIP, vipPort, 500), { timeout: 60_000 }).toBe("r1\n");
    const traffic = startTraffic(VIP, vipPort, 15, 30);
    await new Promise((r) => setTimeout(r, 8000));
    await traffic.stop();
    await new Promise((r) => setTimeout(r, 2000)); // the last stats second reaches the control plane

    const restartAt = Date.now();
    await stopControlPlane(cp);
    cp = await startControlPlane(port, dataDir);

    const context = await browser.newContext({ baseURL: cp.url, storageState: await api.storageState() });
    const page = await context.newPage();
    await page.goto(`/live/${created.id}`);
    // the agent reconnects to the restarted control plane by itself
    await expect(page.getByTestId("live-director-d1")).toHaveAttribute("data-online", "true", { timeout: 60_000 });
    await page.getByTestId("range-1h").click();
    const chart = page.getByTestId(`chart-tcp|${VIP}|${vipPort}`);
    await expect(chart).toHaveAttribute("data-state", "ready", { timeout: 20_000 });
    await expect.poll(async () => Number(await chart.getAttribute("data-max-cps")), { timeout: 20_000 }).toBeGreaterThan(0);
    expect(Number(await chart.getAttribute("data-first-at"))).toBeLessThan(restartAt);
    await context.close();
  } finally {
    await api?.dispose();
    await agent?.stop();
    if (cp) await stopControlPlane(cp);
    await backend.kill().catch(() => {});
    await fs.rm(dataDir, { recursive: true, force: true });
  }
});
