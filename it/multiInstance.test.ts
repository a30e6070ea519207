/**
 * Two control-plane instances (real processes: server/index.ts) on one real PostgreSQL behind a real
 * HAProxy (Debian's package) on loopback, and a real agent process (bin/lvs-agent.mjs, userspace
 * engine) forwarding real loopback traffic:
 *  - HAProxy prefers instance A (B is its backup), so the "browser" (an /api/live client with a
 *    session cookie, as the UI's) and every tRPC call go through the load balancer to A;
 *  - the agent is told `--server http://B --server http://LB`: it connects to B first;
 *  - the browser on A sees the live stats of the agent held by B; a revision applied on A reaches the
 *    agent on B (it forwards to the new real server);
 *  - kill -9 of B: the agent comes back online through the load balancer (A) within 10 s, the browser's
 *    live view resumes on the same socket without a reload, and no revision is lost.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs/promises";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import WebSocket from "ws";
import type { Topology } from "../lvs/model.ts";
import type { LiveServerMessage } from "../lvs/protocol/live.ts";
import { createTestPostgres, NO_POSTGRES_REASON, TEST_DATABASE_URL, type TestPostgres } from "../server/db/testDatabase.ts";
import { firstAdminCookie } from "../server/auth/testing.ts";
import { freePort, httpGet, spawnNode, until, type Proc } from "./helpers.ts";

function haproxyBin(): string | null {
  for (const p of ["/usr/sbin/haproxy", "/usr/bin/haproxy"]) {
    try {
      execFileSync(p, ["-v"], { stdio: "ignore" });
      return p;
    } catch { /* next */ }
  }
  return null;
}
const HAPROXY = haproxyBin();
const skipReason = !TEST_DATABASE_URL ? NO_POSTGRES_REASON : !HAPROXY ? "haproxy is not installed (apt-get install haproxy)" : null;

/** HAProxy in front of the instances: health-checked on /healthz, WebSockets tunnelled, B as backup. */
export function haproxyConfig(o: { front: number; a: number; b: number }): string {
  return [
    "global", "  maxconn 2000",
    "defaults", "  mode http", "  timeout connect 1s", "  timeout client 1h", "  timeout server 1h", "  timeout tunnel 1h",
    "  option redispatch", "  retries 3",
    "frontend console", `  bind 127.0.0.1:${o.front}`, "  default_backend instances",
    "backend instances", "  option httpchk GET /healthz", "  http-check expect status 200", "  default-server inter 300ms fall 2 rise 1",
    `  server a 127.0.0.1:${o.a} check`, `  server b 127.0.0.1:${o.b} check backup`, "",
  ].join("\n");
}

function topology(vipPort: number, backends: Array<{ port: number; address: string }>): Topology {
  const host = { loopbackVips: [], tunnelVips: [], arpSuppressed: false, gateway: null };
  return {
    name: "multi",
    directors: [{ id: "d1", name: "lvs-multi", managementAddress: null, interfaces: [], engine: "userspace" }],
    services: [{
      id: "vs1", protocol: "tcp", family: "inet", address: "127.0.16.1", port: vipPort, fwmark: null, scheduler: "rr", flags: [],
      persistence: null, persistenceEngine: null, onePacket: false, description: "", directorIds: ["d1"], healthCheck: null, sorryServer: null, proxyProtocol: false,
    }],
    realServers: backends.map((b, i) => ({ id: `rs${i + 1}`, name: `b${i + 1}`, address: b.address, port: b.port, host })),
    memberships: backends.map((_, i) => ({ id: `m${i + 1}`, serviceId: "vs1", realServerId: `rs${i + 1}`, method: "nat" as const, weight: 1, upperThreshold: 0, lowerThreshold: 0, tunnel: null, state: "active" as const, healthCheck: null })),
    layout: {},
  } as Topology;
}

describe.skipIf(!!skipReason)(`several control-plane instances behind HAProxy${skipReason ? ` (skipped: ${skipReason})` : ""}`, () => {
  let pg: TestPostgres;
  let dir: string;
  const ports = { a: 0, b: 0, lb: 0, vip: 0 };
  const procs: Proc[] = [];
  let a: Proc;
  let b: Proc;
  let agent: Proc;
  let haproxy: ChildProcess;
  let cookie: string;
  const backends: http.Server[] = [];
  const lbUrl = () => `http://127.0.0.1:${ports.lb}`;

  const instance = (port: number): Proc => {
    const p = spawnNode(["--import", "tsx", "server/index.ts"], {
      DATABASE_URL: pg.url, PORT: String(port), HOST: "127.0.0.1", LVS_NEXT: "0", LVS_DEMO: "0", LOG_LEVEL: "info",
      LVS_DATA_DIR: path.join(dir, `data-${port}`), NODE_ENV: "production",
    });
    procs.push(p);
    return p;
  };
  const healthy = async (port: number) => (await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false));
  const trpc = async <T>(proc: string, input: unknown, method: "GET" | "POST" = "POST", base = lbUrl()): Promise<T> => {
    const url = method === "GET" ? `${base}/api/trpc/${proc}?input=${encodeURIComponent(JSON.stringify(input))}` : `${base}/api/trpc/${proc}`;
    const res = await fetch(url, { method, headers: { cookie, "content-type": "application/json" }, ...(method === "POST" ? { body: JSON.stringify(input) } : {}) });
    const body = (await res.json()) as { result?: { data: T }; error?: { message: string } };
    if (!res.ok || !body.result) throw new Error(`${proc}: ${res.status} ${body.error?.message ?? ""}`);
    return body.result.data;
  };
  const backend = async (address: string, name: string) => {
    const s = http.createServer((_q, res) => res.end(name));
    const port = await freePort(address);
    await new Promise<void>((r) => s.listen(port, address, r));
    backends.push(s);
    return { address, port };
  };

  beforeAll(async () => {
    pg = await createTestPostgres();
    dir = await fs.mkdtemp(path.join(os.tmpdir(), "multi-instance-"));
    ports.a = await freePort();
    ports.b = await freePort();
    ports.lb = await freePort();
    ports.vip = await freePort("127.0.16.1");
    a = instance(ports.a);
    await until(() => healthy(ports.a), 90_000, "instance A healthy", { intervalMs: 200, diag: () => a.output().slice(-2000) });
    b = instance(ports.b);
    await until(() => healthy(ports.b), 90_000, "instance B healthy", { intervalMs: 200, diag: () => b.output().slice(-2000) });
    const cfg = path.join(dir, "haproxy.cfg");
    await fs.writeFile(cfg, haproxyConfig({ front: ports.lb, a: ports.a, b: ports.b }));
    haproxy = spawn(HAPROXY!, ["-f", cfg, "-db"], { stdio: ["ignore", "pipe", "pipe"] });
    await until(async () => (await fetch(`${lbUrl()}/healthz`).then((r) => r.ok, () => false)), 20_000, "HAProxy up");
    cookie = await firstAdminCookie(lbUrl());
  }, 200_000);

  afterAll(async () => {
    for (const p of procs.reverse()) await p.stop(3000).catch(() => {});
    haproxy?.kill("SIGKILL");
    for (const s of backends) s.close();
    await pg?.drop().catch(() => {});
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  }, 60_000);

  it("any browser and any agent, any instance: live stats, apply, and an instance killed under them", async () => {
    const b1 = await backend("127.0.26.1", "b1");
    const b2 = await backend("127.0.26.2", "b2");
    const created = await trpc<{ id: string; revision: number }>("topology.create", { name: "multi" });
    const saved = await trpc<{ revision: number }>("topology.save", { id: created.id, expectedRevision: created.revision, document: topology(ports.vip, [b1]), message: "one real server" });
    const enrolled = await trpc<{ director: { id: string }; token: string }>("director.create", { topologyId: created.id, key: "d1" });
    await trpc("deploy.applyRevision", { topologyId: created.id, revision: saved.revision, waitMs: 0 });

    // the agent knows both: B first, then the load balancer
    agent = spawnNode(["bin/lvs-agent.mjs", "--server", `http://127.0.0.1:${ports.b}`, "--server", lbUrl(), "--engine", "userspace", "--state-dir", path.join(dir, "agent")], { LVS_AGENT_TOKEN: enrolled.token });
    procs.push(agent);
    await until(async () => (await httpGet("127.0.16.1", ports.vip)) === "b1", 30_000, "forwarding through the agent", { intervalMs: 200, diag: () => agent.output().slice(-2000) });
    const onB = await fetch(`http://127.0.0.1:${ports.b}/metrics`).then((r) => r.text());
    expect(onB).toMatch(/lvs_director_up\{director="lvs-multi"\} 1/);

    // the browser, through the load balancer, is on A
    const msgs: LiveServerMessage[] = [];
    const live = new WebSocket(`${lbUrl().replace("http", "ws")}/api/live`, { headers: { cookie } });
    live.on("message", (d) => msgs.push(JSON.parse(d.toString()) as LiveServerMessage));
    await new Promise<void>((res, rej) => (live.once("open", () => res()), live.once("error", rej)));
    live.send(JSON.stringify({ type: "subscribe", topologyId: created.id }));
    const statsOf = () => msgs.filter((m): m is Extract<LiveServerMessage, { type: "stats" }> => m.type === "stats" && m.directorId === enrolled.director.id);
    // traffic, so the counters move
    for (let i = 0; i < 5; i++) await httpGet("127.0.16.1", ports.vip);
    await until(() => statsOf().length >= 2, 20_000, "stats of the agent held by B, on A's socket", { diag: () => JSON.stringify(msgs.map((m) => m.type)) });
    const snap = msgs.find((m) => m.type === "snapshot") as Extract<LiveServerMessage, { type: "snapshot" }>;
    expect(snap.directors[0]).toMatchObject({ directorId: enrolled.director.id, online: true });

    // an apply issued on A reaches the agent held by B
    const second = await trpc<{ revision: number }>("topology.save", { id: created.id, expectedRevision: saved.revision, document: topology(ports.vip, [b1, b2]), message: "second real server" });
    await trpc("deploy.applyRevision", { topologyId: created.id, revision: second.revision, waitMs: 10_000 });
    await until(async () => (await httpGet("127.0.16.1", ports.vip)) === "b2", 20_000, "the new real server behind the VIP");
    // the agent forwards before its ack is stored: the director shows the revision a moment later
    await until(async () => {
      const listed = await trpc<Array<{ appliedRevision: number | null; online: boolean }>>("director.list", { topologyId: created.id }, "GET");
      return listed[0]!.appliedRevision === second.revision && listed[0]!.online;
    }, 10_000, "the director to report the applied revision");

    // kill -9 the instance holding the agent
    const killedAt = Date.now();
    b.child.kill("SIGKILL");
    const seenBefore = statsOf().length;
    await until(async () => {
      const l = await trpc<Array<{ online: boolean }>>("director.list", { topologyId: created.id }, "GET").catch(() => null);
      return !!l && l[0]!.online && /reconnecting/.test(agent.output());
    }, 10_000, "the agent back online through the load balancer within 10 s", { intervalMs: 100, diag: () => agent.output().slice(-2000) });
    const backAfter = Date.now() - killedAt;
    // the same browser socket resumes (no reload): new stats frames arrive on it
    await until(() => statsOf().length > seenBefore + 1, 15_000, "stats again on the browser's socket");
    expect(live.readyState).toBe(WebSocket.OPEN);
    process.stdout.write(`multi-instance: agent back online through the other instance ${backAfter} ms after kill -9\n`);
    // no revision lost
    const revs = await trpc<Array<{ revision: number }>>("topology.revisions", { id: created.id }, "GET").catch(() => null);
    if (revs) expect(revs.map((r) => r.revision)).toEqual(expect.arrayContaining([saved.revision, second.revision]));
    const after = await trpc<Array<{ id: string; appliedRevision: number | null }>>("director.list", { topologyId: created.id }, "GET");
    expect(after.find((d) => d.id === enrolled.director.id)!.appliedRevision).toBe(second.revision);
    live.close();
  }, 240_000);
});
