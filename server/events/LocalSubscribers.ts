import type { Logger } from "../log.ts";
import { eventChannels, isEventChannel, type EventChannel, type EventHandler } from "./channels.ts";

/** Handler bookkeeping shared by the bus implementations; a throwing handler never breaks the others. */
export class LocalSubscribers {
  private readonly handlers = new Map<EventChannel, Set<(p: unknown) => void>>();
  private readonly resync = new Set<() => void>();

  constructor(private readonly log: Logger) {}

  add<C extends EventChannel>(channel: C, handler: EventHandler<C>): () => void {
    let set = this.handlers.get(channel);
    if (!set) this.handlers.set(channel, (set = new Set()));
    const h = handler as (p: unknown) => void;
    set.add(h);
    return () => void set.delete(h);
  }

  addResync(handler: () => void): () => void {
    this.resync.add(handler);
    return () => void this.resync.delete(handler);
  }

  /** deliver an incoming (untrusted) payload: validated against the channel schema first */
  deliver(channel: string, payload: unknown): void {
    if (!isEventChannel(channel)) return this.log.warn({ channel }, "event on unknown channel dropped");
    const parsed = eventChannels[channel].safeParse(payload);
    if (!parsed.success) return this.log.warn({ channel, issues: parsed.error.issues }, "invalid event payload dropped");
    for (const h of [...(this.handlers.get(channel) ?? [])]) {
      try {
        h(parsed.data);
      } catch (err) {
        this.log.error({ err, channel }, "event handler threw");
      }
    }
  }

  fireResync(): void {
    for (const h of [...this.resync]) {
      try {
        h();
      } catch (err) {
        this.log.error({ err }, "resync handler threw");
      }
    }
  }

  clear(): void {
    this.handlers.clear();
    this.resync.clear();
  }
}
