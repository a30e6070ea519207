/**
 * EventBus over PostgreSQL LISTEN/NOTIFY: one dedicated connection LISTENs on a single PostgreSQL
 * channel; NOTIFY goes through the shared pool. Envelope: {"c": channel, "p": payload}. The listening
 * connection reconnects with bounded backoff and fires onResync afterwards.
 */
import pg from "pg";
import type { Logger } from "../log.ts";
import { eventChannels, MAX_EVENT_BYTES, type EventChannel, type EventPayload } from "./channels.ts";
import { EventTooLargeError, type EventBus } from "./EventBus.ts";
import { LocalSubscribers } from "./LocalSubscribers.ts";

export const PG_EVENT_CHANNEL = "lvs_events";

export interface PgEventBusOptions {
  url: string;
  /** for NOTIFY; a private one is created when omitted */
  pool?: pg.Pool;
  log: Logger;
  /** PostgreSQL channel name (tests use their own to stay apart) */
  pgChannel?: string;
  /** reconnect backoff bounds in ms */
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

/** validate and serialize one event; throws EventTooLargeError over `maxBytes` (NOTIFY's limit) */
export function encodeEvent<C extends EventChannel>(channel: C, payload: EventPayload<C>, maxBytes = MAX_EVENT_BYTES): string {
  const text = JSON.stringify({ c: channel, p: eventChannels[channel].parse(payload) });
  const bytes = Buffer.byteLength(text, "utf8");
  if (bytes > maxBytes) throw new EventTooLargeError(`event ${channel} is ${bytes} bytes; the limit is ${maxBytes}: send ids, not documents`);
  return text;
}

export class PgEventBus implements EventBus {
  readonly kind = "postgres" as const;
  private readonly subs: LocalSubscribers;
  private readonly pool: pg.Pool;
  private readonly ownPool: boolean;
  private readonly pgChannel: string;
  private client: pg.Client | null = null;
  private closed = false;
  private backoff: number;
  private timer: NodeJS.Timeout | null = null;
  private readyPromise: Promise<void>;
  private resolveReady!: () => void;
  private connectedOnce = false;

  constructor(private readonly opts: PgEventBusOptions) {
    this.subs = new LocalSubscribers(opts.log);
    this.ownPool = !opts.pool;
    this.pool = opts.pool ?? new pg.Pool({ connectionString: opts.url, max: 2 });
    this.pgChannel = opts.pgChannel ?? PG_EVENT_CHANNEL;
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(this.pgChannel)) throw new Error(`invalid PostgreSQL channel name ${this.pgChannel}`);
    this.backoff = opts.minBackoffMs ?? 100;
    this.readyPromise = new Promise((r) => (this.resolveReady = r));
    void this.connect();
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    const client = new pg.Client({ connectionString: this.opts.url });
    let failed = false;
    const onLost = (err?: Error) => {
      if (failed) return;
      failed = true;
      if (this.client === client) this.client = null;
      client.removeAllListeners("notification");
      client.end().catch(() => {});
      if (this.closed) return;
      this.opts.log.warn({ err: err?.message, retryInMs: this.backoff }, "event bus connection lost; reconnecting");
      this.timer = setTimeout(() => void this.connect(), this.backoff);
      this.backoff = Math.min(this.backoff * 2, this.opts.maxBackoffMs ?? 5000);
    };
    client.on("error", onLost);
    client.on("end", () => onLost());
    client.on("notification", (msg) => {
      if (msg.channel !== this.pgChannel || !msg.payload) return;
      let env: { c?: unknown; p?: unknown };
      try {
        env = JSON.parse(msg.payload);
      } catch {
        return this.opts.log.warn("unparseable event dropped");
      }
      if (typeof env.c === "string") this.subs.deliver(env.c, env.p);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${this.pgChannel}`);
    } catch (err) {
      onLost(err as Error);
      return;
    }
    if (this.closed || failed) {
      await client.end().catch(() => {});
      return;
    }
    this.client = client;
    this.backoff = this.opts.minBackoffMs ?? 100;
    if (this.connectedOnce) this.subs.fireResync();
    this.connectedOnce = true;
    this.resolveReady();
  }

  async publish<C extends EventChannel>(channel: C, payload: EventPayload<C>): Promise<void> {
    await this.pool.query("SELECT pg_notify($1, $2)", [this.pgChannel, encodeEvent(channel, payload)]);
  }

  subscribe: EventBus["subscribe"] = (channel, handler) => this.subs.add(channel, handler);
  onResync(handler: () => void): () => void {
    return this.subs.addResync(handler);
  }
  ready(): Promise<void> {
    return this.readyPromise;
  }

  /** test hook: drop the listening connection as a network failure would */
  simulateConnectionLoss(): void {
    this.client?.emit("error", new Error("simulated connection loss"));
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    const c = this.client;
    this.client = null;
    if (c) await c.end().catch(() => {});
    if (this.ownPool) await this.pool.end().catch(() => {});
    this.subs.clear();
    this.resolveReady();
  }
}
