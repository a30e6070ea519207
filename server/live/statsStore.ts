/**
 * In-memory live statistics of the directors whose agents report to this instance:
 *  - the latest snapshot per director,
 *  - a ring of recent 1 s points per series (service total and each real server),
 *  - a MinuteRoller per series whose completed buckets wait in `takeRollups()` for the writer,
 *  - per update, the services that changed (the deltas `/api/live` sends).
 * Times are the agent's snapshot times. No I/O; listeners are called synchronously.
 */
import { MinuteRoller, MINUTE_MS, type Rollup } from "../../lvs/stats/rollup.ts";
import { PointRing, type Point } from "../../lvs/stats/pointRing.ts";
import type { DestinationStats, ServiceStats, StatsSnapshot } from "../../lvs/model.ts";
import { destinationKeyString, serviceKeyString } from "../../lvs/tableKey.ts";
import type { LiveService } from "../realtime/liveProtocol.ts";

/** series of a service total use destKey "" */
export interface RollupRow {
  directorId: string;
  serviceKey: string;
  destKey: string;
  rollup: Rollup;
}

export interface StatsUpdate {
  directorId: string;
  at: number;
  /** services whose values changed since the previous snapshot (destinations: only the changed ones) */
  changed: LiveService[];
}

interface Series {
  ring: PointRing;
  roller: MinuteRoller;
}

interface DirectorStats {
  /** null while the agent is away */
  snapshot: StatsSnapshot | null;
  /** previous values by service key, then by "address|port" */
  prev: Map<string, { svc: ServiceStats; dests: Map<string, DestinationStats> }>;
  series: Map<string, Series>;
}

export interface StatsStoreOptions {
  /** points kept per series (1 Hz: 900 = 15 min) */
  ringCapacity?: number;
  /** rollup bucket (default one minute) */
  bucketMs?: number;
}

const seriesId = (serviceKey: string, destKey: string) => `${serviceKey}\u0000${destKey}`;

function toPoint(at: number, x: ServiceStats | DestinationStats, active: number, inact: number): Point {
  const r = x.rates;
  return { at, cps: r.cps, inPps: r.inPps, outPps: r.outPps, inBps: r.inBps, outBps: r.outBps, activeConns: active, inactConns: inact };
}

function sameCounters(a: ServiceStats["counters"], b: ServiceStats["counters"]): boolean {
  return a.conns === b.conns && a.inPkts === b.inPkts && a.outPkts === b.outPkts && a.inBytes === b.inBytes && a.outBytes === b.outBytes;
}
function sameRates(a: ServiceStats["rates"], b: ServiceStats["rates"]): boolean {
  return a.cps === b.cps && a.inPps === b.inPps && a.outPps === b.outPps && a.inBps === b.inBps && a.outBps === b.outBps;
}
function sameDest(a: DestinationStats, b: DestinationStats): boolean {
  return a.weight === b.weight && a.activeConns === b.activeConns && a.inactConns === b.inactConns && a.persistConns === b.persistConns && sameCounters(a.counters, b.counters) && sameRates(a.rates, b.rates);
}

export function toLiveService(s: ServiceStats, dests: readonly DestinationStats[] = s.destinations, removed?: string[]): LiveService {
  const out: LiveService = { key: serviceKeyString(s.key), counters: s.counters, rates: s.rates, destinations: dests.map((d) => ({ ...d })) };
  if (removed && removed.length) out.removed = removed;
  return out;
}

export class StatsStore {
  private readonly directors = new Map<string, DirectorStats>();
  private readonly listeners = new Set<(u: StatsUpdate) => void>();
  private completed: RollupRow[] = [];
  readonly ringCapacity: number;
  readonly bucketMs: number;

  constructor(opts: StatsStoreOptions = {}) {
    this.ringCapacity = opts.ringCapacity ?? 900;
    this.bucketMs = opts.bucketMs ?? MINUTE_MS;
  }

  onUpdate(listener: (u: StatsUpdate) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Takes one agent snapshot: rings, rollers, latest; returns and announces the changed services. */
  record(directorId: string, snapshot: StatsSnapshot): StatsUpdate {
    let d = this.directors.get(directorId);
    if (!d) {
      d = { snapshot, prev: new Map(), series: new Map() };
      this.directors.set(directorId, d);
    }
    const at = snapshot.at;
    const changed: LiveService[] = [];
    const seen = new Set<string>();
    for (const s of snapshot.services) {
      const key = serviceKeyString(s.key);
      seen.add(key);
      let svcActive = 0;
      let svcInact = 0;
      const prev = d.prev.get(key);
      const destMap = new Map<string, DestinationStats>();
      const changedDests: DestinationStats[] = [];
      for (const dest of s.destinations) {
        const dk = destinationKeyString(dest);
        destMap.set(dk, dest);
        svcActive += dest.activeConns;
        svcInact += dest.inactConns;
        this.sample(d, directorId, key, dk, at, dest, dest.activeConns, dest.inactConns);
        const before = prev?.dests.get(dk);
        if (!before || !sameDest(before, dest)) changedDests.push(dest);
      }
      this.sample(d, directorId, key, "", at, s, svcActive, svcInact);
      const removed = prev ? [...prev.dests.keys()].filter((k) => !destMap.has(k)) : [];
      if (!prev || changedDests.length || removed.length || !sameCounters(prev.svc.counters, s.counters) || !sameRates(prev.svc.rates, s.rates)) {
        changed.push(toLiveService(s, changedDests, removed));
      }
      d.prev.set(key, { svc: s, dests: destMap });
    }
    for (const key of [...d.prev.keys()]) if (!seen.has(key)) d.prev.delete(key);
    d.snapshot = snapshot;
    const update = { directorId, at, changed };
    for (const l of this.listeners) l(update);
    return update;
  }

  private sample(d: DirectorStats, directorId: string, serviceKey: string, destKey: string, at: number, x: ServiceStats | DestinationStats, active: number, inact: number): void {
    const id = seriesId(serviceKey, destKey);
    let s = d.series.get(id);
    if (!s) {
      s = { ring: new PointRing(this.ringCapacity), roller: new MinuteRoller(this.bucketMs) };
      d.series.set(id, s);
    }
    s.ring.push(toPoint(at, x, active, inact));
    for (const rollup of s.roller.add({ at, counters: x.counters, activeConns: active, inactConns: inact })) {
      this.completed.push({ directorId, serviceKey, destKey, rollup });
    }
  }

  latest(directorId: string): StatsSnapshot | null {
    return this.directors.get(directorId)?.snapshot ?? null;
  }

  directorIds(): string[] {
    return [...this.directors.keys()];
  }

  /** ring points of one series with from <= at < to (at most `max`, newest kept) */
  points(directorId: string, serviceKey: string, destKey: string, from: number, to: number, max?: number): Point[] {
    return this.directors.get(directorId)?.series.get(seriesId(serviceKey, destKey))?.ring.range(from, to, max) ?? [];
  }

  /** the oldest ring point of a series, or null */
  oldest(directorId: string, serviceKey: string, destKey: string): number | null {
    return this.directors.get(directorId)?.series.get(seriesId(serviceKey, destKey))?.ring.oldest() ?? null;
  }

  /** the rollup bucket in progress for a series (not yet written) */
  current(directorId: string, serviceKey: string, destKey: string): Rollup | null {
    return this.directors.get(directorId)?.series.get(seriesId(serviceKey, destKey))?.roller.peek() ?? null;
  }

  /** every series of a director as [serviceKey, destKey] */
  seriesOf(directorId: string): Array<[string, string]> {
    const d = this.directors.get(directorId);
    return d ? [...d.series.keys()].map((k) => k.split("\u0000") as [string, string]) : [];
  }

  /** completed rollups since the last call */
  takeRollups(): RollupRow[] {
    const out = this.completed;
    this.completed = [];
    return out;
  }

  /** how many completed rollups wait for the writer */
  get pendingRollups(): number {
    return this.completed.length;
  }

  /**
   * The agent went away: close its buckets in progress (so the writer stores them) and drop the
   * latest snapshot; rings stay for history. A reconnecting agent starts new baselines.
   */
  closeDirector(directorId: string): void {
    const d = this.directors.get(directorId);
    if (!d) return;
    for (const [id, s] of d.series) {
      const [serviceKey, destKey] = id.split("\u0000") as [string, string];
      for (const rollup of s.roller.flush()) this.completed.push({ directorId, serviceKey, destKey, rollup });
      s.roller = new MinuteRoller(this.bucketMs);
    }
    d.prev.clear();
    d.snapshot = null;
  }

  /** at shutdown: close every bucket in progress (they wait in `takeRollups()`) */
  closeAll(): void {
    for (const id of this.directors.keys()) this.closeDirector(id);
  }
}
