/**
 * Runs VRRP through keepalived and the kernel's IPVS connection sync daemons as the control plane's
 * DesiredHa says, and reports what they do.
 *
 * - keepalived is VRRP only (renderVrrpConfig): the agent keeps owning the IPVS table, and every
 *   director keeps the full table loaded, so a takeover only moves the VIP.
 * - A changed config is written and keepalived reloaded (SIGHUP); an unchanged one is left alone
 *   (no needless reload, no transition). Not running → started.
 * - State changes arrive through keepalived's notify script (a line appended to a log the host
 *   watches), not by polling; each becomes an instance state with the time it began, and a
 *   transition for the control plane.
 * - maintenance (planned switchover): keepalived is stopped, so each MASTER sends priority 0 and a
 *   backup takes over at once; the director stays out until maintenance is lifted.
 * - Connection sync: `ipvsadm --start-daemon master` and `--start-daemon backup` (same syncid) on
 *   every director of the group, so whichever becomes MASTER already mirrors the other's connections.
 * - With the control plane gone nothing here stops: keepalived and the daemons keep running (fail-static).
 */
import type { Exec } from "../engines/ipvs/exec.ts";
import type { KeepalivedHost } from "./keepalivedHost.ts";
import type { DesiredHa, HaInstanceStatus, HaStatus, HaTransition, VrrpState } from "../../lvs/protocol/ha.ts";
import { notifyScriptText, parseNotifyLine, renderVrrpConfig } from "../../lvs/ha/renderVrrpConfig.ts";
import type { AgentLog } from "../log.ts";

export const KEEPALIVED_MISSING = "keepalived is not installed on this director: install Debian's package (apt-get install keepalived); the agent runs it for VRRP";

export interface HaSupervisorOptions {
  host: KeepalivedHost;
  /** runs ipvsadm for the sync daemons and the connection count */
  exec: Exec;
  ipvsadm?: string;
  log: AgentLog;
  now: () => number;
  /** global_defs router_id */
  routerId: string;
  /** false on the userspace engine: connection sync is a kernel feature */
  kernelSync: boolean;
  /** the engine's listeners waiting for their VIP (userspace engine on a BACKUP), reported with the status */
  awaitingAddress?: () => string[];
}

interface InstanceState {
  groupId: string;
  state: VrrpState;
  since: number | null;
  priority: number | null;
}

export class HaSupervisor {
  private desired: DesiredHa | null = null;
  private config: string | null = null;
  private instances = new Map<string, InstanceState>();
  private keepalived: HaStatus["keepalived"] = { running: false, version: null, error: null };
  private sync: HaStatus["sync"] = { wanted: false, daemons: [], connections: 0, error: null };
  private unsubscribe: (() => void) | null = null;
  private chain: Promise<unknown> = Promise.resolve();
  private readonly bin: string;
  /** transitions and status changes go here (the agent sends them) */
  onTransition: (t: HaTransition) => void = () => {};
  onStatus: (s: HaStatus) => void = () => {};

  constructor(private readonly o: HaSupervisorOptions) {
    this.bin = o.ipvsadm ?? "ipvsadm";
  }

  /** Subscribes to notify lines (replaying what keepalived already wrote: a restarted agent learns the current states). */
  start(): void {
    if (this.unsubscribe) return;
    this.unsubscribe = this.o.host.onNotify((line, replayed) => this.onNotifyLine(line, replayed));
  }

  get active(): boolean {
    return this.desired !== null;
  }

  /**
   * Applies one DesiredHa (null = this director has no HA group: stop what we started). Calls run
   * one at a time in call order: the agent may start a switchover's apply while another is running.
   */
  apply(ha: DesiredHa | null): Promise<HaStatus> {
    const run = this.chain.then(() => this.applyNow(ha));
    this.chain = run.catch(() => {});
    return run;
  }

  private async applyNow(ha: DesiredHa | null): Promise<HaStatus> {
    this.start();
    const before = this.desired;
    this.desired = ha;
    if (ha === null || (ha.instances.length === 0 && ha.sync === null)) {
      if (before) {
        if (await this.o.host.running()) await this.o.host.stop();
        await this.applySync(null);
        this.config = null;
      }
      this.keepalived = { running: false, version: this.keepalived.version, error: null };
      this.instances.clear();
      return this.emitStatus();
    }
    for (const name of [...this.instances.keys()]) if (!ha.instances.some((i) => i.name === name)) this.instances.delete(name);
    for (const i of ha.instances) {
      const cur = this.instances.get(i.name);
      if (!cur) this.instances.set(i.name, { groupId: i.groupId, state: "UNKNOWN", since: null, priority: null });
      else cur.groupId = i.groupId;
    }
    await this.applyKeepalived(ha);
    await this.applySync(ha);
    return this.emitStatus();
  }

  private async applyKeepalived(ha: DesiredHa): Promise<void> {
    const version = this.keepalived.version ?? (await this.o.host.version().catch(() => null));
    if (!version) {
      this.keepalived = { running: false, version: null, error: KEEPALIVED_MISSING };
      this.o.log.error(KEEPALIVED_MISSING);
      return;
    }
    try {
      if (ha.maintenance) {
        // the switchover's whole path: one idempotent stop (no liveness check first: every command
        // on this path delays the hand-over), and the MASTER instances send priority 0 at once
        if (this.keepalived.running) this.o.log.info("planned switchover: stopping keepalived (MASTER instances send priority 0)");
        await this.o.host.stop();
        this.keepalived = { running: false, version, error: null };
        return;
      }
      const running = await this.o.host.running();
      if (ha.instances.length === 0) {
        if (running) {
          this.o.log.info("no VRRP instance: stopping keepalived");
          await this.o.host.stop();
        }
        this.keepalived = { running: false, version, error: null };
        return;
      }
      const config = renderVrrpConfig(ha, { routerId: this.o.routerId, notifyScript: this.o.host.notifyScript });
      if (!running) {
        await this.o.host.writeFiles(config, notifyScriptText(this.o.host.notifyLog));
        await this.o.host.start();
        this.o.log.info(`keepalived ${version} started (VRRP only, ${ha.instances.length} instance(s))`);
      } else if (config !== this.config) {
        await this.o.host.writeFiles(config, notifyScriptText(this.o.host.notifyLog));
        await this.o.host.reload();
        this.o.log.info(`keepalived reloaded (${ha.instances.length} instance(s))`);
      }
      this.config = config;
      this.keepalived = { running: true, version, error: null };
    } catch (e) {
      this.keepalived = { running: await this.o.host.running().catch(() => false), version, error: `keepalived: ${(e as Error).message}` };
      this.o.log.error(this.keepalived.error!);
    }
  }

  /** `ipvsadm -L --daemon` lines, e.g. "master sync daemon (mcast=eth0, syncid=7, ...)". */
  private async daemons(): Promise<string[]> {
    const r = await this.o.exec.run([this.bin, "-L", "--daemon"]);
    if (r.code !== 0) throw new Error(`${this.bin} -L --daemon: exit ${r.code}: ${r.stderr.trim()}`);
    return r.stdout.split("\n").map((l) => l.trim()).filter(Boolean);
  }

  private async applySync(ha: DesiredHa | null): Promise<void> {
    // kept in maintenance: the director mirrors the connections it will get back at the hand-back
    const want = ha?.sync && this.o.kernelSync ? ha.sync : null;
    this.sync = { ...this.sync, wanted: !!ha?.sync, error: null };
    if (ha?.sync && !this.o.kernelSync) {
      this.sync.error = "IPVS connection sync is a kernel feature: not available on the userspace engine";
      return;
    }
    if (!this.o.kernelSync) return;
    try {
      const have = await this.daemons();
      for (const role of ["master", "backup"] as const) {
        const line = have.find((l) => l.startsWith(`${role} sync daemon`));
        const ok = want && line && line.includes(`mcast=${want.interface},`) && line.includes(`syncid=${want.syncId},`);
        if (line && !ok) await this.run(["--stop-daemon", role]);
        if (want && !ok) await this.run(["--start-daemon", role, "--mcast-interface", want.interface, "--syncid", String(want.syncId)]);
      }
      this.sync.daemons = await this.daemons();
    } catch (e) {
      this.sync.error = (e as Error).message;
      this.o.log.error(`connection sync: ${this.sync.error}`);
    }
  }

  private async run(args: string[]): Promise<void> {
    const r = await this.o.exec.run([this.bin, ...args]);
    if (r.code !== 0) throw new Error(`${this.bin} ${args.join(" ")}: exit ${r.code}: ${r.stderr.trim() || r.stdout.trim()}`);
  }

  /** Refreshes what only polling can tell (process alive, daemons, connection count); cheap, every few seconds. */
  async refresh(): Promise<HaStatus> {
    if (!this.desired) return this.status();
    const running = await this.o.host.running().catch(() => false);
    if (this.keepalived.running !== running && !this.keepalived.error) {
      this.keepalived = { ...this.keepalived, running };
      if (!running && !this.desired.maintenance && this.desired.instances.length) {
        this.keepalived.error = "keepalived is not running (it exited or was killed); the agent restarts it on the next change or resync";
      }
    }
    if (this.o.kernelSync) {
      try {
        this.sync.daemons = await this.daemons();
        const r = await this.o.exec.run([this.bin, "-Lnc"]);
        this.sync.connections = r.code === 0 ? Math.max(0, r.stdout.split("\n").filter((l) => /^(TCP|UDP|SCTP)\s/.test(l)).length) : 0;
      } catch (e) {
        this.sync.error = (e as Error).message;
      }
    }
    return this.status();
  }

  status(): HaStatus {
    const instances: HaInstanceStatus[] = [...this.instances].map(([name, s]) => ({ name, groupId: s.groupId, state: s.state, since: s.since, priority: s.priority }));
    return {
      at: this.o.now(), keepalived: { ...this.keepalived }, maintenance: this.desired?.maintenance ?? false, instances,
      sync: { ...this.sync, daemons: [...this.sync.daemons] },
      ...(this.o.awaitingAddress ? { awaitingAddress: this.o.awaitingAddress().slice(0, 256) } : {}),
    };
  }

  private emitStatus(): HaStatus {
    const s = this.status();
    this.onStatus(s);
    return s;
  }

  private onNotifyLine(line: string, replayed: boolean): void {
    const n = parseNotifyLine(line);
    if (!n) return;
    const cur = this.instances.get(n.name) ?? { groupId: n.name, state: "UNKNOWN" as VrrpState, since: null, priority: null };
    if (!this.instances.has(n.name) && this.desired) return; // an instance no longer configured
    const at = replayed && n.at !== null ? n.at * 1000 : this.o.now();
    const from = cur.state;
    if (from === n.state && cur.since !== null) return;
    this.instances.set(n.name, { ...cur, state: n.state, since: at, priority: n.priority });
    if (!replayed) {
      this.o.log.info(`VRRP ${n.name}: ${from} -> ${n.state}`);
      this.onTransition({ name: n.name, groupId: cur.groupId, from, to: n.state, at, planned: this.desired?.maintenance ?? false });
    }
    this.emitStatus();
  }

  async close(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = null;
    await this.o.host.close();
  }
}
