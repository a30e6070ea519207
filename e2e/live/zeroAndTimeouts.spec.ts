// The seed's remaining ipvsadm operations on a real agent (userspace engine, loopback traffic):
//  - `--set tcp tcpfin udp` per director: saved, applied and honoured
//    (an idle established connection expires by the director's tcp timeout, not the kernel's 900 s);
//  - `-Z`: an operator zeroes one service's counters from the live stats table after a confirmation;
//    counting restarts from 0, the audit log has it, and a viewer can neither see nor call it.
import net from "node:net";
import type { Topology } from "../../lvs/model.ts";
import { createUser, signInAs } from "../fixtures/auth.ts";
import { trpcMutation, trpcQuery, TrpcCallError } from "../fixtures/api.ts";
import { expect, test } from "../fixtures/test.ts";
import { applyLatest, enroll, freePort, getOnce, startAgent, startBackend, type Agent } from "./liveLab.ts";

const VIP = "127.0.46.1";

function doc(name: string, vipPort: number, b: { name: string; address: string; port: number }): Topology {
  return {
    name,
    directors: [{ id: "d1", name: "lb-zero", managementAddress: null, interfaces: [], engine: "userspace", timeouts: { tcp: 600, tcpfin: 30, udp: 45 } }],
    services: [{ id: "web", protocol: "tcp", family: "inet", address: VIP, port: vipPort, fwmark: null, scheduler: "rr", flags: [], persistence: null,
      persistenceEngine: null, onePacket: false, description: "", directorIds: ["d1"], healthCheck: null, sorryServer: null, proxyProtocol: false }],
    realServers: [{ id: "rs1", name: b.name, address: b.address, port: b.port, host: { loopbackVips: [], tunnelVips: [], arpSuppressed: false, gateway: null } }],
    memberships: [{ id: "m1", serviceId: "web", realServerId: "rs1", method: "nat", weight: 1, upperThreshold: 0, lowerThreshold: 0, tunnel: null, state: "active", healthCheck: null }],
    layout: {},
  };
}

test("--set timeouts are applied and honoured; -Z zeroes a service's counters, audited, operators only", async ({ page, request, baseURL, browser }) => {
  test.setTimeout(180_000);
  const backend = await startBackend("z1", "127.0.47.1");
  let agent: Agent | null = null;
  const held: net.Socket[] = [];
  try {
    const vipPort = await freePort(VIP);
    const name = `zero-${Date.now().toString(36)}`;
    const t = await trpcMutation<{ id: string; revision: number }>(request, "topology.create", { name });
    await trpcMutation(request, "topology.save", { id: t.id, expectedRevision: t.revision, document: doc(name, vipPort, backend), message: "zero e2e" });
    const d = await enroll(request, t.id, "d1");
    agent = await startAgent(baseURL!, d.token);
    await applyLatest(request, t.id);
    await expect.poll(() => getOnce(VIP, vipPort, 500), { timeout: 60_000, message: "the VIP never answered" }).toMatch(/^z1/);

    // an idle established connection: its expiry counts down from the director's 600 s, not 900 s
    const sock = net.connect({ host: VIP, port: vipPort });
    held.push(sock);
    await new Promise<void>((r, j) => { sock.once("connect", () => r()); sock.once("error", j); });
    await expect.poll(async () => {
      const c = await trpcQuery<{ entries: { state: string; expiresIn: number }[] }>(request, "live.connections", { directorId: d.id, offset: 0, limit: 100 });
      return c.entries.find((e) => e.state === "ESTABLISHED")?.expiresIn ?? -1;
    }, { timeout: 20_000 }).toBeGreaterThan(500);
    const c = await trpcQuery<{ entries: { state: string; expiresIn: number }[] }>(request, "live.connections", { directorId: d.id, offset: 0, limit: 100 });
    expect(c.entries.find((e) => e.state === "ESTABLISHED")!.expiresIn).toBeLessThanOrEqual(600);
    sock.destroy();

    for (let i = 0; i < 5; i++) expect(await getOnce(VIP, vipPort)).toMatch(/^z1/);
    await page.goto(`/live/${t.id}`);
    const key = `tcp|${VIP}|${vipPort}`;
    const conns = page.getByTestId(`stats-row-${key}`).locator('td[data-col="conns"]');
    await expect.poll(async () => Number(await conns.getAttribute("data-value")), { timeout: 30_000 }).toBeGreaterThanOrEqual(6);

    // -Z on the service, after a confirmation
    await page.getByTestId(`zero-service-${key}`).click();
    await expect(page.getByTestId("zero-confirm")).toContainText(`${VIP}:${vipPort}`);
    await page.getByTestId("zero-confirm-yes").click();
    await expect(page.getByTestId("zero-done")).toBeVisible({ timeout: 15_000 });
    await expect.poll(async () => Number(await conns.getAttribute("data-value")), { timeout: 30_000 }).toBe(0);
    for (let i = 0; i < 2; i++) expect(await getOnce(VIP, vipPort)).toMatch(/^z1/);
    await expect.poll(async () => Number(await conns.getAttribute("data-value")), { timeout: 30_000 }).toBe(2);
    await page.screenshot({ path: test.info().outputPath("zeroed.png"), fullPage: true });

    const audit = await trpcQuery<{ items: { outcome: string; diff: { service?: string; director?: string } }[] }>(request, "audit.list", { action: "stats.zero", limit: 5 });
    expect(audit.items[0]).toMatchObject({ outcome: "success", diff: { director: "lb-zero", service: `TCP ${VIP}:${vipPort}` } });

    // a viewer sees no -Z and the server refuses it
    const email = `viewer-zero-${Date.now().toString(36)}@e2e.example`;
    await createUser(request, { email, role: "viewer", password: "viewer-password-1" });
    const viewer = await signInAs(browser, baseURL!, email, "viewer-password-1");
    const vp = await viewer.newPage();
    await vp.goto(`/live/${t.id}`);
    await expect(vp.getByTestId(`stats-row-${key}`)).toBeVisible({ timeout: 30_000 });
    await expect(vp.getByTestId("zero-all")).toHaveCount(0);
    await expect(vp.getByTestId(`zero-service-${key}`)).toHaveCount(0);
    const refused = await trpcMutation(viewer.request, "live.zero", { directorId: d.id }).then(() => null, (e: unknown) => e);
    expect(refused).toBeInstanceOf(TrpcCallError);
    expect((refused as TrpcCallError).code).toBe("FORBIDDEN");
    await viewer.close();
  } finally {
    for (const s of held) s.destroy();
    await agent?.stop();
    await backend.kill().catch(() => {});
  }
});
