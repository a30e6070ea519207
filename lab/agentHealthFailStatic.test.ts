/**
 * The agent on the real kernel (QEMU lab), beyond convergence (lab/agentIpvs.test.ts):
 * health checks, the connection table on request, drift repair and fail-static across a REBOOT.
 *
 * Same arrangement as agentIpvs.test.ts: the agent runs on the host and drives the VM's ipvsadm
 * through lab/vmExecChannel.ts. Health probes are opened from the VM too (lab/agentVmChecker.ts),
 * since the real servers live in VM namespaces; the monitor, rise/fall and effective table are the
 * agent's own code. LVS-NAT: client 192.168.1.2 → VIP 192.168.1.1 → rs1..rs3 (busybox httpd).
 *
 * VM 1: service :80 quiesces failed real servers (weight 0), service :8080 removes them and has rs3
 * as its sorry server. Killing httpd in rs1, then rs2, then restarting rs1 must show up in the KERNEL
 * table and in real traffic; transitions reach the control plane. Then: a hand-made `ipvsadm -D`
 * is repaired by the periodic resync; the connection table is paged through hub → agent → -Lnc.
 * VM 2 is the same director rebooted: the distribution's ipvsadm service restores the boot rules
 * file the agent wrote (forwarding before any agent), then, with those rules gone and the control
 * plane down, a new agent restores from its state dir — rs2, down when the agent last ran, stays
 * quiesced/removed until it rises; when the control plane returns it resyncs, and a revision the
 * kernel refuses (the "twos" scheduler is not in Debian's 6.1) is reported per operation.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import http from "node:http";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { AddressInfo } from "node:net";
import { pino } from "pino";
import { runInVm, type VmResult } from "./vm.ts";
import { VmExecChannel } from "./vmExecChannel.ts";
import { vmTcpChecker } from "./agentVmChecker.ts";
import { AgentHub, type DesiredState } from "../server/realtime/agentHub.ts";
import { MemoryAgentDirectory } from "../it/memoryAgentDirectory.ts";
import { MemoryEventBus } from "../server/events/MemoryEventBus.ts";
import { runAgent, type RunningAgent } from "../agent/runAgent.ts";
import { IpvsEngine } from "../agent/engines/ipvs/ipvsEngine.ts";
import { memoryLog } from "../agent/log.ts";
import { dest, tcpCheck, tcpService, targetsFor } from "../agent/testing/fixtures.ts";
import { parseRules } from "../lvs/formats/ipvsadm/parse.ts";
import { renderRules } from "../lvs/formats/ipvsadm/render.ts";
import { canonicalTable } from "../lvs/canonical.ts";
import type { HealthConfig } from "../lvs/protocol/agent.ts";
import type { IpvsTable } from "../lvs/model.ts";
import { NAT_NAMESPACES_SCRIPT } from "./natNamespaces.ts";
import { until } from "../it/helpers.ts";

const LAB = process.env.LVS_LAB_DIR;
const VIP = "192.168.1.1";

const SETUP = NAT_NAMESPACES_SCRIPT;
/** what Debian's ipvsadm init script does at boot (ipvsadm-restore is a bash wrapper of -R; no bash here) */
const DISTRO_BOOT = `[ -f /etc/ipvsadm.rules ] && ipvsadm -R < /etc/ipvsadm.rules && echo boot-rules-restored`;

const rs = (i: number, weight = 1) => dest(`10.0.1${i}.2`, 80, weight, "nat");
const table = (a: ReturnType<typeof rs>[], b: ReturnType<typeof rs>[]): IpvsTable => ({ services: [tcpService(VIP, 80, a), tcpService(VIP, 8080, b)] });
const REV1 = table([rs(1), rs(2)], [rs(1), rs(2)]);
const interval = 500;
const FALL = 2;
const HEALTH: HealthConfig = {
  targets: [
    ...targetsFor({ services: [REV1.services[0]!] }, tcpCheck({ intervalMs: interval, timeoutMs: 1000, fall: FALL, rise: 2, onFailure: "quiesce" })),
    ...targetsFor({ services: [REV1.services[1]!] }, tcpCheck({ intervalMs: interval, timeoutMs: 1000, fall: FALL, rise: 2, onFailure: "remove" })),
  ],
  sorryServers: [{ service: { protocol: "tcp", family: "inet", address: VIP, port: 8080 }, address: "10.0.13.2", port: 80 }],
};

/** A control plane: hub (in-memory directory) on a loopback port. */
async function controlPlane(directory: MemoryAgentDirectory, desired: Map<string, DesiredState>, port = 0) {
  const bus = new MemoryEventBus(pino({ level: "silent" }));
  const hub = new AgentHub({ directory, bus, desiredFor: async (id) => desired.get(id) ?? null, log: { info: () => {}, warn: () => {} }, heartbeatMs: 2000, statsIntervalMs: 5000 });
  directory.watch(hub);
  const server = http.createServer();
  server.on("upgrade", (req, socket, head) => hub.handleUpgrade(req, socket, head));
  await new Promise<void>((r) => server.listen(port, "127.0.0.1", r));
  return {
    hub, bus, port: (server.address() as AddressInfo).port,
    async close() {
      await hub.close();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

class Vm {
  readonly channel = new VmExecChannel();
  done!: Promise<VmResult>;
  async boot(extraScript: string, files?: Record<string, string>): Promise<void> {
    await this.channel.listen();
    this.done = runInVm({ script: `${SETUP}\n${extraScript}\n${this.channel.vmLoopScript()}`, net: "user", timeoutMs: 600_000, memoryMb: 512, ...(files ? { files } : {}) });
    this.done.catch(() => {});
    const r = await this.channel.shell("ipvsadm -Ln >/dev/null && echo ok");
    expect(r.stdout.trim()).toBe("ok");
  }
  async kernel(): Promise<IpvsTable> {
    const r = await this.channel.run(["ipvsadm", "-S", "-n"]);
    const parsed = parseRules(r.stdout);
    expect(parsed.errors).toEqual([]);
    return parsed.table;
  }
  /** n HTTP requests from the client namespace; each answer's last line ("rs1", …) or "" when refused */
  async traffic(port: number, n: number): Promise<string[]> {
    const r = await this.channel.shell(`
i=0; while [ $i -lt ${n} ]; do a=$(printf 'GET / HTTP/1.0\\r\\n\\r\\n' | /usr/sbin/ip netns exec client nc -w 3 ${VIP} ${port} 2>/dev/null | tail -n 1); echo "=$a"; i=$((i+1)); done
`);
    return r.stdout.split("\n").filter((l) => l.startsWith("=")).map((l) => l.slice(1));
  }
  async close(): Promise<void> {
    await this.channel.close();
    // the VM powers off once its loop reads QUIT; do not wait on a wedged one (its own timeout kills it)
    await Promise.race([this.done?.catch(() => {}), new Promise((r) => setTimeout(r, 30_000))]);
  }
}

const canon = (t: IpvsTable) => canonicalTable(t);

describe.skipIf(!LAB)("agent on the real kernel: health, connection table, drift repair, fail-static across a reboot (lab)", () => {
  let stateDir: string;
  let bootRules: string;
  const directory = new MemoryAgentDirectory();
  const desired = new Map<string, DesiredState>();
  let token: string;
  let cpPort = 0;
  const vms: Vm[] = [];
  const agents: RunningAgent[] = [];
  const cps: Array<{ close(): Promise<void> }> = [];

  beforeAll(async () => {
    stateDir = await fs.mkdtemp(path.join(os.tmpdir(), "lab-agent-fs-"));
    bootRules = path.join(stateDir, "etc-ipvsadm.rules");
    token = directory.add("d1", "lab-director");
  });
  // whatever a test left running (it failed half-way) is stopped before the next VM boots
  afterEach(async () => {
    for (const a of agents.splice(0)) await a.stop().catch(() => {});
    for (const c of cps.splice(0)) await c.close().catch(() => {});
    for (const v of vms.splice(0)) await v.close().catch(() => {});
  }, 60_000);
  afterAll(async () => {
    if (stateDir) await fs.rm(stateDir, { recursive: true, force: true });
  });
  const release = async <T extends { close?: () => Promise<void>; stop?: () => Promise<void> }>(list: T[], x: T) => {
    list.splice(list.indexOf(x), 1);
    await (x.stop ? x.stop() : x.close!());
  };

  function startAgent(vm: Vm, log: ReturnType<typeof memoryLog>): Promise<RunningAgent> {
    return runAgent({
      server: `http://127.0.0.1:${cpPort}`, token, stateDir, log,
      engine: new IpvsEngine({ exec: vm.channel, managedFile: path.join(stateDir, "ipvs-managed.json") }),
      bootRules: { path: bootRules, render: (t) => renderRules(t) },
      checkers: { tcp: vmTcpChecker(vm.channel) },
      backoff: { initialMs: 200, maxMs: 1000 }, resyncIntervalMs: 4000, healDrift: true,
    }).then((a) => (agents.push(a), a));
  }

  it("VM 1: quiesce / remove / sorry server in the kernel and in traffic, transitions reported, paged connections, drift repaired", async () => {
    const vm = new Vm();
    vms.push(vm);
    await vm.boot("echo lab-ready");
    const cp = await controlPlane(directory, desired);
    cps.push(cp);
    cpPort = cp.port;
    desired.set("d1", { revision: 1, table: REV1, health: HEALTH });
    const log = memoryLog();
    const agent = await startAgent(vm, log);
    const diag = () => `agent log:\n${log.lines.slice(-30).join("\n")}\nvm commands:\n${vm.channel.log.filter((l) => !l.startsWith("nc ")).slice(-10).join("\n")}`;
    await until(() => directory.rows.get("d1")!.appliedRevision === 1, 30_000, "revision 1 acknowledged", { diag });
    expect(canon(await vm.kernel())).toEqual(canon(REV1));
    expect(new Set(await vm.traffic(80, 4))).toEqual(new Set(["rs1", "rs2"]));

    // rs1's httpd dies: quiesced on :80 (weight 0, established connections could finish), removed on :8080
    await vm.channel.shell("kill $(/usr/sbin/ip netns pids rs1)");
    const t0 = Date.now();
    const rs1Down = table([rs(1, 0), rs(2)], [rs(2)]);
    await until(async () => isEqual(canon(await vm.kernel()), canon(rs1Down)), 60_000, "rs1 quiesced/removed in the kernel", { diag });
    const detectMs = Date.now() - t0;
    console.log(`lab: rs1 failure reached the kernel table in ${detectMs} ms (fall ${FALL} × ${interval} ms, probes and ipvsadm through the VM channel)`);
    expect(await vm.traffic(80, 4)).toEqual(["rs2", "rs2", "rs2", "rs2"]);
    expect(await vm.traffic(8080, 2)).toEqual(["rs2", "rs2"]);

    // rs2 dies too: :8080 falls back to the sorry server rs3; :80 keeps both at weight 0
    await vm.channel.shell("kill $(/usr/sbin/ip netns pids rs2)");
    const allDown = table([rs(1, 0), rs(2, 0)], [rs(3)]);
    await until(async () => isEqual(canon(await vm.kernel()), canon(allDown)), 60_000, "sorry server in the kernel", { diag });
    expect(await vm.traffic(8080, 3)).toEqual(["rs3", "rs3", "rs3"]);

    // rs1 comes back: after `rise` successes it is restored everywhere and the sorry server leaves
    await vm.channel.shell("/usr/sbin/ip netns exec rs1 httpd -p 80 -h /www/rs1");
    const rs1Back = table([rs(1), rs(2, 0)], [rs(1)]);
    await until(async () => isEqual(canon(await vm.kernel()), canon(rs1Back)), 60_000, "rs1 restored in the kernel", { diag });
    expect(await vm.traffic(8080, 2)).toEqual(["rs1", "rs1"]);
    expect(await vm.traffic(80, 2)).toEqual(["rs1", "rs1"]);

    // the control plane got every transition, with timestamps in order
    await until(() => directory.rows.get("d1")!.transitions.length >= 6, 30_000, "transitions at the control plane", { diag });
    const tr = directory.rows.get("d1")!.transitions.map((t) => `${t.service.protocol === "fwmark" ? "" : t.service.port} ${t.destination.address} ${t.from}->${t.to}`);
    expect(tr.sort()).toEqual([
      "80 10.0.11.2 down->up", "80 10.0.11.2 up->down", "80 10.0.12.2 up->down",
      "8080 10.0.11.2 down->up", "8080 10.0.11.2 up->down", "8080 10.0.12.2 up->down",
    ]);
    const times = directory.rows.get("d1")!.transitions.map((t) => t.at);
    expect(times.every((t) => t >= t0 - 1000 && t <= Date.now())).toBe(true);

    // the connection table on request, paged, through the control plane's hub
    const page = (p: Parameters<typeof cp.hub.requestConnections>[1]) => cp.hub.requestConnections("d1", p, 20_000).catch((e: Error) => {
      throw new Error(`${e.message}\n${diag()}`);
    });
    const first = await page({ offset: 0, limit: 3 });
    const second = await page({ offset: 3, limit: 3 });
    expect(first.total).toBeGreaterThanOrEqual(6);
    expect(first.entries).toHaveLength(3);
    expect(second.total).toBe(first.total);
    const id = (e: (typeof first.entries)[number]) => `${e.client.address}:${e.client.port}>${e.virtual.port}`;
    expect(second.entries.map(id).filter((x) => first.entries.map(id).includes(x))).toEqual([]);
    const only8080 = await page({ offset: 0, limit: 100, virtual: `${VIP}:8080` });
    expect(only8080.total).toBeGreaterThanOrEqual(7);
    expect(only8080.entries.every((e) => e.virtual.port === 8080)).toBe(true);

    // statistics from the kernel listings: rs1's two finished :8080 connections count as InActConn (TIME_WAIT)
    await until(() => {
      const svc = directory.latestStats("d1")?.services.find((x) => x.key.protocol === "tcp" && x.key.port === 8080);
      const d = svc?.destinations.find((x) => x.address === "10.0.11.2");
      return (d?.inactConns ?? 0) >= 2 && (d?.counters.conns ?? 0) >= 2;
    }, 30_000, "ActiveConn/InActConn and counters of rs1 on :8080 at the control plane", { diag });

    // someone deletes the :80 service by hand: the periodic re-reconcile puts it back
    expect((await vm.channel.run(["ipvsadm", "-D", "-t", `${VIP}:80`])).code).toBe(0);
    await until(async () => isEqual(canon(await vm.kernel()), canon(rs1Back)), 30_000, "drift repaired by the periodic resync", { diag });

    // fail-static files hold what the kernel runs (effective table: health applied)
    const boot = parseRules(await fs.readFile(bootRules, "utf8"));
    expect(boot.errors).toEqual([]);
    expect(canon(boot.table)).toEqual(canon(rs1Back));
    expect(JSON.parse(await fs.readFile(path.join(stateDir, "state.json"), "utf8")).revision).toBe(1);

    // the agent stops and the control plane goes away: the kernel keeps every rule
    await release(agents, agent);
    await release(cps, cp);
    expect(canon(await vm.kernel())).toEqual(canon(rs1Back));
    expect(vm.channel.log.join("\n")).not.toMatch(/ipvsadm -C/);
    console.log(`lab: VM 1 ran ${vm.channel.log.length} commands for the agent and the test; results lost and failed: ${vm.channel.lostResults}`);
  }, 480_000);

  it("VM 2 (the director rebooted): boot rules forward before any agent; a new agent with no control plane restores its state dir; the control plane returns and it resyncs", async () => {
    const rules = await fs.readFile(bootRules, "utf8");
    const vm = new Vm();
    vms.push(vm);
    await vm.boot(DISTRO_BOOT, { "/etc/ipvsadm.rules": rules });
    // before any agent runs: the distribution's boot restore alone makes the director forward
    const rs1Back = table([rs(1), rs(2, 0)], [rs(1)]);
    expect(canon(await vm.kernel())).toEqual(canon(rs1Back));
    expect(await vm.traffic(80, 3)).toEqual(["rs1", "rs1", "rs1"]);

    // a director without the boot service (rules gone) and the control plane down: the agent restores
    await vm.channel.run(["ipvsadm", "-C"]);
    expect((await vm.kernel()).services).toEqual([]);
    const log = memoryLog();
    const t0 = Date.now();
    const batchesBefore = vm.channel.log.filter((l) => l.startsWith("ipvsadm -R")).length;
    await startAgent(vm, log); // cpPort is closed since VM 1
    expect(log.lines.join("\n")).toMatch(/restored revision 1 from .*state\.json \(applied\)/);
    console.log(`lab: agent start to restored kernel table, control plane down: ${Date.now() - t0} ms`);
    // rs2 was down when the agent last ran: the restore keeps it quiesced on :80 and out of :8080
    const restore = vm.channel.log.filter((l) => l.startsWith("ipvsadm -R"))[batchesBefore]!;
    expect(restore).toMatch(/^-a -t 192\.168\.1\.1:80 -r 10\.0\.12\.2:80 -m -w 0$/m);
    expect(restore).not.toMatch(/^-a -t 192\.168\.1\.1:8080 -r 10\.0\.12\.2:80/m);
    // in this boot rs2 answers: after `rise` successes it is back everywhere
    await until(async () => isEqual(canon(await vm.kernel()), canon(REV1)), 60_000, "rs2 restored after rise", { diag: () => log.lines.slice(-10).join("\n") });
    expect(new Set(await vm.traffic(80, 4))).toEqual(new Set(["rs1", "rs2"]));
    await until(() => log.lines.filter((l) => /reconnecting in \d+ ms/.test(l)).length >= 2, 10_000, "agent retrying the control plane");

    // the control plane comes back on its address with a newer revision: reconnect, full resync
    const rev2 = table([rs(1), rs(2, 3)], [rs(1), rs(2)]);
    desired.set("d1", { revision: 2, table: rev2, health: HEALTH });
    const cp = await controlPlane(directory, desired, cpPort);
    cps.push(cp);
    await until(() => directory.rows.get("d1")!.appliedRevision === 2, 20_000, "revision 2 after reconnect", { diag: () => log.lines.slice(-20).join("\n") });
    expect(canon(await vm.kernel())).toEqual(canon(rev2));

    // per-operation errors from the real kernel: Debian's 6.1 has no "twos" scheduler (validation only
    // warns, newer kernels have it). The failed op is reported with the kernel's words, the revision in
    // force stays 2, the ack's table is what the kernel runs; a fixed revision then applies.
    const applied: Array<{ revision: number; outcome: string; message: string | null }> = [];
    cp.bus.subscribe("topology.applied", (e) => { applied.push({ revision: e.revision, outcome: e.outcome, message: e.message }); });
    const rev3: IpvsTable = { services: [...table([rs(1, 2), rs(2, 3)], [rs(1), rs(2)]).services, tcpService(VIP, 9090, [rs(3)], "twos")] };
    desired.set("d1", { revision: 3, table: rev3, health: HEALTH });
    await cp.bus.publish("topology.saved", { topologyId: "t1", revision: 3, author: null, at: Date.now() });
    await until(() => applied.some((a) => a.revision === 3), 30_000, "revision 3 outcome", { diag: () => log.lines.slice(-20).join("\n") });
    const r3 = applied.find((a) => a.revision === 3)!;
    console.log(`lab: revision 3 (twos) outcome ${r3.outcome}: ${r3.message}`);
    expect(r3.outcome).toBe("failed");
    expect(r3.message).toMatch(/^-A -t 192\.168\.1\.1:9090 -s twos: /); // the kernel's refusal, not the validation warning
    expect(log.lines.join("\n")).toMatch(/revision 3: \d+ op\(s\) failed: -A -t 192\.168\.1\.1:9090 -s twos: /);
    expect(directory.rows.get("d1")!.appliedRevision).toBe(2);
    const kernel3 = await vm.kernel();
    expect(canon(directory.rows.get("d1")!.reportedTable!)).toEqual(canon(kernel3)); // nothing half-applied goes unreported
    expect(kernel3.services.some((x) => x.protocol === "tcp" && x.port === 9090)).toBe(false);
    const rev4: IpvsTable = { services: [...rev3.services.slice(0, 2), tcpService(VIP, 9090, [rs(3)], "rr")] };
    desired.set("d1", { revision: 4, table: rev4, health: HEALTH });
    await cp.bus.publish("topology.saved", { topologyId: "t1", revision: 4, author: null, at: Date.now() });
    await until(() => directory.rows.get("d1")!.appliedRevision === 4, 30_000, "revision 4 applied", { diag: () => log.lines.slice(-20).join("\n") });
    expect(canon(await vm.kernel())).toEqual(canon(rev4));
  }, 480_000);
});

function isEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
