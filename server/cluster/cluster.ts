/**
 * This instance's place among the control-plane instances that share one database.
 * - A random instance id, a heartbeat row (ControlInstance) every `tickMs`.
 * - Leadership: one instance at a time holds the "leader" lease (renewed every tick, it expires after
 *   `leaderTtlMs` when its holder dies). Periodic work that must run once across instances (pruning,
 *   drain completion, the presence sweep, the demo's agent) asks `isLeader()` or follows
 *   `onLeadership`.
 * - Agent leases: every tick renews the leases of the agent connections this instance holds and tells
 *   the agent hub which ones it still holds (a connection whose lease another instance took is closed).
 * - The leader sweeps: expired agent leases are dropped and their directors shown offline (the
 *   instance holding them died), with a `director.status` event so every browser sees it.
 * On PGlite (one instance) the same code runs: that instance is always the leader.
 */
import { randomUUID } from "node:crypto";
import type { EventBus } from "../events/EventBus.ts";
import type { Logger } from "../log.ts";
import type { AgentHolder, ClusterStore } from "./clusterStore.ts";

export const LEADER_LEASE = "leader";

export interface ClusterOptions {
  store: ClusterStore;
  bus: EventBus;
  log: Pick<Logger, "info" | "warn">;
  hostname: string;
  now?: () => number;
  instanceId?: string;
  /** heartbeat, lease renewal and sweep period (default 2 s) */
  tickMs?: number;
  /** a dead leader is replaced after this long (default 15 s) */
  leaderTtlMs?: number;
  /** a dead instance's agent leases expire after this long (default 30 s) */
  agentTtlMs?: number;
}

export type HeldLease = AgentHolder & { directorId: string };

export class Cluster {
  readonly instanceId: string;
  readonly agentTtlMs: number;
  private leader = false;
  private timer: ReturnType<typeof setInterval> | null = null;
  private ticking: Promise<void> = Promise.resolve();
  private closed = false;
  private readonly leadershipListeners = new Set<(leader: boolean) => void>();
  private readonly leaseListeners = new Set<(held: HeldLease[], renewedFrom: number) => void>();
  private readonly tickMs: number;
  private readonly leaderTtlMs: number;
  private readonly now: () => number;

  constructor(private readonly o: ClusterOptions) {
    this.instanceId = o.instanceId ?? randomUUID();
    this.tickMs = o.tickMs ?? 2000;
    // generous: a busy instance's event loop may stall for seconds; an agent whose instance died
    // reconnects elsewhere within about a second anyway (the newest connection wins at once), so these
    // only bound how long a dead instance leads and how long its never-returning agents look online
    this.leaderTtlMs = o.leaderTtlMs ?? 15_000;
    this.agentTtlMs = o.agentTtlMs ?? 30_000;
    this.now = o.now ?? Date.now;
  }

  get store(): ClusterStore {
    return this.o.store;
  }

  /** first heartbeat and leadership attempt, then one tick every `tickMs` */
  async start(): Promise<void> {
    await this.tick();
    this.timer = setInterval(() => void this.tick(), this.tickMs);
    this.timer.unref();
  }

  isLeader(): boolean {
    return this.leader;
  }

  /** called with the current state at once, then on every change */
  onLeadership(listener: (leader: boolean) => void): () => void {
    this.leadershipListeners.add(listener);
    listener(this.leader);
    return () => this.leadershipListeners.delete(listener);
  }

  /**
   * The agent leases this instance still holds, after each renewal. `renewedFrom` (performance.now()
   * when the renewal started): a lease taken after it is not in `held` yet and must not count as lost.
   */
  onAgentLeases(listener: (held: HeldLease[], renewedFrom: number) => void): () => void {
    this.leaseListeners.add(listener);
    return () => this.leaseListeners.delete(listener);
  }

  /** one round: heartbeat, leases, leadership, and the leader's sweep (serialised) */
  tick(): Promise<void> {
    this.ticking = this.ticking.then(() => this.round()).catch((e: Error) => this.o.log.warn({ err: e.message }, "cluster round failed"));
    return this.ticking;
  }

  private async round(): Promise<void> {
    if (this.closed) return;
    const s = this.o.store;
    await s.heartbeat(this.instanceId, this.o.hostname);
    const renewedFrom = performance.now();
    const held = await s.renewAgents(this.instanceId, this.agentTtlMs);
    for (const l of this.leaseListeners) l(held, renewedFrom);
    const leader = await s.tryHold(LEADER_LEASE, this.instanceId, this.leaderTtlMs).catch(() => false);
    if (leader !== this.leader && !this.closed) {
      this.leader = leader;
      this.o.log.info({ instanceId: this.instanceId }, leader ? "this instance leads periodic work" : "this instance no longer leads periodic work");
      for (const l of this.leadershipListeners) l(leader);
    }
    if (this.leader) await this.sweep();
  }

  private async sweep(): Promise<void> {
    const gone = await this.o.store.sweep(Math.max(60_000, this.leaderTtlMs * 10));
    for (const d of gone) {
      this.o.log.warn({ directorId: d.directorId }, "director's agent lease expired (its control-plane instance stopped): offline");
      await this.o.bus.publish("director.status", { directorId: d.directorId, topologyId: d.topologyId, online: false, at: this.now() }).catch(() => {});
    }
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.ticking;
    this.closed = true;
    if (this.leader) {
      this.leader = false;
      await this.o.store.release(LEADER_LEASE, this.instanceId).catch(() => {});
      for (const l of this.leadershipListeners) l(false);
    }
  }
}
