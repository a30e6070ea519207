/**
 * The userspace forwarding engine: a real load balancer with LVS semantics for hosts without IPVS.
 * One listener per VIP:port (TCP server or UDP socket), kept across reconfiguration; live apply of a
 * desired IpvsTable; kernel-like connection table, counters and rate estimator; one ticker drives
 * timeouts, template expiry, scheduler caches and the estimator.
 */
import net from "node:net";
import dgram from "node:dgram";
import type { AppliedOp, ApplyResult, ConnectionList, ConnectionPage, EngineNote, ForwardingEngine } from "../../engine.ts";
import type { ConnectionEntry, IpvsService, IpvsServiceKey, IpvsTable, Protocol, StatsSnapshot } from "../../../lvs/model.ts";
import { agentServiceKeyText, serviceKeyOf } from "../../../lvs/tableKey.ts";
import { schedulers as defaultRegistry, type SchedulerRegistry } from "../../../lvs/schedulers/registry.ts";
import { bindConnection, unbindConnection } from "../../../lvs/schedulers/destination.ts";
import { foldAddress } from "../../../lvs/schedulers/hash.ts";
import { ConnectionTable, DEFAULT_TIMEOUTS, pageOf, type Timeouts } from "./connectionTable.ts";
import { ESTIMATOR_INTERVAL_MS } from "./estimator.ts";
import type { ForwarderHost, Picked } from "./host.ts";
import { TemplateTable } from "./persistence.ts";
import { RuntimeService, type RuntimeDestination } from "./runtime.ts";
import { acceptTcp } from "./tcpForwarder.ts";
import { UdpListener } from "./udpForwarder.ts";
import { configuredDestinations, reconcileDestinations } from "./destinations.ts";
import { isAddressNotAvailable, LateBinds } from "./lateBinds.ts";
import type { TableChanges } from "../../../lvs/tableChanges.ts";

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
}

export interface ServiceOptions {
  proxyProtocol?: boolean;
}

export interface ConnectFailures {
  service: IpvsServiceKey;
  total: number;
  destinations: { address: string; port: number; failures: number }[];
}

/** "waiting": the VIP is not on this host yet (VRRP BACKUP): bound as soon as it appears */
type Listener = { kind: "tcp"; server: net.Server } | { kind: "udp"; udp: UdpListener } | { kind: "waiting" };
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

  constructor(private readonly options: UserspaceEngineOptions = {}) {
    this.clock = options.clock ?? Date.now;
    this.random = options.random ?? (() => Math.floor(Math.random() * 2 ** 32));
    this.registry = options.registry ?? defaultRegistry;
    this.table = new ConnectionTable({ ...DEFAULT_TIMEOUTS, ...options.timeouts });
    this.lastEstimate = this.clock();
    const tickMs = options.tickMs ?? 1000;
    this.ticker = tickMs > 0 ? setInterval(() => this.tick(), tickMs).unref() : null;
    this.lateBinds = new LateBinds(options.addressPollMs ?? 200);
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
    if (desired.timeouts) {
      // --set: 0 keeps a value; the connection table's sweep reads them on its next tick, so idle
      // connections (and UDP reply sockets) expire by the new timeouts from then on
      const t = desired.timeouts;
      const cur = this.table.timeouts;
      const next = { tcp: t.tcp || cur.tcp, tcpfin: t.tcpfin || cur.tcpfin, udp: t.udp || cur.udp };
      if (next.tcp !== cur.tcp || next.tcpfin !== cur.tcpfin || next.udp !== cur.udp) {
        this.table.timeouts = next;
        ops.push({ op: `--set ${t.tcp} ${t.tcpfin} ${t.udp}`, ok: true });
      }
    }
    const wanted = new Map<string, IpvsService>();
    for (const s of desired.services) {
      const unsupported = unsupportedReason(s);
      if (unsupported) {
        notes.push({ kind: "unsupported", service: serviceKeyOf(s), message: unsupported });
        ops.push({ op: `skip ${agentServiceKeyText(serviceKeyOf(s))}`, ok: false, error: unsupported });
        continue;
      }
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
      const unsupported = unsupportedReason(s);
      if (unsupported) {
        notes.push({ kind: "unsupported", service: serviceKeyOf(s), message: unsupported });
        ops.push({ op: `skip ${agentServiceKeyText(serviceKeyOf(s))}`, ok: false, error: unsupported });
      } else await this.upsertService(agentServiceKeyText(serviceKeyOf(s)), s, ops, notes);
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
      this.editService(k, svc, s, ops);
    }
    ops.push(...reconcileDestinations(svc, s.destinations, k));
    if (this.listeners.get(k)?.kind === "waiting") {
      notes.push({ kind: "awaiting-address", service: key, message: `${key.address} is not on this host (yet): listening on ${key.address}:${key.port} as soon as the address appears (VRRP makes this director MASTER)` });
    }
    const emulated = s.destinations.filter((d) => d.method !== "nat");
    if (emulated.length > 0) {
      notes.push({
        kind: "emulated",
        service: key,
        message: `${emulated.map((d) => `${d.address} (${d.method})`).join(", ")}: proxied to RIP:${key.port} by the userspace engine, the real server sees the director's address`,
      });
    }
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

  private editService(k: string, svc: RuntimeService, s: IpvsService, ops: AppliedOp[]): void {
    const old = svc.config;
    svc.config = s;
    if (old.scheduler !== s.scheduler || old.flags.join() !== s.flags.join()) {
      try {
        const next = old.scheduler === s.scheduler ? svc.scheduler : this.registry.create<RuntimeDestination>(s.scheduler);
        next.init?.({ family: svc.key.family, flags: s.flags }, svc.dests);
        svc.scheduler = next;
        ops.push({ op: `edit service ${k} -s ${s.scheduler}`, ok: true });
      } catch (e) {
        svc.config = { ...s, scheduler: old.scheduler, flags: old.flags };
        ops.push({ op: `edit service ${k} -s ${s.scheduler}`, ok: false, error: (e as Error).message });
      }
    }
    if (JSON.stringify(old.persistence) !== JSON.stringify(s.persistence) || old.onePacket !== s.onePacket) {
      if (!s.persistence) {
        svc.templates?.clear();
        svc.templates = null;
      } else if (svc.templates) svc.templates.configure(s.persistence);
      else svc.templates = new TemplateTable(s.persistence, svc.key.family);
      ops.push({ op: `edit service ${k} persistence/ops`, ok: true });
    }
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
    const { address, port, family } = svc.key;
    if (svc.key.protocol === "udp") {
      const sock = dgram.createSocket({ type: family === "inet6" ? "udp6" : "udp4" });
      return new Promise((resolve, reject) => {
        sock.once("error", reject);
        sock.bind(port, address, () => {
          sock.off("error", reject);
          sock.on("error", () => undefined);
          resolve({ kind: "udp", udp: new UdpListener(this, svc, sock) });
        });
      });
    }
    const server = net.createServer({ allowHalfOpen: true, noDelay: true, pauseOnConnect: true }, (sock) => acceptTcp(this, svc, sock));
    return new Promise((resolve, reject) => {
      server.once("error", reject);
      server.listen({ host: address, port, backlog: 4096 }, () => {
        server.off("error", reject);
        server.on("error", () => undefined);
        resolve({ kind: "tcp", server });
      });
    });
  }

  private schedule(svc: RuntimeService, clientAddress: string, clientPort: number, now: number): RuntimeDestination | null {
    const ctx = svc.ctx;
    ctx.clientAddress = clientAddress;
    ctx.clientPort = clientPort;
    ctx.now = now;
    if (svc.scheduler.hashes === "source") ctx.clientFold = foldAddress(svc.key.family, clientAddress);
    return svc.scheduler.schedule(ctx);
  }

  pick(svc: RuntimeService, clientAddress: string, clientPort: number): Picked | null {
    const now = this.clock();
    let template = svc.templates ? svc.templates.lookup(clientAddress, now) : null;
    let dest = template ? template.dest : null;
    if (dest === null) {
      dest = this.schedule(svc, clientAddress, clientPort, now);
      if (dest === null) return null;
      if (svc.templates) template = svc.templates.create(clientAddress, dest, now);
    }
    if (template) template.controlled++;
    dest.conns++;
    bindConnection(dest);
    return { dest, template };
  }

  pickOnePacket(svc: RuntimeService, clientAddress: string, clientPort: number): Picked | null {
    const now = this.clock();
    let template = svc.templates ? svc.templates.lookup(clientAddress, now) : null;
    let dest = template ? template.dest : null;
    if (dest === null) {
      dest = this.schedule(svc, clientAddress, clientPort, now);
      if (dest === null) return null;
      if (svc.templates) template = svc.templates.create(clientAddress, dest, now);
    }
    dest.conns++;
    bindConnection(dest);
    unbindConnection(dest, false);
    return { dest, template };
  }

  /** One ticker for every timer-driven duty. */
  tick(): void {
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
    return {
      at: this.clock(),
      services: [...this.services.values()].map((svc) => ({
        key: svc.key,
        counters: svc.counters(),
        rates: svc.estimator.rates(),
        destinations: [...svc.dests].reverse().map((d) => ({
          address: d.address,
          port: d.port,
          weight: d.weight,
          activeConns: d.activeConns,
          inactConns: d.inactConns,
          persistConns: d.persistConns,
          counters: d.counters(),
          rates: d.estimator.rates(),
        })),
      })),
    };
  }

  /** Connect failures towards real servers, per service (not part of IPVS's counters). */
  connectFailures(): ConnectFailures[] {
    return [...this.services.values()].map((svc) => ({
      service: svc.key,
      total: svc.failures,
      destinations: [...svc.dests].reverse().map((d) => ({ address: d.address, port: d.port, failures: d.failures })),
    }));
  }

  async connections(page: ConnectionPage): Promise<ConnectionList> {
    const now = this.clock();
    const table = this.table;
    const services = this.services;
    function* entries(): Iterable<ConnectionEntry> {
      for (const svc of services.values()) {
        if (!svc.templates) continue;
        for (const t of svc.templates.byClient.values()) {
          yield {
            protocol: svc.key.protocol,
            client: { address: t.clientAddress, port: 0 },
            virtual: { address: svc.key.address, port: svc.key.port },
            destination: { address: t.dest.address, port: t.dest.port },
            state: t.assured ? "ASSURED" : "NONE",
            expiresIn: Math.max(0, Math.ceil((t.expires - now) / 1000)),
          };
        }
      }
      for (const e of table.all()) yield table.entry(e, now);
    }
    return pageOf(entries(), page);
  }

  async zero(service: IpvsServiceKey | null): Promise<void> {
    if (service === null) {
      for (const svc of this.services.values()) svc.zero();
      return;
    }
    const svc = this.services.get(agentServiceKeyText(service));
    if (!svc) throw new Error("No such service");
    svc.zero();
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
    await Promise.all(closing);
  }
}

function closeListener(l: Listener): void {
  if (l.kind === "tcp") l.server.close();
  else if (l.kind === "udp") l.udp.close();
}

function unsupportedReason(s: IpvsService): string | null {
  if (s.protocol === "fwmark") return "fwmark services need the kernel (netfilter marks); not supported by the userspace engine";
  if (s.protocol === "sctp") return "SCTP is not supported by the userspace engine";
  if (s.port === 0) return "port 0 (all ports, persistent) services are not supported by the userspace engine";
  if (s.persistenceEngine) return `persistence engine "${s.persistenceEngine}" is not supported by the userspace engine`;
  return null;
}
