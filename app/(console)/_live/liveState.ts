/**
 * What the browser knows about one live subscription: the latest figures of every director (from
 * the snapshot, then the deltas), online/offline, health per real server, and recent chart points.
 *
 * Deltas carry only the services and destinations that changed; every stats message still adds a
 * point to every series of that director (unchanged values repeat), so charts move at 1 Hz.
 * A snapshot replaces the figures; with a new `epoch` (server restarted) it also drops the points.
 * `lastAt` is the resume point sent with the next subscribe after a reconnect. Mutable on purpose
 * (one object per subscription, version-counted by the store); no React, no sockets.
 */
import type { DestinationStats } from "@/lvs/model.ts";
import type { HealthMap, HealthValue, SnapshotLike } from "@/lvs/stats/topologyStats.ts";
import { healthKey } from "@/lvs/stats/topologyStats.ts";
import type { LiveDirectorState, LivePoint, LiveServerMessage, LiveService } from "@/lvs/protocol/live.ts";
import { PointRing, seriesId } from "./liveSeries.ts";

type StatsMsg = Extract<LiveServerMessage, { type: "stats" }>;
type SnapshotMsg = Extract<LiveServerMessage, { type: "snapshot" }>;
type DirectorMsg = Extract<LiveServerMessage, { type: "director" }>;
type HealthMsg = Extract<LiveServerMessage, { type: "health" }>;

export interface ServiceState {
  key: string;
  counters: LiveService["counters"];
  rates: LiveService["rates"];
  /** by "address|port" */
  destinations: Map<string, DestinationStats>;
}

export interface DirectorState {
  directorId: string;
  /** the director's id in the topology document */
  key: string;
  name: string;
  online: boolean;
  lastSeenAt: number | null;
  at: number | null;
  services: Map<string, ServiceState>;
  /** by "serviceKey|address|port" */
  health: Map<string, { state: HealthValue; since: number }>;
}

export interface HealthEvent {
  directorId: string;
  serviceKey: string;
  address: string;
  port: number;
  from: HealthValue;
  to: HealthValue;
  at: number;
}

export const destKey = (address: string, port: number) => `${address}|${port}`;

export function pointOf(at: number, rates: LiveService["rates"], dests: Iterable<DestinationStats>): LivePoint {
  let activeConns = 0;
  let inactConns = 0;
  for (const d of dests) {
    activeConns += d.activeConns;
    inactConns += d.inactConns;
  }
  return { at, ...rates, activeConns, inactConns };
}

/** Outcome of applying a message: "gap" = a seq was missed, the caller resubscribes for a fresh snapshot. */
export type ApplyResult = "ok" | "gap" | "ignored";

export class TopicState {
  epoch: string | null = null;
  seq = -1;
  /** `at` of the newest message applied (resume point) */
  lastAt: number | null = null;
  readonly directors = new Map<string, DirectorState>();
  readonly series = new Map<string, PointRing>();
  /** the latest health transitions, newest last (bounded) */
  readonly events: HealthEvent[] = [];
  /** bumped on every change (the store re-renders on it) */
  version = 0;

  constructor(readonly sub: string) {}

  apply(msg: LiveServerMessage): ApplyResult {
    if (!("sub" in msg) || msg.sub !== this.sub) return "ignored";
    switch (msg.type) {
      case "snapshot":
        this.applySnapshot(msg);
        break;
      case "stats":
      case "director":
      case "health": {
        if (this.seq < 0) return "ignored"; // nothing before the snapshot
        if (msg.seq <= this.seq) return "ignored"; // duplicate
        if (msg.seq !== this.seq + 1) return "gap";
        this.seq = msg.seq;
        if (msg.type === "stats") this.applyStats(msg);
        else if (msg.type === "director") this.applyDirector(msg);
        else this.applyHealth(msg);
        break;
      }
      default:
        return "ignored";
    }
    this.version++;
    return "ok";
  }

  private applySnapshot(msg: SnapshotMsg): void {
    if (this.epoch !== null && this.epoch !== msg.epoch) this.series.clear();
    this.epoch = msg.epoch;
    this.seq = msg.seq;
    this.directors.clear();
    for (const d of msg.directors) this.directors.set(d.directorId, directorFrom(d));
    for (const r of msg.recent ?? []) this.ring(r.series).merge(r.points);
    // the snapshot's own values are a point too (a chart is never empty once subscribed)
    for (const d of this.directors.values()) if (d.at !== null) this.pushPoints(d, d.at);
    this.lastAt = Math.max(this.lastAt ?? 0, msg.at);
  }

  private applyStats(msg: StatsMsg): void {
    const d = this.directors.get(msg.directorId);
    if (!d) return;
    for (const s of msg.services) {
      let cur = d.services.get(s.key);
      if (!cur) {
        cur = { key: s.key, counters: s.counters, rates: s.rates, destinations: new Map() };
        d.services.set(s.key, cur);
      }
      cur.counters = s.counters;
      cur.rates = s.rates;
      for (const x of s.destinations) cur.destinations.set(destKey(x.address, x.port), x);
      for (const gone of s.removed ?? []) cur.destinations.delete(gone);
    }
    d.at = msg.at;
    d.online = true;
    d.lastSeenAt = msg.at;
    this.pushPoints(d, msg.at);
    this.lastAt = msg.at;
  }

  private applyDirector(msg: DirectorMsg): void {
    const d = this.directors.get(msg.directorId);
    if (d) {
      d.online = msg.online;
      if (msg.online) d.lastSeenAt = msg.at;
    }
    this.lastAt = Math.max(this.lastAt ?? 0, msg.at);
  }

  private applyHealth(msg: HealthMsg): void {
    const d = this.directors.get(msg.directorId);
    if (d) d.health.set(`${msg.serviceKey}|${destKey(msg.address, msg.port)}`, { state: msg.to, since: msg.at });
    this.events.push({ directorId: msg.directorId, serviceKey: msg.serviceKey, address: msg.address, port: msg.port, from: msg.from, to: msg.to, at: msg.at });
    if (this.events.length > 200) this.events.splice(0, this.events.length - 200);
    this.lastAt = Math.max(this.lastAt ?? 0, msg.at);
  }

  private ring(id: string): PointRing {
    let r = this.series.get(id);
    if (!r) {
      r = new PointRing();
      this.series.set(id, r);
    }
    return r;
  }

  private pushPoints(d: DirectorState, at: number): void {
    for (const s of d.services.values()) {
      this.ring(seriesId(d.directorId, s.key)).push(pointOf(at, s.rates, s.destinations.values()));
      for (const [k, x] of s.destinations) this.ring(seriesId(d.directorId, s.key, k)).push(pointOf(at, x.rates, [x]));
    }
  }

  /** Snapshots by the topology's director id, for topologyFigures. Offline directors count as not reporting. */
  snapshotsByKey(): Record<string, SnapshotLike | null> {
    const out: Record<string, SnapshotLike | null> = {};
    for (const d of this.directors.values()) {
      out[d.key] = d.online
        ? { services: [...d.services.values()].map((s) => ({ key: s.key, counters: s.counters, rates: s.rates, destinations: [...s.destinations.values()] })) }
        : null;
    }
    return out;
  }

  /** Health keyed as topologyFigures expects (topology director ids). */
  healthMap(): HealthMap {
    const out: Record<string, HealthValue> = {};
    for (const d of this.directors.values()) {
      for (const [k, h] of d.health) {
        const [serviceKey, address, port] = splitHealthKey(k);
        out[healthKey(d.key, serviceKey, address, port)] = h.state;
      }
    }
    return out;
  }
}

/** "serviceKey|address|port" where the service key itself contains "|". */
function splitHealthKey(k: string): [string, string, number] {
  const parts = k.split("|");
  const port = Number(parts.pop());
  const address = parts.pop()!;
  return [parts.join("|"), address, port];
}

function directorFrom(d: LiveDirectorState): DirectorState {
  const services = new Map<string, ServiceState>();
  for (const s of d.services) {
    services.set(s.key, {
      key: s.key, counters: s.counters, rates: s.rates,
      destinations: new Map(s.destinations.map((x) => [destKey(x.address, x.port), x])),
    });
  }
  const health = new Map<string, { state: HealthValue; since: number }>();
  for (const h of d.health) health.set(`${h.serviceKey}|${destKey(h.address, h.port)}`, { state: h.state, since: h.since });
  return { directorId: d.directorId, key: d.key, name: d.name, online: d.online, lastSeenAt: d.lastSeenAt, at: d.at, services, health };
}
