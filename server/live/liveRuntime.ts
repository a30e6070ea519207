/**
 * The live-statistics runtime of one control-plane instance: the state side of the stats path. It
 * follows the agent hub's typed events (`attach`: stats into the StatsStore and its rings, offline
 * directors closed, Director.observed for drain/drift), runs the rollup writer with its retention,
 * and is the LiveApi the `live` tRPC router, `/metrics` and `/api/live` read (that hub only
 * serialises what `onUpdate` hands it). Created by startServer before the plugins.
 * Scope: live values exist on the instance that holds the agent's socket; history (rollups) and
 * health history are in the database and visible from every instance.
 */
import { randomUUID } from "node:crypto";
import type { AgentMessage } from "../../lvs/protocol/agent.ts";
import type { IpvsServiceKey, StatsSnapshot } from "../../lvs/model.ts";
import { describeServiceKey, destinationKeyString, parseServiceKeyString, serviceKeyString } from "../../lvs/tableKey.ts";
import { withAudit, type AuditActor } from "../services/audit.ts";
import type { Database } from "../db/openDatabase.ts";
import type { Logger } from "../log.ts";
import type { AgentEvent, AgentEventSource } from "../realtime/agentEvents.ts";
import type { DesiredStateService } from "../services/desiredState.ts";
import { MAX_RECENT_POINTS, type LiveDirectorState, type LiveTopic, type LiveService } from "../../lvs/protocol/live.ts";
import { refuse } from "../services/ServiceError.ts";
import { availabilityQuery, currentHealth, type HealthNow } from "./healthQuery.ts";
import { historyQuery } from "./historyQuery.ts";
import { ObservedWriter } from "./observedWriter.ts";
import type { AvailabilityInput, ConnectionsInput, ConnectionsResult, HistoryInput, LiveApi, ZeroInput } from "./liveApi.ts";
import type { DirectorMetrics } from "./metrics.ts";
import { RollupRepository } from "./rollupRepository.ts";
import { RollupWriter } from "./rollupWriter.ts";
import { StatsStore, toLiveService, type StatsUpdate } from "./statsStore.ts";
import type { StatsRelay } from "../cluster/statsRelay.ts";
import type { EventBus } from "../events/EventBus.ts";

export interface LiveRuntimeOptions {
  db: Database;
  /** several instances: stats of agents held here go out, those held elsewhere come in */
  relay?: StatsRelay;
  /** director.status: a director held elsewhere went offline (its latest values are dropped) */
  bus?: EventBus;
  /** pruning runs on one instance: the leader (default: always) */
  isLeader?: () => boolean;
  log: Logger;
  now: () => number;
  /** the one desired-state service (which targets are health-checked) */
  desired: DesiredStateService;
  retentionMs: number;
  /** health transitions (availability history) retention; default 400 days */
  healthRetentionMs?: number;
  ringCapacity?: number;
  bucketMs?: number;
  flushMs?: number;
  pruneEveryMs?: number;
}

/** What the agent hub offers for on-demand connection tables. */
export interface ConnectionSource {
  requestConnections(directorId: string, page: { offset: number; limit: number; client?: string; virtual?: string; destination?: string }, timeoutMs?: number): Promise<Extract<AgentMessage, { type: "connections.response" }>>;
  /** `ipvsadm -Z [service]` on the director's agent */
  requestZero?(directorId: string, service: IpvsServiceKey | null, timeoutMs?: number): Promise<void>;
}

export interface DirectorMeta {
  id: string;
  topologyId: string;
  key: string;
  name: string;
}

/** a stats update routed to its topology */
export interface RoutedUpdate extends StatsUpdate {
  topologyId: string;
}

/** a resume snapshot carries at most this many series in `recent` */
const MAX_RECENT_SERIES = 200;

export class LiveRuntime implements LiveApi {
  readonly store: StatsStore;
  readonly repo: RollupRepository;
  readonly writer: RollupWriter;
  /** changes per process start; a client seeing another epoch drops its state */
  readonly epoch = randomUUID();
  private connectionSource: ConnectionSource | null = null;
  private readonly meta = new Map<string, DirectorMeta>();
  private readonly listeners = new Set<(u: RoutedUpdate) => void>();
  private readonly observed: ObservedWriter;

  constructor(private readonly o: LiveRuntimeOptions) {
    this.store = new StatsStore({ ...(o.ringCapacity ? { ringCapacity: o.ringCapacity } : {}), ...(o.bucketMs ? { bucketMs: o.bucketMs } : {}) });
    this.repo = new RollupRepository(o.db.prisma);
    this.writer = new RollupWriter({
      store: this.store, repo: this.repo, log: o.log, now: o.now, retentionMs: o.retentionMs, ...(o.isLeader ? { isLeader: o.isLeader } : {}),
      ...(o.healthRetentionMs ? { healthRetentionMs: o.healthRetentionMs } : {}),
      ...(o.flushMs ? { flushMs: o.flushMs } : {}), ...(o.pruneEveryMs ? { pruneEveryMs: o.pruneEveryMs } : {}),
    });
    this.store.onUpdate((u) => this.route(u));
    this.observed = new ObservedWriter(o.db.prisma, o.now);
    // another instance holds these agents: rings and latest values for this instance's browsers,
    // no rollups (the holder writes them); frames of a director held here are stale (a handover)
    o.relay?.onRemote((directorId, snapshot) => {
      if (!this.local.has(directorId)) this.store.record(directorId, snapshot, { rollup: false });
    });
    o.bus?.subscribe("director.status", (e) => {
      if (!e.online && !this.local.has(e.directorId)) this.store.closeDirector(e.directorId);
    });
  }

  /** directors whose agent this instance holds */
  private readonly local = new Set<string>();

  /**
   * Health of every checked real server: its latest stored transition, or — for a health-check
   * target of an online director that never reported a transition — "up", because the agent starts
   * every target up (keepalived semantics) and only reports changes.
   */
  private async health(directors: ReadonlyArray<{ id: string; online: boolean; lastSeenAt: Date | null }>): Promise<HealthNow[]> {
    const known = await currentHealth(this.o.db.prisma, directors.map((d) => d.id));
    const seen = new Set(known.map((h) => `${h.directorId}|${h.serviceKey}|${h.address}|${h.port}`));
    const out = [...known];
    for (const d of directors) {
      if (!d.online) continue;
      const desired = await this.o.desired.desiredFor(d.id).catch(() => null);
      for (const t of desired?.health.targets ?? []) {
        const serviceKey = serviceKeyString(t.service);
        const k = `${d.id}|${serviceKey}|${t.destination.address}|${t.destination.port}`;
        if (seen.has(k)) continue;
        seen.add(k);
        out.push({ directorId: d.id, serviceKey, address: t.destination.address, port: t.destination.port, state: "up", since: d.lastSeenAt ? d.lastSeenAt.getTime() : 0 });
      }
    }
    return out;
  }

  start(): void {
    this.writer.start();
  }

  async close(): Promise<void> {
    await this.writer.close();
  }

  /**
   * Follows an agent hub: its events feed the store (stats, offline) and Director.observed, and it
   * answers connection-table requests. Returns the detach function.
   */
  attach(hub: AgentEventSource & ConnectionSource): () => void {
    this.connectionSource = hub;
    const off = hub.onAgentEvent((e) => this.onAgentEvent(e));
    return () => {
      off();
      if (this.connectionSource === hub) this.connectionSource = null;
    };
  }

  private onAgentEvent(e: AgentEvent): void {
    const d = e.director;
    if (!this.meta.has(d.id)) this.meta.set(d.id, { id: d.id, topologyId: d.topologyId, key: d.key, name: d.name });
    if (e.type === "stats") {
      this.local.add(d.id);
      this.store.record(d.id, e.snapshot);
      this.o.relay?.publish(d.id, e.snapshot);
    } else if (e.type === "gone") {
      // offline, or another connection (maybe on another instance) holds it now: forget the live values
      this.local.delete(d.id);
      this.store.closeDirector(d.id);
    }
    this.observed.onAgentEvent(e);
  }

  /** stats updates of every director, with its topology (sync; the hub fans them out) */
  onUpdate(listener: (u: RoutedUpdate) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private route(u: StatsUpdate): void {
    const m = this.meta.get(u.directorId);
    if (m) {
      for (const l of this.listeners) l({ ...u, topologyId: m.topologyId });
      return;
    }
    void this.directorMeta(u.directorId).then((found) => {
      if (found) for (const l of this.listeners) l({ ...u, topologyId: found.topologyId });
    });
  }

  async directorMeta(directorId: string): Promise<DirectorMeta | null> {
    const known = this.meta.get(directorId);
    if (known) return known;
    const d = await this.o.db.prisma.director.findUnique({ where: { id: directorId }, select: { id: true, topologyId: true, key: true, name: true } });
    if (d) this.meta.set(d.id, d);
    return d;
  }

  /** Director states of a topic: online, latest stats (filtered to the topic), current health. */
  async snapshot(topic: LiveTopic): Promise<LiveDirectorState[]> {
    const rows = await this.o.db.prisma.director.findMany({
      where: { topologyId: topic.topologyId, ...(topic.directorId ? { id: topic.directorId } : {}) },
      select: { id: true, topologyId: true, key: true, name: true, online: true, lastSeenAt: true },
      orderBy: { key: "asc" },
    });
    for (const r of rows) this.meta.set(r.id, { id: r.id, topologyId: r.topologyId, key: r.key, name: r.name });
    const health = await this.health(rows);
    return rows.map((r) => {
      const snap = this.store.latest(r.id);
      return {
        directorId: r.id, key: r.key, name: r.name, online: r.online,
        lastSeenAt: r.lastSeenAt ? r.lastSeenAt.getTime() : null,
        at: snap ? snap.at : null,
        services: snap ? filterServices(snap, topic.serviceKey) : [],
        health: health
          .filter((h) => h.directorId === r.id && (!topic.serviceKey || h.serviceKey === topic.serviceKey))
          .map((h) => ({ serviceKey: h.serviceKey, address: h.address, port: h.port, state: h.state, since: h.since })),
      };
    });
  }

  /** ring points after `since` for the series of the given director states (resume) */
  recent(directors: readonly LiveDirectorState[], since: number, until: number): Array<{ series: string; points: ReturnType<StatsStore["points"]> }> {
    const out: Array<{ series: string; points: ReturnType<StatsStore["points"]> }> = [];
    for (const d of directors) {
      for (const s of d.services) {
        const keys = ["", ...s.destinations.map((x) => destinationKeyString(x))];
        for (const dk of keys) {
          if (out.length >= MAX_RECENT_SERIES) return out;
          const points = this.store.points(d.directorId, s.key, dk, since + 1, until + 1, MAX_RECENT_POINTS);
          if (points.length) out.push({ series: dk ? `${d.directorId}/${s.key}/${dk}` : `${d.directorId}/${s.key}`, points });
        }
      }
    }
    return out;
  }

  history(input: HistoryInput) {
    return historyQuery(this.store, this.repo, input);
  }

  availability(input: AvailabilityInput) {
    return availabilityQuery(this.o.db.prisma, input);
  }

  async connections(input: ConnectionsInput): Promise<ConnectionsResult> {
    const d = await this.o.db.prisma.director.findUnique({ where: { id: input.directorId }, select: { id: true, online: true } });
    if (!d) throw refuse("NOT_FOUND", "live.no-director", { id: input.directorId });
    if (!this.connectionSource) throw refuse("NOT_FOUND", "live.no-hub");
    const page = { offset: input.offset, limit: input.limit, ...pick(input, ["client", "virtual", "destination"]) };
    let r;
    try {
      r = await this.connectionSource.requestConnections(input.directorId, page);
    } catch (e) {
      throw refuse("NOT_FOUND", "live.agent-failed", { id: input.directorId, detail: (e as Error).message });
    }
    return { directorId: input.directorId, offset: input.offset, limit: input.limit, total: r.total, entries: r.entries, error: r.error ?? null };
  }

  /**
   * `ipvsadm -Z`: the agent zeroes the counters of one service (and its real servers) or of all; the
   * stats frames that follow carry the reset counters, which the rollups and charts take as a reset
   * (a counter that went down starts a new run, never a negative rate). Audited once as stats.zero.
   */
  async zero(input: ZeroInput, actor: AuditActor): Promise<{ directorId: string; director: string; service: string | null }> {
    const d = await this.o.db.prisma.director.findUnique({ where: { id: input.directorId }, select: { id: true, name: true, key: true, topologyId: true } });
    if (!d) throw refuse("NOT_FOUND", "live.no-director", { id: input.directorId });
    const key = input.serviceKey === undefined ? null : parseServiceKeyString(input.serviceKey);
    if (input.serviceKey !== undefined && !key) throw refuse("BAD_REQUEST", "live.bad-service-key", { key: input.serviceKey });
    const service = key ? describeServiceKey(key) : null;
    return withAudit(this.o.db, actor, { action: "stats.zero", target: `topology:${d.topologyId}/director:${d.key}` }, async () => {
      const source = this.connectionSource;
      if (!source?.requestZero) throw refuse("NOT_FOUND", "live.no-hub");
      try {
        await source.requestZero(d.id, key);
      } catch (e) {
        throw refuse("CONFLICT", "live.agent-failed", { id: d.name, detail: (e as Error).message });
      }
      return { directorId: d.id, director: d.name, service };
    }, (r) => ({ director: r.director, service: r.service }));
  }

  /** What `/metrics` reports: every director with its latest stats and real-server health. */
  async metricsSource(): Promise<DirectorMetrics[]> {
    const rows = await this.o.db.prisma.director.findMany({ select: { id: true, name: true, online: true, lastSeenAt: true }, orderBy: { name: "asc" } });
    const health = await this.health(rows);
    return rows.map((r) => {
      const snap = this.store.latest(r.id);
      const keys = new Map((snap?.services ?? []).map((s) => [serviceKeyString(s.key), s.key]));
      return {
        name: r.name,
        online: r.online,
        snapshot: snap,
        health: health
          .filter((h) => h.directorId === r.id && h.state !== "unknown" && keys.has(h.serviceKey))
          .map((h) => ({ service: keys.get(h.serviceKey)!, address: h.address, port: h.port, up: h.state === "up" })),
      };
    });
  }
}

function pick<T extends object, K extends keyof T>(o: T, keys: K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const k of keys) if (o[k] !== undefined && o[k] !== "") out[k] = o[k];
  return out;
}

export function filterServices(snap: StatsSnapshot, serviceKey?: string): LiveService[] {
  const out: LiveService[] = [];
  for (const s of snap.services) if (!serviceKey || serviceKeyString(s.key) === serviceKey) out.push(toLiveService(s));
  return out;
}
