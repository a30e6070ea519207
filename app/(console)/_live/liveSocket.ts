/**
 * The browser's one `/api/live` socket: connects, (re)sends the current subscriptions on every
 * open, reconnects with capped exponential backoff and jitter after any close, and hands parsed
 * server messages to a listener. No React here; the store (liveStore.ts) consumes the messages.
 *
 * The WebSocket constructor, timers and randomness are injected so tests can drive it against a
 * real `ws` server with a fake clock.
 */

export type LiveStatus = "connecting" | "open" | "reconnecting" | "closed";

/** The subset of the WHATWG WebSocket the client uses (the `ws` package implements it too). */
export interface SocketLike {
  readonly readyState: number;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}
export type SocketFactory = (url: string) => SocketLike;

export interface LiveSocketOptions<Out, In> {
  url: string;
  /** parse one text frame; null = ignore (a message kind this client does not know) */
  parse: (text: string) => In | null;
  /** messages to send after every (re)open, e.g. the subscriptions with their resume points */
  onOpen: () => Out[];
  onMessage: (msg: In) => void;
  onStatus?: (status: LiveStatus, attempt: number) => void;
  socket?: SocketFactory;
  /** first retry delay and cap, ms (defaults 500 and 15 000) */
  minDelayMs?: number;
  maxDelayMs?: number;
  random?: () => number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
}

const OPEN = 1;

/** Delay before retry number `attempt` (0-based): base·2^attempt capped, then 50–100 % jitter. */
export function backoffDelay(attempt: number, minMs: number, maxMs: number, random: number): number {
  const raw = Math.min(maxMs, minMs * 2 ** Math.min(attempt, 30));
  return Math.round(raw * (0.5 + random / 2));
}

export class LiveSocket<Out, In> {
  private ws: SocketLike | null = null;
  private timer: unknown = null;
  private attempt = 0;
  private stopped = false;
  private status_: LiveStatus = "connecting";

  constructor(private readonly o: LiveSocketOptions<Out, In>) {}

  get status(): LiveStatus {
    return this.status_;
  }

  /** Retries since the last successful open. */
  get attempts(): number {
    return this.attempt;
  }

  start(): void {
    this.stopped = false;
    this.connect();
  }

  /** Send now if open; otherwise the message is dropped (subscriptions are re-sent by onOpen). */
  send(msg: Out): boolean {
    if (!this.ws || this.ws.readyState !== OPEN) return false;
    this.ws.send(JSON.stringify(msg));
    return true;
  }

  /** Drop the current socket and reconnect at once (e.g. the page came back online). */
  reconnectNow(): void {
    if (this.stopped) return;
    this.clearRetry();
    const old = this.ws;
    this.ws = null;
    if (old) this.detach(old, true);
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    this.clearRetry();
    const ws = this.ws;
    this.ws = null;
    if (ws) this.detach(ws, true);
    this.setStatus("closed");
  }

  private connect(): void {
    this.setStatus(this.attempt === 0 ? "connecting" : "reconnecting");
    const factory = this.o.socket ?? ((url: string) => new WebSocket(url) as unknown as SocketLike);
    let ws: SocketLike;
    try {
      ws = factory(this.o.url);
    } catch {
      this.scheduleRetry();
      return;
    }
    this.ws = ws;
    ws.onopen = () => {
      if (this.ws !== ws) return;
      this.attempt = 0;
      this.setStatus("open");
      for (const m of this.o.onOpen()) ws.send(JSON.stringify(m));
    };
    ws.onmessage = (ev) => {
      if (this.ws !== ws || typeof ev.data !== "string") return;
      const msg = this.o.parse(ev.data);
      if (msg !== null) this.o.onMessage(msg);
    };
    ws.onerror = () => {};
    ws.onclose = () => {
      if (this.ws !== ws) return;
      this.ws = null;
      if (!this.stopped) this.scheduleRetry();
    };
  }

  private detach(ws: SocketLike, close: boolean): void {
    ws.onopen = ws.onmessage = ws.onclose = null;
    ws.onerror = () => {};
    if (close) {
      try {
        ws.close(1000, "client closed");
      } catch {
        // closing a socket still CONNECTING throws in some engines; it is dropped either way
      }
    }
  }

  private scheduleRetry(): void {
    if (this.stopped) return;
    const delay = backoffDelay(this.attempt, this.o.minDelayMs ?? 500, this.o.maxDelayMs ?? 15_000, (this.o.random ?? Math.random)());
    this.attempt++;
    this.setStatus("reconnecting");
    const set = this.o.setTimer ?? ((fn: () => void, ms: number) => setTimeout(fn, ms));
    this.timer = set(() => {
      this.timer = null;
      if (!this.stopped) this.connect();
    }, delay);
  }

  private clearRetry(): void {
    if (this.timer === null) return;
    (this.o.clearTimer ?? ((h: unknown) => clearTimeout(h as ReturnType<typeof setTimeout>)))(this.timer);
    this.timer = null;
  }

  private setStatus(s: LiveStatus): void {
    this.status_ = s;
    this.o.onStatus?.(s, this.attempt);
  }
}
