/**
 * Live statistics across instances: the instance holding an agent's socket publishes every stats
 * snapshot (statsFrames: deflated, chunked under NOTIFY's 8000 bytes) on the PostgreSQL channel
 * `lvs_stats`; every other instance reassembles it and hands it to its live runtime as a remote
 * snapshot (rings and browsers, no rollups: the holder writes those). All chunks of one frame go out
 * in one statement (one transaction), so they arrive together and in order.
 * Why NOTIFY: see bench/RESULTS.md ("fan-out across instances") for the figures it was chosen with.
 */
import pg from "pg";
import type { StatsSnapshot } from "../../lvs/model.ts";
import type { Logger } from "../log.ts";
import { encodeFrame, FrameAssembler, type DecodedFrame } from "./statsFrames.ts";

export const STATS_CHANNEL = "lvs_stats";

export interface RelayCounters {
  published: number;
  received: number;
  /** incomplete frames or sequence gaps seen by this receiver */
  lost: number;
  publishFailed: number;
  /** snapshots replaced by a newer one of the same director before they could be sent */
  superseded: number;
}

export interface StatsRelay {
  /** sends one snapshot of a director whose agent this instance holds (fire and forget) */
  publish(directorId: string, snapshot: StatsSnapshot): void;
  /** snapshots of directors held by other instances */
  onRemote(listener: (directorId: string, snapshot: StatsSnapshot) => void): () => void;
  counters(): RelayCounters;
  close(): Promise<void>;
}

/** One instance: nobody to relay to. */
export class NoStatsRelay implements StatsRelay {
  publish(): void {}
  onRemote(): () => void {
    return () => {};
  }
  counters(): RelayCounters {
    return { published: 0, received: 0, lost: 0, publishFailed: 0, superseded: 0 };
  }
  async close(): Promise<void> {}
}

export interface PgStatsRelayOptions {
  url: string;
  pool: pg.Pool;
  instanceId: string;
  log: Pick<Logger, "warn" | "info">;
  channel?: string;
}

export class PgStatsRelay implements StatsRelay {
  private client: pg.Client | null = null;
  private closed = false;
  private readonly seq = new Map<string, number>();
  private readonly listeners = new Set<(directorId: string, snapshot: StatsSnapshot) => void>();
  private readonly assembler: FrameAssembler;
  private readonly channel: string;
  /** directors with a frame in flight, and the snapshot waiting behind it */
  private readonly inFlight = new Map<string, StatsSnapshot | null>();
  private published = 0;
  private publishFailed = 0;
  private superseded = 0;
  private retry: ReturnType<typeof setTimeout> | null = null;
  private lastLossLog = 0;

  constructor(private readonly o: PgStatsRelayOptions) {
    this.channel = o.channel ?? STATS_CHANNEL;
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(this.channel)) throw new Error(`invalid PostgreSQL channel name ${this.channel}`);
    this.assembler = new FrameAssembler((directorId, n, why) => {
      const now = Date.now();
      if (now - this.lastLossLog > 5000) {
        this.lastLossLog = now;
        o.log.warn({ directorId, frames: n, why, lostTotal: this.assembler.lost }, "stats frames from another instance lost");
      }
    });
  }

  /** resolves once this instance is listening */
  async start(): Promise<void> {
    const client = new pg.Client({ connectionString: this.o.url });
    client.on("notification", (msg) => {
      if (msg.channel !== this.channel || !msg.payload) return;
      // our own frames come back too: skip them before decoding
      if (msg.payload.startsWith(`${this.o.instanceId} `)) return;
      const frame: DecodedFrame | null = this.assembler.push(msg.payload);
      if (frame) for (const l of this.listeners) l(frame.directorId, frame.snapshot);
    });
    const lost = (err?: Error) => {
      if (this.client !== client) return;
      this.client = null;
      client.removeAllListeners("notification");
      client.end().catch(() => {});
      if (this.closed) return;
      this.o.log.warn({ err: err?.message }, "stats relay connection lost; reconnecting in 1 s");
      this.retry = setTimeout(() => void this.start().catch(() => lost()), 1000);
    };
    client.on("error", lost);
    client.on("end", () => lost());
    this.client = client;
    await client.connect();
    await client.query(`LISTEN ${this.channel}`);
  }

  publish(directorId: string, snapshot: StatsSnapshot): void {
    // one frame per director in flight; a newer snapshot waits behind it and replaces an older waiting
    // one (each is a whole snapshot, so the latest is all a receiver needs)
    if (this.inFlight.has(directorId)) {
      if (this.inFlight.get(directorId)) this.superseded++;
      this.inFlight.set(directorId, snapshot);
      return;
    }
    this.send(directorId, snapshot);
  }

  private send(directorId: string, snapshot: StatsSnapshot): void {
    const seq = (this.seq.get(directorId) ?? 0) + 1;
    this.seq.set(directorId, seq);
    const chunks = encodeFrame(this.o.instanceId, directorId, seq, snapshot);
    this.inFlight.set(directorId, null);
    this.o.pool.query("SELECT pg_notify($1, c) FROM unnest($2::text[]) AS t(c)", [this.channel, chunks])
      .then(() => { this.published++; }, (e: Error) => {
        this.publishFailed++;
        this.o.log.warn({ directorId, err: e.message }, "stats relay publish failed");
      })
      .finally(() => {
        const next = this.inFlight.get(directorId);
        this.inFlight.delete(directorId);
        if (next && !this.closed) this.send(directorId, next);
      });
  }

  onRemote(listener: (directorId: string, snapshot: StatsSnapshot) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  counters(): RelayCounters {
    return { published: this.published, received: this.assembler.frames, lost: this.assembler.lost, publishFailed: this.publishFailed, superseded: this.superseded };
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    const c = this.client;
    this.client = null;
    if (c) await c.end().catch(() => {});
    this.listeners.clear();
  }
}
