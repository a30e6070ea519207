/**
 * The agent loop: desired table in → validate → health-adjust → engine.apply → persist → ack out.
 * A desired table that fails validation is refused and the previous one stays in force.
 * Health transitions re-apply the adjusted table. Applies are serialised (one at a time).
 * Nothing here talks to the network: `send` is given by the link (and may drop while offline).
 */
import { HealthMonitor } from "./health/monitor.ts";
import { effectiveTable } from "./health/effective.ts";
import type { AgentIssue, AgentMessage, DesiredMessage, HealthTransition, ServerMessage } from "../lvs/protocol/agent.ts";
import { AGENT_FEATURES, PROTOCOL_VERSION } from "../lvs/protocol/agent.ts";
import type { IpvsTable, StatsSnapshot } from "../lvs/model.ts";
import type { HaTransition } from "../lvs/protocol/ha.ts";
import { PrereqReporter } from "./prereqReporter.ts";
import type { AgentOptions, Current } from "./agentOptions.ts";
import { answerConnections, answerZero } from "./engineRequests.ts";
import { applyHa } from "./applyHa.ts";
import { applyEffective } from "./applyEffective.ts";
import { StatsDeltaEncoder } from "../lvs/stats/statsDelta.ts";
import { StatsFieldsEncoder, fieldsBody, type StatsFieldsFrame } from "../lvs/stats/statsFields.ts";
import { ColumnsFromSnapshots } from "../lvs/stats/statsColumns.ts";

export type { AgentIssue };
export type { AgentOptions } from "./agentOptions.ts";

const MAX_UNSENT_TRANSITIONS = 1000;
/** feature "stats.delta": a full update at least this often, whatever the deltas said (heals anything) */
export const STATS_FULL_EVERY_MS = 300_000;

export class Agent {
  private current: Current | null = null;
  private appliedRevision: number | null = null;
  private readonly monitor: HealthMonitor;
  private queue: Promise<unknown> = Promise.resolve();
  private persisting: Promise<void> = Promise.resolve();
  private statsTimer: unknown = null;
  private statsIntervalMs: number;
  private readonly resyncIntervalMs: number;
  private stopped = false;
  /** set by the link: delivers a message when connected; false = dropped (offline) */
  send: (msg: AgentMessage) => boolean = () => false;
  /**
   * Feature "stats.fields": set by the link to write the frame's bytes without a JS array of its numbers
   * (lvs/stats/statsFieldsJson.ts); by default the frame goes through `send` as a plain message.
   */
  sendStatsFields: (frame: StatsFieldsFrame) => boolean = (f) => this.send({ v: PROTOCOL_VERSION, type: "stats.fields", ...fieldsBody(f) });
  /** set by the link: whether messages can go out now (stats are not even gathered otherwise) */
  online: () => boolean = () => true;
  /** health transitions that could not be delivered; sent after the next welcome */
  private unsentTransitions: HealthTransition[] = [];
  private resyncTimer: unknown = null;
  /** what the connected control plane listed in welcome.features (reset by the next welcome) */
  private serverFeatures = new Set<string>();
  private readonly prereq: PrereqReporter | null;
  private haTimer: unknown = null;
  /** VRRP transitions not delivered yet (offline): sent after the next welcome */
  private unsentHa: HaTransition[] = [];
  /** feature "stats.delta": what this connection was sent, and when the last full update went */
  private readonly statsDelta = new StatsDeltaEncoder();
  /** feature "stats.fields": the same for per-field frames; columns from snapshots when the engine has no reader of its own */
  private readonly statsFields = new StatsFieldsEncoder();
  private columnsFromSnapshots: ColumnsFromSnapshots | null = null;
  private lastFullStatsAt = 0;

  constructor(private readonly opts: AgentOptions) {
    this.prereq = opts.observeHost ? new PrereqReporter({ observe: opts.observeHost, clock: opts.clock, send: (m) => this.send(m) }) : null;
    if (opts.ha) {
      opts.ha.onTransition = (t) => {
        if (!this.serverFeatures.has(AGENT_FEATURES.ha) || !this.send({ v: PROTOCOL_VERSION, type: "ha.transition", transitions: [t] })) {
          this.unsentHa.push(t);
          if (this.unsentHa.length > MAX_UNSENT_TRANSITIONS) this.unsentHa.splice(0, this.unsentHa.length - MAX_UNSENT_TRANSITIONS);
        }
      };
      opts.ha.onStatus = (status) => {
        if (this.serverFeatures.has(AGENT_FEATURES.ha)) this.send({ v: PROTOCOL_VERSION, type: "ha.status", status });
      };
    }
    this.statsIntervalMs = opts.statsIntervalMs ?? 1000;
    this.resyncIntervalMs = opts.resyncIntervalMs ?? 30000;
    this.monitor = new HealthMonitor({
      checkers: opts.checkers, clock: opts.clock, timers: opts.timers,
      onTransitions: (transitions) => {
        for (const t of transitions) {
          opts.log.info(`health ${t.destination.address}:${t.destination.port} ${t.from} -> ${t.to} (${t.message})`);
        }
        this.sendTransitions(transitions);
        void this.enqueue(async () => {
          await this.reconcile("health");
          // a restart keeps the states (a server that is down stays out until it rises); written
          // beside the queue so a slow disk does not delay the next health reaction
          const cur = this.current;
          if (cur && this.appliedRevision === cur.revision) {
            this.persisting = this.persisting.then(() => this.persist(cur)).catch((e: Error) => this.opts.log.error(`cannot persist health states: ${e.message}`));
          }
        });
      },
    });
  }

  get revision(): number | null {
    return this.appliedRevision;
  }

  /** Resolves when every queued apply (desired, health, periodic resync) has finished, acks sent. */
  async idle(): Promise<void> {
    await this.queue;
    await this.persisting;
  }

  /** Fail-static restore: apply the persisted table (if any) before any control plane is reached. */
  async start(): Promise<void> {
    let persisted = null;
    try {
      persisted = await this.opts.store.load();
    } catch (e) {
      this.opts.log.error(`cannot read state: ${(e as Error).message}; starting without a restored table`);
    }
    if (persisted) {
      this.current = { revision: persisted.revision, table: persisted.table, health: persisted.health, ha: persisted.ha };
      const down = new Set(persisted.down);
      this.monitor.update(persisted.health.targets, (k) => (down.has(k) ? "down" : undefined));
      const result = await this.enqueue(() => this.reconcile("restore"));
      // fail-static for VRRP too: keepalived and the sync daemons as the last revision said
      if (persisted.ha && this.opts.ha) await this.enqueue(() => this.opts.ha!.apply(persisted.ha)).catch((e: Error) => this.opts.log.error(`HA restore: ${e.message}`));
      if (result.ok) this.appliedRevision = persisted.revision;
      this.opts.log.info(`restored revision ${persisted.revision} from ${this.opts.store.file} (${result.ok ? "applied" : "apply failed"})`);
    } else {
      this.opts.log.info("no saved state: forwarding nothing until the control plane sends a table");
    }
    this.scheduleStats();
    this.scheduleResync();
    this.scheduleHaStatus();
  }

  /** HA status every few seconds (what notify lines cannot say: process alive, sync daemons, mirrored connections). */
  private scheduleHaStatus(): void {
    const ha = this.opts.ha;
    if (this.stopped || !ha) return;
    this.haTimer = this.opts.timers.setTimeout(async () => {
      if (ha.active && this.online() && this.serverFeatures.has(AGENT_FEATURES.ha)) {
        try {
          this.send({ v: PROTOCOL_VERSION, type: "ha.status", status: await ha.refresh() });
        } catch (e) {
          this.opts.log.warn(`ha status: ${(e as Error).message}`);
        }
      }
      this.scheduleHaStatus();
    }, this.opts.haStatusIntervalMs ?? 5000);
  }

  /** "health.state" of every checked target (or of `keys`), if the control plane understands it. */
  private sendHealthState(keys?: readonly string[]): void {
    if (!this.serverFeatures.has(AGENT_FEATURES.healthState)) return;
    const states = this.monitor.current(keys);
    if (!states.length) return;
    this.send({ v: PROTOCOL_VERSION, type: "health.state", at: this.opts.clock.now(), states });
  }

  private sendTransitions(transitions: HealthTransition[]): void {
    if (!this.send({ v: PROTOCOL_VERSION, type: "health", transitions })) {
      // offline: keep the newest ones for the control plane's availability records
      this.unsentTransitions.push(...transitions);
      if (this.unsentTransitions.length > MAX_UNSENT_TRANSITIONS) this.unsentTransitions.splice(0, this.unsentTransitions.length - MAX_UNSENT_TRANSITIONS);
    }
  }

  /**
   * Every resyncIntervalMs a revision that failed is reconciled again (acknowledged once it converges);
   * with healDrift the applied one is too, which puts back hand-made ipvsadm changes.
   */
  private scheduleResync(): void {
    if (this.stopped || !this.resyncIntervalMs) return;
    this.resyncTimer = this.opts.timers.setTimeout(async () => {
      await this.enqueue(async () => {
        const cur = this.current;
        if (!cur) return;
        if (!this.opts.healDrift && this.appliedRevision === cur.revision) return;
        const r = await this.reconcile("periodic resync");
        const ran = r.ops.filter((o) => o.ok).length;
        if (r.ok && ran) this.opts.log.info(`periodic resync: ${ran} op(s) brought the engine back to revision ${cur.revision}`);
        if (r.ok && this.appliedRevision !== cur.revision) {
          this.opts.log.info(`revision ${cur.revision} applied on retry`);
          this.appliedRevision = cur.revision;
          await this.persist(cur).catch(() => {});
          this.send({
            v: PROTOCOL_VERSION, type: "ack", revision: cur.revision, ok: true, outcome: "applied", appliedRevision: cur.revision,
            ops: r.ops, notes: r.notes, issues: [], table: r.table,
          });
        }
      }).catch(() => {});
      this.scheduleResync();
    }, this.resyncIntervalMs);
  }

  async hello(hostname: string, agentVersion: string, execChecks?: string[]): Promise<AgentMessage> {
    const table = await this.opts.engine.read().catch(() => ({ services: [] }));
    return {
      v: PROTOCOL_VERSION, type: "hello", agentVersion, engine: this.opts.engine.kind, hostname,
      appliedRevision: this.appliedRevision, table, ...(execChecks ? { execChecks } : {}),
    };
  }

  /** Handles one message from the control plane; replies go through `send`. */
  async handle(msg: ServerMessage): Promise<void> {
    switch (msg.type) {
      case "welcome":
        this.opts.log.info(`connected as director ${msg.directorName} (${msg.directorId})`);
        this.serverFeatures = new Set(msg.features ?? []);
        this.statsDelta.reset();
        this.statsFields.reset();
        this.prereq?.resend();
        if (this.unsentTransitions.length) this.sendTransitions(this.unsentTransitions.splice(0));
        // transitions only: the control plane may have missed some (restart while offline), so it
        // gets the current state of every target and records what differs from what it stored
        this.sendHealthState();
        if (this.opts.ha && this.serverFeatures.has(AGENT_FEATURES.ha)) {
          if (this.unsentHa.length) this.send({ v: PROTOCOL_VERSION, type: "ha.transition", transitions: this.unsentHa.splice(0, 1000) });
          this.send({ v: PROTOCOL_VERSION, type: "ha.status", status: this.opts.ha.status() });
        }
        return;
      case "desired": {
        const early = this.earlyHa(msg);
        this.send(await this.enqueue(() => this.onDesired(msg, early)));
        if (msg.prerequisites && this.prereq && this.serverFeatures.has(AGENT_FEATURES.prereq)) await this.prereq.update(msg.revision, msg.prerequisites);
        return;
      }
      case "heartbeat":
        if (this.prereq && this.serverFeatures.has(AGENT_FEATURES.prereq)) void this.prereq.tick();
        this.send({ v: PROTOCOL_VERSION, type: "heartbeat", at: this.opts.clock.now(), appliedRevision: this.appliedRevision });
        return;
      case "connections.request":
        this.send(await answerConnections(this.opts.engine, msg));
        return;
      case "zero.request":
        this.send(await answerZero(this.opts.engine, msg));
        return;
      case "stats.resync":
        this.opts.log.info(`control plane asks for a full stats update: ${msg.reason}`);
        this.statsDelta.requestFull();
        this.statsFields.requestFull();
        return;
      case "error":
        this.opts.log.warn(`control plane error ${msg.code}: ${msg.message}`);
        return;
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.monitor.stop();
    if (this.statsTimer != null) this.opts.timers.clearTimeout(this.statsTimer);
    if (this.resyncTimer != null) this.opts.timers.clearTimeout(this.resyncTimer);
    if (this.haTimer != null) this.opts.timers.clearTimeout(this.haTimer);
    await this.queue.catch(() => {});
    await this.persisting;
  }

  private enqueue<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => {});
    return run;
  }

  /**
   * HA that needs no new table — a switchover, a hand-back within the applied revision — starts as
   * the message arrives: it must not queue behind an IPVS reconcile still running (the lab saw a
   * hand-back wait 72 s behind the switchover's reconcile at load 18). Its issues join the ack.
   */
  private earlyHa(msg: DesiredMessage): Promise<AgentIssue[]> | null {
    if (!this.opts.ha || !msg.ha || !(msg.ha.maintenance || msg.revision === this.appliedRevision)) return null;
    const issues: AgentIssue[] = [];
    return applyHa(this.opts.ha, msg.ha, issues).then(() => issues);
  }

  private async onDesired(msg: DesiredMessage, early: Promise<AgentIssue[]> | null = null): Promise<AgentMessage> {
    if (msg.options.statsIntervalMs !== this.statsIntervalMs) {
      this.statsIntervalMs = msg.options.statsIntervalMs;
    }
    const blocking = (i: AgentIssue) => i.severity === "error";
    const issues = this.opts.validate(msg.table);
    if (issues.some(blocking)) {
      this.opts.log.warn(`refused revision ${msg.revision}: ${issues.filter(blocking).map((i) => `${i.path}: ${i.message}`).join("; ").slice(0, 2000)} — revision ${this.appliedRevision ?? "none"} stays in force`);
      return {
        v: PROTOCOL_VERSION, type: "ack", revision: msg.revision, ok: false, outcome: "refused",
        appliedRevision: this.appliedRevision, ops: [], notes: [], issues: issues.slice(0, 10000),
        table: await this.opts.engine.read().catch(() => ({ services: [] })),
      };
    }
    // an older control plane sends no `ha`: keep what runs (VRRP is fail-static)
    const ha = msg.ha === undefined ? (this.current?.ha ?? null) : msg.ha;
    this.current = { revision: msg.revision, table: msg.table, health: msg.health, ha };
    // a new target starts "up" without a transition: say so (the control plane may hold an old "down")
    const started = this.monitor.update(msg.health.targets);
    if (started.length) this.sendHealthState(started);
    const runHa = this.opts.ha && (msg.ha !== undefined || this.opts.ha.active);
    const applyHaNow = () => applyHa(this.opts.ha!, ha, issues);
    // a planned switchover hands the VIPs over first: giving them up needs no table, and the
    // switchover must not wait for an IPVS reconcile (seconds on a big table); a hand-back (same
    // revision, its table already applied) need not either
    const haFirst = early !== null || (runHa && (ha?.maintenance === true || msg.revision === this.appliedRevision));
    if (early) issues.push(...(await early));
    else if (haFirst) await applyHaNow();
    const result = await this.reconcile(`revision ${msg.revision}`);
    // otherwise VRRP after IPVS: a director claims the VIP only with the table loaded
    if (runHa && !haFirst) await applyHaNow();
    else if (ha && !this.opts.ha) {
      issues.push({ path: "ha", code: "ha.unsupported", severity: "warning", message: "this agent runs no HA supervisor: VRRP and connection sync are not applied" });
    }
    if (result.ok) {
      this.opts.log.info(`revision ${msg.revision} applied (${result.ops.length} op(s))`);
      this.appliedRevision = msg.revision;
      try {
        await this.persist(this.current);
      } catch (e) {
        this.opts.log.error(`cannot persist revision ${msg.revision}: ${(e as Error).message}`);
      }
    } else {
      this.opts.log.warn(`revision ${msg.revision} not fully applied; ${result.ops.filter((o) => !o.ok).length} op(s) failed`);
    }
    return {
      v: PROTOCOL_VERSION, type: "ack", revision: msg.revision, ok: result.ok, outcome: result.ok ? "applied" : "failed",
      appliedRevision: this.appliedRevision, ops: result.ops, notes: result.notes,
      issues: issues.slice(0, 10000), table: result.table,
    };
  }

  private persist(cur: Current): Promise<void> {
    const down = [...this.monitor.states()].filter(([, st]) => st === "down").map(([k]) => k);
    return this.opts.store.save({ revision: cur.revision, table: cur.table, health: cur.health, savedAt: this.opts.clock.now(), down, ha: cur.ha });
  }

  /** Applies the health-adjusted current table. Must run inside the queue. */
  private async reconcile(why: string) {
    if (!this.current || this.stopped) return { ok: true, ops: [], notes: [], table: { services: [] } as IpvsTable };
    return applyEffective(this.opts, effectiveTable(this.current.table, this.current.health, (k) => this.monitor.isDown(k)), why);
  }

  /** Feature "stats.delta": only what changed since the last frame (a full update now and then). */
  private sendStatsDelta(snapshot: StatsSnapshot): void {
    const now = this.opts.clock.now();
    if (now - this.lastFullStatsAt >= STATS_FULL_EVERY_MS) this.statsDelta.requestFull();
    if (this.statsDelta.fullPending) this.lastFullStatsAt = now;
    for (const f of this.statsDelta.encode(snapshot)) {
      // v and type first: the control plane recognises the frame by its first bytes
      if (!this.send({ v: PROTOCOL_VERSION, type: "stats.delta", ...f })) {
        // not delivered: the next connection starts with a full update anyway
        this.statsDelta.reset();
        return;
      }
    }
  }

  /** Feature "stats.fields": the figures that changed, per field (a full update now and then). */
  private async sendFieldsUpdate(): Promise<void> {
    const e = this.opts.engine;
    const now = this.opts.clock.now();
    if (now - this.lastFullStatsAt >= STATS_FULL_EVERY_MS) this.statsFields.requestFull();
    const full = this.statsFields.fullPending;
    // the engine's helper diffs and encodes itself when it can (it answers a full update when asked, or when it restarted)
    const served = e.statsServed ? await e.statsServed(full) : null;
    if (served?.full || (!served && this.statsFields.fullPending)) this.lastFullStatsAt = now;
    let frames: StatsFieldsFrame[];
    if (served) frames = this.statsFields.forward(served);
    else {
      const cols = e.statsColumns ? await e.statsColumns() : (this.columnsFromSnapshots ??= new ColumnsFromSnapshots()).update(await e.stats());
      frames = this.statsFields.encode(cols);
    }
    for (const f of frames) {
      if (!this.sendStatsFields(f)) {
        this.statsFields.reset();
        return;
      }
    }
  }

  private scheduleStats(): void {
    if (this.stopped) return;
    this.statsTimer = this.opts.timers.setTimeout(async () => {
      // offline nobody would receive them, and reading ipvsadm listings costs the director
      if (!this.online()) return this.scheduleStats();
      try {
        if (this.serverFeatures.has(AGENT_FEATURES.statsFields)) {
          await this.sendFieldsUpdate();
        } else {
          const snapshot = await this.opts.engine.stats();
          if (this.serverFeatures.has(AGENT_FEATURES.statsDelta)) this.sendStatsDelta(snapshot);
          else this.send({ v: PROTOCOL_VERSION, type: "stats", snapshot });
        }
      } catch (e) {
        this.opts.log.warn(`stats: ${(e as Error).message}`);
      }
      this.scheduleStats();
    }, this.statsIntervalMs);
  }
}
