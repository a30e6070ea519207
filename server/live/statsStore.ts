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
import { serviceKeyString } from "../../lvs/tableKey.ts";
import type { LiveService } from "../../lvs/protocol/live.ts";

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

interface DestState {
  series: Series;
  prev: DestinationStats | null;
  /** the snapshot `at` that last saw this destination (removal detection) */
  seen: number;
}

interface ServiceState {
  total: Series;
  prev: ServiceStats | null;
  dests: Map<string, DestState>;
  seen: number;
}

interface DirectorStats {
  /** null while the agent is away */
  snapshot: StatsSnapshot | null;
  services: Map<string, ServiceState>;
}

export interface StatsStoreOptions {
  /** points kept per series (1 Hz: 900 = 15 min) */
  ringCapacity?: number;
  /** rollup bucket (default one minute) */
  bucketMs?: number;
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
  const out: LiveService = { key: serviceKeyString(s.key), counters: s.counters, rates: s.rates, destinations: dests as DestinationStats[] };
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

  /**
   * Takes one agent snapshot: rings, rollers, latest; returns and announces the changed services.
   * `rollup: false` for a snapshot relayed from the instance that holds the agent (it writes the
   * rollups; this instance only keeps the rings and the latest values for its browsers).
   */
  record(directorId: string, snapshot: StatsSnapshot, o: { rollup?: boolean } = {}): StatsUpdate {
    const rollup = o.rollup ?? true;
    let d = this.directors.get(directorId);
    if (!d) {
      d = { snapshot, services: new Map() };
      this.directors.set(directorId, d);
    }
    const at = snapshot.at;
    const changed: LiveService[] = [];
    for (const s of snapshot.services) {
      const key = serviceKeyString(s.key);
      let svc = d.services.get(key);
      if (!svc) {
        svc = { total: this.newSeries(), prev: null, dests: new Map(), seen: at };
        d.services.set(key, svc);
      }
      svc.seen = at;
      let svcActive = 0;
      let svcInact = 0;
      const changedDests: DestinationStats[] = [];
      for (const dest of s.destinations) {
        const dk = `${dest.address}|${dest.port}`;
        let ds = svc.dests.get(dk);
        if (!ds) {
          ds = { series: this.newSeries(), prev: null, seen: at };
          svc.dests.set(dk, ds);
        }
        ds.seen = at;
        svcActive += dest.activeConns;
        svcInact += dest.inactConns;
        this.sample(ds.series, directorId, key, dk, at, dest, dest.activeConns, dest.inactConns, rollup);
        if (!ds.prev || !sameDest(ds.prev, dest)) changedDests.push(dest);
        ds.prev = dest;
      }
      this.sample(svc.total, directorId, key, "", at, s, svcActive, svcInact, rollup);
      let removed: string[] | undefined;
      if (svc.dests.size > s.destinations.length) {
        for (const [dk, ds] of svc.dests) {
          if (ds.seen === at) continue;
          if (ds.prev) (removed ??= []).push(dk);
          ds.prev = null; // stays for its ring (history); reported removed once
        }
      }
      if (!svc.prev || changedDests.length || removed || !sameCounters(svc.prev.counters, s.counters) || !sameRates(svc.prev.rates, s.rates)) {
        changed.push(toLiveService(s, changedDests, removed));
      }
      svc.prev = s;
    }
    for (const svc of d.services.values()) if (svc.seen !== at) svc.prev = null;
    d.snapshot = snapshot;
    const update = { directorId, at, changed };
    for (const l of this.listeners) l(update);
    return update;
  }

  private newSeries(): Series {
    return { ring: new PointRing(this.ringCapacity), roller: new MinuteRoller(this.bucketMs) };
  }

  private sample(s: Series, directorId: string, serviceKey: string, destKey: string, at: number, x: ServiceStats | DestinationStats, active: number, inact: number, rollup: boolean): void {
    s.ring.pushRates(at, x.rates, active, inact);
    if (!rollup) return;
    const done = s.roller.add({ at, counters: x.counters, activeConns: active, inactConns: inact });
    for (const rollup of done) this.completed.push({ directorId, serviceKey, destKey, rollup });
  }

  private series(directorId: string, serviceKey: string, destKey: string): Series | undefined {
    const svc = this.directors.get(directorId)?.services.get(serviceKey);
    return destKey === "" ? svc?.total : svc?.dests.get(destKey)?.series;
  }

  latest(directorId: string): StatsSnapshot | null {
    return this.directors.get(directorId)?.snapshot ?? null;
  }

  directorIds(): string[] {
    return [...this.directors.keys()];
  }

  /** ring points of one series with from <= at < to (at most `max`, newest kept) */
  points(directorId: string, serviceKey: string, destKey: string, from: number, to: number, max?: number): Point[] {
    return this.series(directorId, serviceKey, destKey)?.ring.range(from, to, max) ?? [];
  }

  /** the oldest ring point of a series, or null */
  oldest(directorId: string, serviceKey: string, destKey: string): number | null {
    return this.series(directorId, serviceKey, destKey)?.ring.oldest() ?? null;
  }

  /** the rollup bucket in progress for a series (not yet written) */
  current(directorId: string, serviceKey: string, destKey: string): Rollup | null {
    return this.series(directorId, serviceKey, destKey)?.roller.peek() ?? null;
  }

  /** every series of a director as [serviceKey, destKey] */
  seriesOf(directorId: string): Array<[string, string]> {
    const out: Array<[string, string]> = [];
    for (const [k, svc] of this.directors.get(directorId)?.services ?? []) {
      out.push([k, ""]);
      for (const dk of svc.dests.keys()) out.push([k, dk]);
    }
    return out;
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
    const close = (serviceKey: string, destKey: string, x: Series) => {
      for (const rollup of x.roller.flush()) this.completed.push({ directorId, serviceKey, destKey, rollup });
      x.roller = new MinuteRoller(this.bucketMs);
    };
    for (const [key, svc] of d.services) {
      close(key, "", svc.total);
      svc.prev = null;
      for (const [dk, ds] of svc.dests) {
        close(key, dk, ds.series);
        ds.prev = null;
      }
    }
    d.snapshot = null;
  }

  /** at shutdown: close every bucket in progress (they wait in `takeRollups()`) */
  closeAll(): void {
    for (const id of this.directors.keys()) this.closeDirector(id);
  }
}
