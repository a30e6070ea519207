/**
 * History of one series (a service total or one real server) for a range:
 *  - ranges that fit the in-memory ring (15 min by default) use the 1 s samples, with the part
 *    before the oldest sample (e.g. after a restart) filled from the minute rollups;
 *  - longer ranges use the minute rollups from the database plus the bucket in progress, merged
 *    into coarser buckets (bucketFor) so a 24 h chart gets <= maxPoints points.
 */
import { averagePoints, type Point } from "../../lvs/stats/pointRing.ts";
import { bucketFor, downsample, rollupRates, type Rollup } from "../../lvs/stats/rollup.ts";
import type { HistoryInput, HistoryResult } from "./liveApi.ts";
import type { RollupRepository } from "./rollupRepository.ts";
import type { StatsStore } from "./statsStore.ts";

export function rollupPoint(r: Rollup): Point {
  const rate = rollupRates(r);
  return { at: r.bucket, ...rate, activeConns: r.activeMax, inactConns: r.inactLast };
}

export async function historyQuery(store: StatsStore, repo: RollupRepository, input: HistoryInput): Promise<HistoryResult> {
  const { directorId, serviceKey, from, to, maxPoints } = input;
  const destKey = input.destination ?? "";
  const span = to - from;
  const bucketMs = store.bucketMs;
  const oldest = store.oldest(directorId, serviceKey, destKey);

  const rollups = async (a: number, b: number): Promise<Rollup[]> => {
    if (b <= a) return [];
    const stored: Rollup[] = await repo.read(directorId, serviceKey, destKey, a, b, bucketMs);
    const current = store.current(directorId, serviceKey, destKey);
    if (current && current.bucket >= a && current.bucket < b) stored.push(current);
    return stored;
  };

  if (span <= store.ringCapacity * 1000 && oldest !== null && oldest < to) {
    // rollup buckets that end before the first sample, then the samples
    const ringFrom = Math.max(from, oldest);
    const before = (await rollups(from, ringFrom)).filter((r) => r.bucket + r.bucketMs <= ringFrom);
    const samples = store.points(directorId, serviceKey, destKey, ringFrom, to);
    const step = Math.max(1000, Math.ceil(span / maxPoints / 1000) * 1000);
    const merged = downsample(before, bucketMs).map(rollupPoint);
    const points = [...merged, ...(step > 1000 ? averagePoints(samples, step) : samples)];
    return { from, to, stepMs: step, source: "samples", points: points.slice(-maxPoints) };
  }

  const step = Math.max(bucketMs, bucketFor(span, maxPoints));
  const rows = await rollups(from, to);
  const points = downsample(rows, step).map(rollupPoint);
  return { from, to, stepMs: step, source: "rollups", points: points.slice(-maxPoints) };
}
