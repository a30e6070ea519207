/**
 * The HA failover lab: one QEMU VM with the HA network (haNetwork.ts), a control-plane hub on the
 * host (in-memory directory, as lab/agentIpvs.test.ts), and two real agents — IpvsEngine + an
 * HaSupervisor running Debian's keepalived — one per director namespace, driven through the VM exec
 * channel. Everything from the desired state to keepalived and ipvsadm is the production code path;
 * only the process boundary (Exec, KeepalivedHost) is adapted to the VM.
 */
import http from "node:http";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { AddressInfo } from "node:net";
import { pino } from "pino";
import { runInVm, type VmResult } from "../vm.ts";
import { VmExecChannel } from "../vmExecChannel.ts";
import { AgentHub, type DesiredState, type HaReport } from "../../server/realtime/agentHub.ts";
import { MemoryAgentDirectory } from "../../it/memoryAgentDirectory.ts";
import { MemoryEventBus } from "../../server/events/MemoryEventBus.ts";
import { runAgent, type RunningAgent } from "../../agent/runAgent.ts";
import { IpvsEngine } from "../../agent/engines/ipvs/ipvsEngine.ts";
import { HaSupervisor } from "../../agent/ha/haSupervisor.ts";
import type { memoryLog } from "../../agent/log.ts";
import { dest, tcpService } from "../../agent/testing/fixtures.ts";
import type { DesiredHa, HaStatus, HaTransition } from "../../lvs/protocol/ha.ts";
import type { IpvsTable } from "../../lvs/model.ts";
import { HA_LAB, HA_NETWORK_SCRIPT } from "./haNetwork.ts";
import { MEASURE_FUNCTIONS } from "./measureScript.ts";
import { VmKeepalivedHost, nsExec } from "./vmKeepalivedHost.ts";

export type DirectorName = "dir1" | "dir2";
export const DIRECTORS: DirectorName[] = ["dir1", "dir2"];

export interface HaSettings {
  advertIntMs: number;
  sync: boolean;
  nopreempt: boolean;
  /** planned switchover in progress for this director */
  maintenance: Partial<Record<DirectorName, boolean>>;
}

const TABLE: IpvsTable = {
  services: [HA_LAB.httpPort, HA_LAB.echoPort].map((port) =>
    tcpService(HA_LAB.vip, port, Object.values(HA_LAB.realServers).map((rip) => dest(rip, port, 1, "dr")))),
};

/** The DesiredHa the control plane sends each director of the lab's HA group. */
export function labDesiredHa(me: DirectorName, s: HaSettings): DesiredHa {
  const other: DirectorName = me === "dir1" ? "dir2" : "dir1";
  return {
    instances: [{
      name: "VI_lab", groupId: "ha1", interface: "eth0", virtualRouterId: 51,
      // dir1 preferred; close priorities keep the backup's skew time small (VRRPv3: (256-prio)/256 × advert)
      priority: me === "dir1" ? 200 : 190,
      nopreempt: s.nopreempt, advertIntMs: s.advertIntMs, version: 3,
      unicastSource: HA_LAB.directors[me], unicastPeers: [HA_LAB.directors[other]], authPass: null,
      vips: [{ address: HA_LAB.vip, prefix: HA_LAB.prefix }],
    }],
    sync: s.sync ? { interface: "eth0", syncId: 51 } : null,
    maintenance: s.maintenance[me] ?? false,
  };
}

/** memoryLog with the host time (ms) in front of every line: the hops of a switchover, in order */
function stampedLog(): ReturnType<typeof memoryLog> {
  const lines: string[] = [];
  const at = (lvl: string) => (m: string) => lines.push(`${Date.now()} ${lvl} ${m}`);
  return { lines, info: at("INFO"), warn: at("WARN"), error: at("ERROR") };
}

async function until(cond: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export class FailoverLab {
  readonly channel = new VmExecChannel();
  /**
   * keepalived's control (start/stop/HUP, pid checks) runs in one VM lane per director: on real
   * directors those commands neither queue behind the agent's ipvsadm listings nor behind the other
   * director's; one lane per VM made a switchover's `kill -TERM` wait 7 s behind stats polls at
   * load 14, one shared HA lane 300 ms behind the peer's liveness check
   */
  readonly haChannels: Record<DirectorName, VmExecChannel> = { dir1: new VmExecChannel(), dir2: new VmExecChannel() };
  private vm: Promise<VmResult> | null = null;
  private server: http.Server | null = null;
  hub: AgentHub | null = null;
  readonly directory = new MemoryAgentDirectory();
  readonly bus = new MemoryEventBus(pino({ level: "silent" }));
  private readonly desired = new Map<string, DesiredState>();
  private readonly tokens = new Map<DirectorName, string>();
  readonly agents = new Map<DirectorName, RunningAgent>();
  private readonly supervisors = new Map<DirectorName, HaSupervisor>();
  readonly logs = new Map<DirectorName, ReturnType<typeof memoryLog>>();
  private stateDir = "";
  private revision = 0;
  settings: HaSettings = { advertIntMs: 200, sync: true, nopreempt: false, maintenance: {} };
  /** what the hub heard from the agents (the console's view) */
  readonly transitions: Array<HaTransition & { directorId: string }> = [];
  readonly status = new Map<string, HaStatus>();
  /** operator requests the host received (host time), for the planned switchover's profile */
  readonly requests: Array<{ at: number; url: string }> = [];

  async start(): Promise<void> {
    await this.channel.listen();
    for (const c of Object.values(this.haChannels)) await c.listen();
    this.vm = runInVm({
      script: `${HA_NETWORK_SCRIPT}\necho ha-lab-ready\n${DIRECTORS.map((d) => `( ${this.haChannels[d].vmLoopScript(`-${d}`)} ) </dev/null >/dev/null 2>&1 &\n`).join("")}${this.channel.vmLoopScript()}`,
      files: { "/lab/measure.sh": MEASURE_FUNCTIONS },
      net: "user", timeoutMs: 900_000, memoryMb: 768,
    });
    this.vm.catch(() => {});
    const ready = await this.channel.shell("ipvsadm -Ln >/dev/null && keepalived --version 2>&1 | head -n1");
    if (!/Keepalived v/.test(ready.stdout)) throw new Error(`lab VM has no keepalived: ${ready.stdout}${ready.stderr} (rebuild the lab: bash lab/build.sh)`);
    this.stateDir = await fs.mkdtemp(path.join(os.tmpdir(), "lab-failover-"));
    this.hub = new AgentHub({
      // stats every 5 s: every ipvsadm listing costs the emulated VM CPU the failover timing needs
      directory: this.directory, bus: this.bus, heartbeatMs: 2000, statsIntervalMs: 5000,
      desiredFor: async (id) => this.desired.get(id) ?? null,
      log: { info: () => {}, warn: () => {} },
      onHa: (r: HaReport) => {
        if (r.kind === "status") this.status.set(r.directorId, r.status);
        else for (const t of r.transitions) this.transitions.push({ ...t, directorId: r.directorId });
      },
    });
    this.server = http.createServer((req, res) => void this.operatorRequest(req.url ?? "", res));
    this.server.on("upgrade", (req, socket, head) => this.hub!.handleUpgrade(req, socket, head));
    await new Promise<void>((r) => this.server!.listen(0, "127.0.0.1", r));
    for (const d of DIRECTORS) this.tokens.set(d, this.directory.add(d, d));
    this.setDesired();
    for (const d of DIRECTORS) await this.startAgent(d);
    await this.waitApplied();
  }

  private setDesired(): void {
    this.revision++;
    for (const d of DIRECTORS) this.desired.set(d, { revision: this.revision, table: TABLE, health: { targets: [], sorryServers: [] }, ha: labDesiredHa(d, this.settings) });
  }

  /** New settings → a new revision to both agents; resolves once both acknowledged it. */
  async configure(s: Partial<HaSettings>): Promise<void> {
    this.settings = { ...this.settings, ...s };
    this.setDesired();
    await this.bus.publish("topology.saved", { topologyId: "t1", revision: this.revision, author: null, at: Date.now() });
    await this.waitApplied();
  }

  /**
   * Planned switchover / hand-back as the console does it (server/services/ha/haService.ts): no new
   * revision; `ha.changed` (maintenance) makes the hub push that one director its desired HA again.
   */
  async setMaintenance(d: DirectorName, on: boolean): Promise<void> {
    this.settings = { ...this.settings, maintenance: { ...this.settings.maintenance, [d]: on } };
    const cur = this.desired.get(d)!;
    this.desired.set(d, { ...cur, ha: labDesiredHa(d, this.settings) });
    await this.bus.publish("ha.changed", { topologyId: "t1", directorId: d, kind: "maintenance", at: Date.now() });
  }

  /** The console's switchover / hand-back buttons, as HTTP the VM's measuring script calls: GET /maintenance/dirN/on|off. */
  private async operatorRequest(url: string, res: http.ServerResponse): Promise<void> {
    const m = /^\/maintenance\/(dir1|dir2)\/(on|off)$/.exec(url);
    if (!m) { res.writeHead(404).end(); return; }
    this.requests.push({ at: Date.now(), url });
    await this.setMaintenance(m[1] as DirectorName, m[2] === "on");
    res.writeHead(200).end("ok\n");
  }

  /** The operator endpoint's port (the VM reaches the host's loopback as 10.0.2.2). */
  get port(): number {
    return (this.server!.address() as AddressInfo).port;
  }

  async waitApplied(only: DirectorName[] = [...this.agents.keys()]): Promise<void> {
    for (const d of only) {
      await until(() => this.directory.rows.get(d)?.appliedRevision === this.revision, 300_000, `${d} at revision ${this.revision}`).catch((e: Error) => {
        throw new Error(`${e.message}\n${d} agent log:\n${this.logs.get(d)?.lines.slice(-30).join("\n")}`);
      });
    }
  }

  async startAgent(d: DirectorName): Promise<void> {
    const exec = nsExec(this.channel, d);
    const log = this.logs.get(d) ?? stampedLog();
    this.logs.set(d, log);
    const dir = path.join(this.stateDir, d);
    await fs.mkdir(dir, { recursive: true });
    const ha = new HaSupervisor({ host: new VmKeepalivedHost(this.haChannels[d], d), exec, log, now: Date.now, routerId: d, kernelSync: true });
    this.supervisors.set(d, ha);
    const agent = await runAgent({
      server: `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`, token: this.tokens.get(d)!,
      engine: new IpvsEngine({ exec, managedFile: path.join(dir, "ipvs-managed.json") }), stateDir: dir, log,
      checkers: {}, ha, haStatusIntervalMs: 5000, resyncIntervalMs: 0,
    });
    this.agents.set(d, agent);
  }

  /** The agent process dies (keepalived, started detached, is not its child and keeps running). */
  async stopAgent(d: DirectorName): Promise<void> {
    await this.agents.get(d)?.stop();
    await this.supervisors.get(d)?.close();
    this.agents.delete(d);
    this.supervisors.delete(d);
  }

  /** Runs a busybox sh script in the VM's root namespace (measure.sh sourced). */
  sh(script: string) {
    return this.channel.shell(`. /lab/measure.sh\n${script}`);
  }

  async vipOn(d: DirectorName): Promise<boolean> {
    return (await this.sh(`vip_on ${d} && echo yes`)).stdout.trim() === "yes";
  }

  async waitMaster(d: DirectorName, ms = 60_000): Promise<void> {
    await until(() => this.vipOn(d), ms, `VIP on ${d}`);
  }

  async close(): Promise<void> {
    for (const d of [...this.agents.keys()]) await this.stopAgent(d).catch(() => {});
    await this.hub?.close();
    this.server?.closeAllConnections();
    await new Promise((r) => (this.server ? this.server.close(r) : r(null)));
    for (const c of Object.values(this.haChannels)) await c.close();
    await this.channel.close();
    await this.vm?.catch(() => {});
    if (this.stateDir) await fs.rm(this.stateDir, { recursive: true, force: true });
  }
}
