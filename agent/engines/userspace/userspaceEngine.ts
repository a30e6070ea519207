/**
 * The userspace forwarding engine: a real load balancer with LVS semantics for hosts without IPVS.
 * One listener per VIP:port (TCP server or UDP socket), kept across reconfiguration; live apply of a
 * desired IpvsTable; kernel-like connection table, counters and rate estimator; one ticker drives
 * timeouts, template expiry, scheduler caches and the estimator.
 */
import type { AppliedOp, ApplyResult, ConnectionList, ConnectionPage, EngineNote, ForwardingEngine } from "../../engine.ts";
import type { IpvsService, IpvsServiceKey, IpvsTable, Protocol, StatsSnapshot } from "../../../lvs/model.ts";
import { agentServiceKeyText, serviceKeyOf } from "../../../lvs/tableKey.ts";
import { schedulers as defaultRegistry, type SchedulerRegistry } from "../../../lvs/schedulers/registry.ts";
import { ConnectionTable, DEFAULT_TIMEOUTS, pageOf, type Timeouts } from "./connectionTable.ts";
import { ESTIMATOR_INTERVAL_MS } from "./estimator.ts";
import type { ForwarderHost, Picked } from "./host.ts";
import { TemplateTable } from "./persistence.ts";
import { RuntimeService, type RuntimeDestination } from "./runtime.ts";
import type { UdpListener } from "./udpForwarder.ts";
import { configuredDestinations, reconcileDestinations } from "./destinations.ts";
import { isAddressNotAvailable, LateBinds } from "./lateBinds.ts";
import type { TableChanges } from "../../../lvs/tableChanges.ts";
import { bindListener, closeListener, type Listener } from "./listener.ts";
import { skipUnsupported } from "./unsupportedReason.ts";
import { serviceNotes, setTimeouts } from "./serviceNotes.ts";
import { pick, pickOnePacket } from "./pick.ts";
import { editService } from "./editService.ts";
import { connectFailuresOf, connectionEntries, statsOf, type ConnectFailures } from "./serviceReports.ts";
import { TcpRelay, tcpRelayPath } from "./tcpRelay.ts";

export type { ConnectFailures } from "./serviceReports.ts";

export interface UserspaceEngineOptions {
  /** ms clock (default Date.now) */
  clock?: () => number;
  /** uniformly distributed unsigned 32-bit integers, for twos (default Math.random based) */
  random?: () => number;
  timeouts?: Partial<Timeouts>;
  /** ticker period in ms; 0 = no automatic ticker (tests call `tick()`) */
  tickMs?: number;
  registry?: SchedulerRegistry;
  /** services that send PROXY protocol v2 to their real servers (VirtualService.proxyProtocol) */
  proxyProtocol?: (key: IpvsServiceKey) => boolean;
  /** how often the host's addresses are checked while a VIP is not here yet (lateBinds.ts) */
  addressPollMs?: number;
  /** the native relay binary for established TCP connections (native/lvs-tcp-relay.c); null: JS
   * relay only; default tcpRelayPath() (LVS_AGENT_TCP_RELAY, else the installed one when present) */
  tcpRelay?: string | null;
  /** client reads after which a connection is handed to the native relay (default
   * LVS_AGENT_TCP_RELAY_AFTER, else 2: a keep-alive connection's second request; one-request
   * connections never pay for the hand-off) */
  relayAfterReads?: number;
  /** where the engine says that the native relay is not used or failed */
  log?: (line: string) => void;
}

export interface ServiceOptions {
  proxyProtocol?: boolean;
}

type PortKey = IpvsServiceKey & { protocol: Protocol; address: string; port: number };

export class UserspaceEngine implements ForwardingEngine, ForwarderHost {
  readonly kind = "userspace" as const;
  readonly table: ConnectionTable;
  private readonly services = new Map<string, RuntimeService>();
  private readonly listeners = new Map<string, Listener>();
  /** UDP sockets of removed services that still carry flows (IPVS keeps forwarding known connections) */
  private readonly drainingUdp = new Map<string, UdpListener>();
  private readonly serviceOptions = new Map<string, ServiceOptions>();
  private readonly clock: () => number;
  private readonly random: () => number;
  private readonly registry: SchedulerRegistry;
  private readonly ticker: NodeJS.Timeout | null;
  private lastEstimate: number;
  private readonly lateBinds: LateBinds;
  readonly tcpRelay: TcpRelay | null;
  readonly relayAfterReads: number;

  constructor(private readonly options: UserspaceEngineOptions = {}) {
    this.clock = options.clock ?? Date.now;
    this.random = options.random ?? (() => Math.floor(Math.random() * 2 ** 32));
    this.registry = options.registry ?? defaultRegistry;
    this.table = new ConnectionTable({ ...DEFAULT_TIMEOUTS, ...options.timeouts });
    this.lastEstimate = this.clock();
    const tickMs = options.tickMs ?? 1000;
    this.ticker = tickMs > 0 ? setInterval(() => this.tick(), tickMs).unref() : null;
    this.lateBinds = new LateBinds(options.addressPollMs ?? 200);
    const relayPath = options.tcpRelay === undefined ? tcpRelayPath() : options.tcpRelay;
    const log = options.log ?? ((l: string) => void process.stderr.write(`lvs-agent: ${l}\n`));
    this.tcpRelay = relayPath ? TcpRelay.create(relayPath, log) : null;
    this.relayAfterReads = Math.max(1, options.relayAfterReads ?? (Number(process.env.LVS_AGENT_TCP_RELAY_AFTER) || 2));
  }

  now(): number {
    return this.clock();
  }

  /** Per-service options outside the IPVS table (PROXY protocol v2). Takes effect for new connections. */
  setServiceOptions(key: IpvsServiceKey, opts: ServiceOptions): void {
    const k = agentServiceKeyText(key);
    this.serviceOptions.set(k, { ...this.serviceOptions.get(k), ...opts });
    const svc = this.services.get(k);
    if (svc) svc.proxyProtocol = this.proxyFor(key);
  }

  private proxyFor(key: IpvsServiceKey): boolean {
    return this.serviceOptions.get(agentServiceKeyText(key))?.proxyProtocol ?? this.options.proxyProtocol?.(key) ?? false;
  }

  async apply(desired: IpvsTable): Promise<ApplyResult> {
    const ops: AppliedOp[] = [];
    const notes: EngineNote[] = [];
    if (desired.timeouts) setTimeouts(this.table, desired.timeouts, ops);
    const wanted = new Map<string, IpvsService>();
    for (const s of desired.services) {
      if (skipUnsupported(s, ops, notes)) continue;
      wanted.set(agentServiceKeyText(serviceKeyOf(s)), s);
    }
    for (const [k, svc] of this.services) if (!wanted.has(k)) ops.push(await this.removeService(k, svc));
    for (const [k, s] of wanted) await this.upsertService(k, s, ops, notes);
    return { ok: ops.every((o) => o.ok), ops, notes };
  }

  /**
   * Applies a planned change (lvs/tableChanges.ts, computed off this thread by the standalone reload
   * worker): only the listed services, `chunk` at a time, yielding to the event loop between chunks so
   * connections keep flowing while a big table is reconfigured. Services not listed are untouched.
   */
  async applyChanges(change: TableChanges, o: { chunk?: number } = {}): Promise<ApplyResult> {
    const ops: AppliedOp[] = [];
    const notes: EngineNote[] = [];
    const chunk = Math.max(1, o.chunk ?? 64);
    let n = 0;
    const pause = async () => {
      if (++n % chunk === 0) await new Promise<void>((r) => setImmediate(r));
    };
    for (const key of change.remove) {
      const k = agentServiceKeyText(serviceKeyOf(key));
      const svc = this.services.get(k);
      if (svc) ops.push(await this.removeService(k, svc));
      await pause();
    }
    for (const s of change.upsert) {
      if (!skipUnsupported(s, ops, notes)) await this.upsertService(agentServiceKeyText(serviceKeyOf(s)), s, ops, notes);
      await pause();
    }
    return { ok: ops.every((o) => o.ok), ops, notes };
  }

  /** whether the engine forwards this service (false after a failed listen or an unsupported service) */
  hasService(key: IpvsServiceKey): boolean {
    return this.services.has(agentServiceKeyText(serviceKeyOf(key)));
  }

  private async upsertService(k: string, s: IpvsService, ops: AppliedOp[], notes: EngineNote[]): Promise<void> {
    const key = serviceKeyOf(s) as PortKey;
    let svc = this.services.get(k);
    if (!svc) {
      const created = await this.addService(k, key, s, ops);
      if (!created) return;
      svc = created;
    } else {
      editService(this.registry, k, svc, s, ops);
    }
    ops.push(...reconcileDestinations(svc, s.destinations, k));
    notes.push(...serviceNotes(key, s, this.listeners.get(k)?.kind === "waiting"));
  }

  private async addService(k: string, key: PortKey, s: IpvsService, ops: AppliedOp[]): Promise<RuntimeService | null> {
    let scheduler;
    try {
      scheduler = this.registry.create<RuntimeDestination>(s.scheduler);
    } catch (e) {
      ops.push({ op: `add service ${k} -s ${s.scheduler}`, ok: false, error: (e as Error).message });
      return null;
    }
    const svc = new RuntimeService(key, s, scheduler, this.random);
    scheduler.init?.({ family: key.family, flags: s.flags }, svc.dests);
    if (s.persistence) svc.templates = new TemplateTable(s.persistence, key.family);
    svc.proxyProtocol = this.proxyFor(key);
    svc.estimator.reset(svc.counters());
    const draining = this.drainingUdp.get(k);
    if (draining) {
      this.drainingUdp.delete(k);
      draining.revive(svc);
      this.listeners.set(k, { kind: "udp", udp: draining });
      this.services.set(k, svc);
      ops.push({ op: `listen ${k} -s ${s.scheduler}`, ok: true });
      return svc;
    }
    try {
      this.listeners.set(k, await this.listen(svc));
    } catch (e) {
      ops.push({ op: `listen ${k}`, ok: false, error: (e as Error).message });
      return null;
    }
    this.services.set(k, svc);
    ops.push({ op: `listen ${k} -s ${s.scheduler}`, ok: true });
    return svc;
  }

  private async removeService(k: string, svc: RuntimeService): Promise<AppliedOp> {
    this.services.delete(k);
    svc.active = false;
    svc.templates?.clear();
    const l = this.listeners.get(k);
    this.listeners.delete(k);
    this.lateBinds.delete(k);
    if (l?.kind === "tcp") l.server.close(); // stops accepting; established connections continue
    if (l?.kind === "udp") {
      const udp = l.udp;
      if (udp.drain(() => this.drainingUdp.get(k) === udp && this.drainingUdp.delete(k))) this.drainingUdp.set(k, udp);
    }
    return { op: `close ${k}`, ok: true };
  }

  /** Binds VIP:port; a VIP not on this host yet (EADDRNOTAVAIL) waits for its address instead of failing. */
  private async listen(svc: RuntimeService): Promise<Listener> {
    const k = agentServiceKeyText(svc.key);
    try {
      return await this.bind(svc);
    } catch (e) {
      if (!isAddressNotAvailable(e)) throw e;
      this.lateBinds.add(k, svc.key.address, async () => {
        let l: Listener;
        try {
          l = await this.bind(svc);
        } catch (err) {
          if (isAddressNotAvailable(err)) return false;
          throw err;
        }
        if (this.services.get(k) !== svc || this.listeners.get(k)?.kind !== "waiting") {
          closeListener(l);
          return true;
        }
        this.listeners.set(k, l);
        return true;
      });
      return { kind: "waiting" };
    }
  }

  private bind(svc: RuntimeService): Promise<Listener> {
    return bindListener(this, svc);
  }

  pick(svc: RuntimeService, clientAddress: string, clientPort: number): Picked | null {
    return pick(svc, clientAddress, clientPort, this.clock());
  }

  pickOnePacket(svc: RuntimeService, clientAddress: string, clientPort: number): Picked | null {
    return pickOnePacket(svc, clientAddress, clientPort, this.clock());
  }

  /**
   * One ticker for every timer-driven duty. With connections on the native relay, its counters are
   * flushed first (one round trip), so a connection that had traffic since its last (1 s) report is
   * not taken for idle.
   */
  tick(): void {
    if (this.tcpRelay?.size) {
      if (!this.flushing) {
        this.flushing = true;
        void this.tcpRelay.flush().then(() => {
          this.flushing = false;
          this.tickNow();
        });
      }
      return;
    }
    this.tickNow();
  }

  private flushing = false;

  private tickNow(): void {
    const now = this.clock();
    this.table.sweep(now);
    const udpMs = this.table.timeouts.udp * 1000;
    for (const svc of this.services.values()) {
      svc.templates?.expire(now);
      svc.scheduler.expire?.(now);
    }
    for (const l of this.listeners.values()) if (l.kind === "udp") l.udp.sweep(now, udpMs);
    for (let i = 0; i < 100 && now - this.lastEstimate >= ESTIMATOR_INTERVAL_MS; i++) {
      this.lastEstimate += ESTIMATOR_INTERVAL_MS;
      for (const svc of this.services.values()) {
        svc.estimator.sample(svc.counters());
        for (const d of svc.dests) d.estimator.sample(d.counters());
      }
    }
    if (now - this.lastEstimate >= ESTIMATOR_INTERVAL_MS) this.lastEstimate = now;
  }

  async read(): Promise<IpvsTable> {
    return {
      timeouts: { ...this.table.timeouts },
      services: [...this.services.values()].map((svc) => ({ ...svc.config, destinations: configuredDestinations(svc) })),
    };
  }

  async stats(): Promise<StatsSnapshot> {
    await this.tcpRelay?.flush(); // the native relay's counters, exact (reported every second otherwise)
    return statsOf(this.services.values(), this.clock());
  }

  /** Connect failures towards real servers, per service (not part of IPVS's counters). */
  connectFailures(): ConnectFailures[] {
    return connectFailuresOf(this.services.values());
  }

  async connections(page: ConnectionPage): Promise<ConnectionList> {
    await this.tcpRelay?.flush();
    return pageOf(connectionEntries(this.services.values(), this.table, this.clock()), page);
  }


  async zero(service: IpvsServiceKey | null): Promise<void> {
    await this.tcpRelay?.flush(); // bytes relayed before the zero must not land after it
    if (service === null) {
      for (const svc of this.services.values()) svc.zero();
      return;
    }
    const svc = this.services.get(agentServiceKeyText(service));
    if (!svc) throw new Error("No such service");
    svc.zero();
  }

  /** services whose VIP is not on this host yet ("tcp 10.0.0.100:80"): bound once VRRP brings it (a BACKUP waits) */
  awaitingAddress(): string[] {
    return this.lateBinds.keys();
  }

  async close(): Promise<void> {
    if (this.ticker) clearInterval(this.ticker);
    const closing: Promise<void>[] = [];
    this.lateBinds.close();
    for (const l of this.listeners.values()) {
      if (l.kind === "tcp") closing.push(new Promise((r) => l.server.close(() => r())));
      else if (l.kind === "udp") l.udp.close();
    }
    this.listeners.clear();
    for (const udp of this.drainingUdp.values()) udp.close();
    this.drainingUdp.clear();
    this.table.clear(this.clock());
    for (const svc of this.services.values()) svc.templates?.clear();
    this.services.clear();
    this.tcpRelay?.close();
    await Promise.all(closing);
  }
}
