/**
 * Moves completed rollups from the StatsStore into the database every `flushMs`, and prunes rows
 * older than the retention every `pruneEveryMs`: rollups after `retentionMs`, health transitions
 * after `healthRetentionMs` (keeping each real server's latest, see RollupRepository.pruneHealth). One write at a time: while a write runs, new
 * rollups wait in the store (the store's queue is the backlog; `lagRows` reports it).
 */
import type { Logger } from "../log.ts";
import type { RollupRepository } from "./rollupRepository.ts";
import type { StatsStore } from "./statsStore.ts";

export interface RollupWriterOptions {
  store: StatsStore;
  repo: RollupRepository;
  log: Pick<Logger, "warn" | "info">;
  now: () => number;
  retentionMs: number;
  /** how long health transitions (availability history) are kept; default HEALTH_RETENTION_MS */
  healthRetentionMs?: number;
  flushMs?: number;
  pruneEveryMs?: number;
  /** several instances: only the leader prunes (every instance writes the rollups of its own agents) */
  isLeader?: () => boolean;
}

/** default health-transition retention: 400 days (availability over a year needs them) */
export const HEALTH_RETENTION_MS = 400 * 24 * 3600_000;

export class RollupWriter {
  private flushTimer: NodeJS.Timeout | null = null;
  private pruneTimer: NodeJS.Timeout | null = null;
  private running: Promise<void> = Promise.resolve();
  /** rows written since start, and the time spent writing them */
  written = 0;
  writeMs = 0;
  pruned = 0;
  prunedHealth = 0;

  constructor(private readonly o: RollupWriterOptions) {}

  start(): void {
    this.flushTimer = setInterval(() => void this.flush(), this.o.flushMs ?? 5000);
    this.flushTimer.unref();
    this.pruneTimer = setInterval(() => void this.prune(), this.o.pruneEveryMs ?? 10 * 60_000);
    this.pruneTimer.unref();
    void this.prune();
  }

  /** rows completed but not yet written */
  get lagRows(): number {
    return this.o.store.pendingRollups;
  }

  /** Writes what is completed now (serialised with any write in progress). */
  flush(): Promise<void> {
    this.running = this.running.then(async () => {
      const rows = this.o.store.takeRollups();
      if (!rows.length) return;
      const t0 = performance.now();
      try {
        this.written += await this.o.repo.write(rows);
      } catch (e) {
        this.o.log.warn({ err: (e as Error).message, rows: rows.length }, "writing stats rollups failed; rows dropped");
      }
      this.writeMs += performance.now() - t0;
    });
    return this.running;
  }

  /** Deletes rollups and health transitions older than their retentions (on the leading instance). */
  prune(): Promise<void> {
    this.running = this.running.then(async () => {
      if (this.o.isLeader && !this.o.isLeader()) return;
      try {
        const n = await this.o.repo.prune(this.o.now() - this.o.retentionMs);
        this.pruned += n;
        if (n) this.o.log.info({ rows: n, retentionHours: this.o.retentionMs / 3600_000 }, "pruned stats rollups");
      } catch (e) {
        this.o.log.warn({ err: (e as Error).message }, "pruning stats rollups failed");
      }
      const healthMs = this.o.healthRetentionMs ?? HEALTH_RETENTION_MS;
      try {
        const n = await this.o.repo.pruneHealth(this.o.now() - healthMs);
        this.prunedHealth += n;
        if (n) this.o.log.info({ rows: n, retentionDays: healthMs / 86_400_000 }, "pruned health transitions");
      } catch (e) {
        this.o.log.warn({ err: (e as Error).message }, "pruning health transitions failed");
      }
    });
    return this.running;
  }

  /** Stops the timers, closes every bucket in progress and writes it. */
  async close(): Promise<void> {
    if (this.flushTimer) clearInterval(this.flushTimer);
    if (this.pruneTimer) clearInterval(this.pruneTimer);
    this.o.store.closeAll();
    await this.flush();
  }
}
