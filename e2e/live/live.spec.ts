// Live traffic end to end: a real lvs-agent (userspace engine) enrolled through the director router
// forwards real loopback HTTP traffic to three backends this spec starts; the browser's live view
// must show what the test sent, turn a killed backend red and move its traffic, drain a quiesced
// one, resume after its socket is cut, and agree with /metrics.
import type { Page, WebSocketRoute } from "@playwright/test";
import type { Topology } from "../../lvs/model.ts";
import { trpcMutation, trpcQuery } from "../fixtures/api.ts";
import { expect, test, watchConsole } from "../fixtures/test.ts";
import {
  applyLatest, enroll, freePort, getOnce, metricValue, startAgent, startBackend, startTraffic,
  type Agent, type Backend, type Traffic,
} from "./liveLab.ts";

test.describe.configure({ mode: "serial" });

const VIP = "127.0.30.1";
const RATE = 20; // new connections per second
const check = { kind: "tcp" as const, port: null, intervalMs: 300, timeoutMs: 250, rise: 1, fall: 2, onFailure: "quiesce" as const };

function topologyDoc(name: string, vipPort: number, backends: Backend[], drained: string[] = []): Topology {
  const host = { loopbackVips: [], tunnelVips: [], arpSuppressed: false, gateway: null };
  return {
    name,
    directors: [{ id: "d1", name: "lb-live", managementAddress: null, interfaces: [], engine: "userspace" }],
    services: [{
      id: "web", protocol: "tcp", family: "inet", address: VIP, port: vipPort, fwmark: null, scheduler: "wlc", flags: [],
      persistence: null, persistenceEngine: null, onePacket: false, description: "live e2e", directorIds: ["d1"],
      healthCheck: check, sorryServer: null, proxyProtocol: false,
    }],
    realServers: backends.map((b, i) => ({ id: `rs${i + 1}`, name: b.name, address: b.address, port: b.port, host })),
    memberships: backends.map((_, i) => ({
      id: `m${i + 1}`, serviceId: "web", realServerId: `rs${i + 1}`, method: "nat" as const, weight: 1,
      upperThreshold: 0, lowerThreshold: 0, tunnel: null, state: drained.includes(`m${i + 1}`) ? ("draining" as const) : ("active" as const), healthCheck: null,
    })),
    layout: { d1: { x: 0, y: 120 }, web: { x: 340, y: 120 }, rs1: { x: 760, y: 0 }, rs2: { x: 760, y: 130 }, rs3: { x: 760, y: 260 } },
  };
}

let backends: Backend[] = [];
let agent: Agent | null = null;
let traffic: Traffic | null = null;
let vipPort = 0;
let topologyId = "";
let revision = 0;
let warmup = 0;
let name = "";

const svcKey = () => `tcp|${VIP}|${vipPort}`;
const destKey = (b: Backend) => `${svcKey()}/${b.address}|${b.port}`;

/** The numeric data-value of one column of one statistics row. */
async function cell(page: Page, rowId: string, col: string): Promise<number> {
  const v = await page.getByTestId(`stats-row-${rowId}`).locator(`td[data-col="${col}"]`).getAttribute("data-value");
  return Number(v);
}

/** Conns of the service and of each backend, read in one go (one table render, one agent sample). */
async function counters(page: Page): Promise<{ svc: number; dests: number[] }> {
  const ids = [svcKey(), ...backends.map(destKey)];
  const values = await page.evaluate((rowIds) => rowIds.map((id) => {
    const td = document.querySelector(`[data-testid="stats-row-${CSS.escape(id)}"] td[data-col="conns"]`);
    return Number(td?.getAttribute("data-value"));
  }), ids);
  return { svc: values[0]!, dests: values.slice(1) };
}

/** Every cell of the listed rows and columns, read in one go (one table render). */
async function tableCells(page: Page, rowIds: string[], cols: readonly string[]): Promise<Record<string, number>> {
  return page.evaluate(([ids, cs]) => {
    const out: Record<string, number> = {};
    for (const id of ids) for (const c of cs) {
      const td = document.querySelector(`[data-testid="stats-row-${CSS.escape(id)}"] td[data-col="${c}"]`);
      out[`${id} ${c}`] = Number(td?.getAttribute("data-value"));
    }
    return out;
  }, [rowIds, cols] as const);
}

async function save(request: Parameters<typeof enroll>[0], doc: Topology): Promise<void> {
  const r = await trpcMutation<{ revision: number }>(request, "topology.save", { id: topologyId, expectedRevision: revision, document: doc, message: "e2e live" });
  revision = r.revision;
  await applyLatest(request, topologyId);
}

test.beforeAll(async ({ request, baseURL }) => {
  test.setTimeout(120_000);
  backends = await Promise.all([1, 2, 3].map((i) => startBackend(`b${i}`, `127.0.31.${i}`)));
  vipPort = await freePort(VIP);
  name = `live-${Date.now().toString(36)}`;
  const created = await trpcMutation<{ id: string; revision: number }>(request, "topology.create", { name });
  topologyId = created.id;
  revision = created.revision;
  const saved = await trpcMutation<{ revision: number }>(request, "topology.save", { id: topologyId, expectedRevision: revision, document: topologyDoc(name, vipPort, backends), message: "e2e live" });
  revision = saved.revision;
  const d = await enroll(request, topologyId, "d1");
  agent = await startAgent(baseURL!, d.token);
  await applyLatest(request, topologyId);
  // forwarding is up when the VIP answers
  await expect.poll(async () => {
    // attempts refused before the engine listens never reach it: count the answered one(s)
    const body = await getOnce(VIP, vipPort, 500);
    if (body !== null) warmup++;
    return body;
  }, { timeout: 60_000, message: `VIP never answered; agent said:\n${agent.output.join("")}` }).toMatch(/^b\d/);
});

test.afterAll(async () => {
  await traffic?.stop();
  await agent?.stop();
  await Promise.all(backends.map((b) => b.kill().catch(() => {})));
});

test("live view: rates match the traffic, a dead backend turns red, quiesce drains, reconnect resumes, /metrics equals the table", async ({ page, request }, testInfo) => {
  test.setTimeout(240_000);
  const problems = watchConsole(page);
  // the live socket goes through a route the test can cut (a real close, then refused reconnects)
  let live: WebSocketRoute | null = null;
  let refuse = false;
  await page.routeWebSocket(/\/api\/live$/, (ws) => {
    if (refuse) return void ws.close({ code: 1011, reason: "test: offline" });
    ws.connectToServer();
    live = ws;
  });
  traffic = startTraffic(VIP, vipPort, RATE);

  await test.step("the live view shows the director online and the rate that is sent", async () => {
    await page.goto("/topologies");
    await page.getByTestId("nav-live").click();
    await expect(page).toHaveURL(/\/live$/, { timeout: 60_000 });
    await page.getByTestId(`live-open-${topologyId}`).click();
    await expect(page.getByTestId("live-status")).toHaveAttribute("data-status", "open", { timeout: 30_000 });
    await expect(page.getByTestId("live-director-d1")).toHaveAttribute("data-online", "true", { timeout: 15_000 });
    await expect(page.getByTestId("live-node-d1")).toHaveAttribute("data-online", "true");
    await page.getByTestId("stats-mode-rate").click();
    // the estimator smooths over seconds: within ±50 % of the sent rate once it settled
    await expect.poll(() => cell(page, svcKey(), "cps"), { timeout: 40_000 }).toBeGreaterThanOrEqual(RATE * 0.5);
    expect(await cell(page, svcKey(), "cps")).toBeLessThanOrEqual(RATE * 1.5);
    const chartCps = Number(await page.getByTestId(`chart-${svcKey()}-cps`).getAttribute("data-last-cps"));
    expect(chartCps).toBeGreaterThanOrEqual(RATE * 0.5);
    expect(chartCps).toBeLessThanOrEqual(RATE * 1.5);
    // packets and bytes flow both ways
    for (const col of ["inPps", "outPps", "inBps", "outBps"]) expect(await cell(page, svcKey(), col), col).toBeGreaterThan(0);
    // the canvas: service and real servers carry traffic, edges are thicker than idle and animated
    expect(Number(await page.getByTestId("live-node-web").getAttribute("data-cps"))).toBeGreaterThan(0);
    for (const m of ["m1", "m2", "m3"]) {
      await expect.poll(async () => Number(await page.getByTestId(`edge-${m}`).getAttribute("data-live-width"))).toBeGreaterThan(1.5);
      await expect(page.getByTestId(`edge-${m}-flow`)).toHaveCount(1);
    }
    for (const rs of ["rs1", "rs2", "rs3"]) await expect(page.getByTestId(`live-node-${rs}`)).toHaveAttribute("data-health", "up");
    await testInfo.attach("live-traffic", { body: await page.screenshot({ fullPage: true }), contentType: "image/png" });
  });

  await test.step("the table sorts; the ipvsadm text and the connection table (on demand, filtered) agree with the traffic", async () => {
    await page.getByTestId("stats-mode-stats").click();
    await page.getByTestId("stats-sort-conns").click();
    // the figures move while traffic flows and the table re-sorts on each update: read a settled frame
    await expect.poll(async () => {
      const order = await page.locator('[data-testid^="stats-row-"][data-kind="destination"] td[data-col="conns"]').evaluateAll((tds) => tds.map((td) => Number(td.getAttribute("data-value"))));
      return order.length > 1 && order.every((v, i) => i === 0 || order[i - 1]! >= v);
    }).toBe(true);
    // filter by real server: its service stays as the heading, the other real servers go
    await page.getByTestId("stats-filter").fill(`${backends[1]!.address}:`);
    await expect(page.locator('[data-testid^="stats-row-"]')).toHaveCount(2);
    await expect(page.getByTestId(`stats-row-${destKey(backends[1]!)}`)).toBeVisible();
    await page.getByTestId("stats-filter").fill("");
    await expect(page.locator('[data-testid^="stats-row-"]')).toHaveCount(4);
    await page.getByTestId("stats-text-toggle").click();
    await expect(page.getByTestId("stats-text")).toContainText(`TCP  ${VIP}:${vipPort}`);
    await expect(page.getByTestId("stats-text")).toContainText("Conns   InPkts  OutPkts  InBytes OutBytes");
    await page.getByTestId("stats-text-toggle").click();
    await expect(page.getByTestId("conns-listing")).toHaveCount(0);
    await page.getByTestId("conns-filter-destination").fill(`${backends[0]!.address}:`);
    await page.getByTestId("conns-load").click();
    await expect(page.getByTestId("conns-row").first()).toBeVisible({ timeout: 15_000 });
    const dests = await page.getByTestId("conns-row").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-destination")));
    expect(dests.every((d) => d?.startsWith(`${backends[0]!.address}:`))).toBe(true);
    const virtuals = await page.getByTestId("conns-row").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-virtual")));
    expect(new Set(virtuals)).toEqual(new Set([`${VIP}:${vipPort}`]));
    // unfiltered: more entries than a page (lingering TIME_WAIT ones included), paged 50 at a time
    await page.getByTestId("conns-filter-destination").fill("");
    await page.getByTestId("conns-load").click();
    await expect.poll(async () => Number(await page.getByTestId("conns-table").getAttribute("data-total")), { timeout: 15_000 }).toBeGreaterThan(50);
    await expect(page.getByTestId("conns-row")).toHaveCount(50);
    await expect(page.getByTestId("conns-range")).toContainText("1–50");
    await page.getByTestId("conns-next").click();
    await expect(page.getByTestId("conns-range")).toContainText("51–");
    await page.getByTestId("conns-prev").click();
    await expect(page.getByTestId("conns-range")).toContainText("1–50");
  });

  await test.step("a killed backend turns red within the health-check window and its traffic moves to the others", async () => {
    const dead = backends[2]!;
    const killedAt = Date.now();
    await dead.kill();
    await expect(page.getByTestId("live-node-rs3")).toHaveAttribute("data-health", "down", { timeout: 10_000 });
    // interval·fall + timeout, plus one stats/health delivery: well under 5 s
    expect(Date.now() - killedAt).toBeLessThan(5_000);
    await expect(page.getByTestId("health-event").first()).toHaveAttribute("data-to", "down");
    await page.waitForTimeout(1500);
    const a = await counters(page);
    await page.waitForTimeout(4000);
    const b = await counters(page);
    const delta = b.dests.map((x, i) => x - a.dests[i]!);
    expect(b.svc - a.svc, "the service keeps taking connections").toBeGreaterThan(RATE * 2);
    expect(delta[2], "nothing reaches the dead backend").toBe(0);
    expect(delta[0]! + delta[1]!, "the others take all of it").toBe(b.svc - a.svc);
    await testInfo.attach("backend-down", { body: await page.screenshot({ fullPage: true }), contentType: "image/png" });
  });

  await test.step("availability of the dead backend drops below 100 %", async () => {
    const row = page.getByTestId(`availability-row-${destKey(backends[2]!)}`);
    await expect.poll(async () => Number(await row.locator('td[data-col="availability"]').getAttribute("data-value")), { timeout: 25_000 }).toBeLessThan(1);
    expect(Number(await row.locator('td[data-col="downtime"]').getAttribute("data-value"))).toBeGreaterThan(0);
  });

  await test.step("quiesce (weight 0) drains a real server: no new connections, shown dashed and drained", async () => {
    await save(request, topologyDoc(name, vipPort, backends, ["m2"]));
    await expect(page.getByTestId("edge-m2")).toHaveAttribute("data-live-quiesced", "true", { timeout: 15_000 });
    await expect(page.getByTestId("live-node-rs2")).toHaveAttribute("data-quiesced", "true");
    // the node words it as the drain does (inspector, Deploy tab): "drained" only at 0 active and
    // 0 inactive connections, "draining" while any remain (it said "drained" with 333 inactive)
    const words = () => page.getByTestId("live-node-rs2").evaluate((el) => ({
      text: (el.textContent ?? "").toLowerCase(), active: Number(el.getAttribute("data-active")), inact: Number(el.getAttribute("data-inact")),
    }));
    const w = await words();
    expect(w.text, JSON.stringify(w)).toContain(w.active === 0 && w.inact === 0 ? "drained" : "draining");
    // the saved document reaches the open view too (topology.saved over the live socket)
    await expect(page.getByTestId("edge-m2")).toHaveAttribute("data-state", "draining", { timeout: 10_000 });
    await expect(page.getByTestId("edge-m2-flow")).toHaveCount(0);
    expect(await cell(page, destKey(backends[1]!), "weight")).toBe(0);
    await page.waitForTimeout(1500);
    const a = await counters(page);
    await page.waitForTimeout(4000);
    const b = await counters(page);
    expect(b.dests[1]! - a.dests[1]!, "a drained server gets no new connection").toBe(0);
    expect(b.dests[0]! - a.dests[0]!, "the remaining one takes the traffic").toBe(b.svc - a.svc);
    await expect.poll(() => cell(page, destKey(backends[1]!), "activeConns"), { timeout: 15_000 }).toBe(0);
  });

  await test.step("a browser reconnect resumes: fresh snapshot, the missed seconds filled in, no gap", async () => {
    const chart = page.getByTestId(`chart-${svcKey()}`);
    await expect(page.getByTestId("live-status")).toHaveAttribute("data-opens", "1");
    refuse = true;
    (live as WebSocketRoute | null)?.close({ code: 1006, reason: "test: cut" });
    await expect(page.getByTestId("live-status")).toHaveAttribute("data-status", "reconnecting", { timeout: 5_000 });
    await page.waitForTimeout(4_000);
    refuse = false;
    await expect(page.getByTestId("live-status")).toHaveAttribute("data-status", "open", { timeout: 20_000 });
    await expect(page.getByTestId("live-status")).toHaveAttribute("data-opens", "2");
    // the seconds spent offline come back from the server's ring buffer: no hole in the 1 Hz series
    await expect.poll(async () => Number(await chart.getAttribute("data-max-gap")), { timeout: 10_000 }).toBeLessThanOrEqual(2000);
    const before = Number(await chart.getAttribute("data-last-at"));
    await expect.poll(async () => Number(await chart.getAttribute("data-last-at")), { timeout: 10_000 }).toBeGreaterThan(before);
  });

  await test.step("history ranges come from the server", async () => {
    await page.getByTestId("range-15m").click();
    await expect(page.getByTestId(`chart-${svcKey()}`)).toHaveAttribute("data-state", "ready", { timeout: 15_000 });
    expect(Number(await page.getByTestId(`chart-${svcKey()}`).getAttribute("data-points"))).toBeGreaterThan(0);
    await page.getByTestId("range-live").click();
  });

  await test.step("every connection sent is counted, and /metrics equals the statistics table", async () => {
    await traffic!.stop();
    const sent = traffic!.sent + warmup;
    traffic = null;
    await page.getByTestId("stats-mode-stats").click();
    await expect.poll(() => cell(page, svcKey(), "conns"), { timeout: 15_000 }).toBe(sent);
    const labels = { local_address: VIP, local_port: String(vipPort), proto: "TCP" };
    const counterCols = [["connections_total", "conns"], ["incoming_packets_total", "inPkts"], ["outgoing_packets_total", "outPkts"], ["incoming_bytes_total", "inBytes"], ["outgoing_bytes_total", "outBytes"]] as const;
    const rows = [svcKey(), ...backends.map(destKey)];
    const cols = ["conns", "inPkts", "outPkts", "inBytes", "outBytes", "activeConns", "inactConns", "weight"] as const;
    await expect.poll(async () => {
      // inactive connections keep expiring after the traffic stopped, so the figures move every second:
      // /metrics is read between two reads of the table, and compared only when the table stood still
      const before = await tableCells(page, rows, cols);
      const text = await (await request.get("/metrics")).text();
      const table = await tableCells(page, rows, cols);
      if (JSON.stringify(before) !== JSON.stringify(table)) return ["the table moved while /metrics was read"];
      const diffs: string[] = [];
      const same = (what: string, metric: number | null, value: number | undefined) => {
        if (metric !== value) diffs.push(`${what}: /metrics ${metric} vs table ${value}`);
      };
      for (const [metric, col] of counterCols) same(`service ${col}`, metricValue(text, `node_ipvs_service_${metric}`, labels), table[`${svcKey()} ${col}`]);
      for (const b of backends) {
        const bl = { ...labels, remote_address: b.address, remote_port: String(b.port) };
        same(`${b.name} active`, metricValue(text, "node_ipvs_backend_connections_active", bl), table[`${destKey(b)} activeConns`]);
        same(`${b.name} inactive`, metricValue(text, "node_ipvs_backend_connections_inactive", bl), table[`${destKey(b)} inactConns`]);
        same(`${b.name} weight`, metricValue(text, "node_ipvs_backend_weight", bl), table[`${destKey(b)} weight`]);
      }
      if (metricValue(text, "lvs_director_up", { director: "lb-live" }) !== 1) diffs.push("lvs_director_up{director=\"lb-live\"} is not 1");
      return diffs;
    }, { timeout: 20_000 }).toEqual([]);
  });

  expect(problems.filter((p) => !/WebSocket|ERR_INTERNET_DISCONNECTED/.test(p))).toEqual([]);
});

test("the editor shows the same live overlays on its canvas, and the director going offline", async ({ page }) => {
  test.setTimeout(120_000);
  await page.goto(`/topology/${topologyId}`);
  await expect(page.getByTestId("topology-editor")).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId("live-node-d1")).toHaveAttribute("data-online", "true", { timeout: 20_000 });
  await expect(page.getByTestId("live-node-rs3")).toHaveAttribute("data-health", "down");
  await expect(page.getByTestId("tab-live")).toHaveAttribute("href", `/live/${topologyId}`);
  const topo = await trpcQuery<{ revision: number }>(page.request, "topology.get", { id: topologyId });
  expect(topo.revision).toBe(revision);
  // the agent goes away: the director turns offline on the canvas
  await agent!.stop();
  await expect(page.getByTestId("live-node-d1")).toHaveAttribute("data-online", "false", { timeout: 15_000 });
});
