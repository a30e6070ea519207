import type { Logger } from "../log.ts";
import { eventChannels, type EventChannel, type EventPayload } from "./channels.ts";
import type { EventBus } from "./EventBus.ts";
import { LocalSubscribers } from "./LocalSubscribers.ts";

/** In-process bus (PGlite: one process per data dir, so there is nobody else to tell). */
export class MemoryEventBus implements EventBus {
  readonly kind = "memory" as const;
  private readonly subs: LocalSubscribers;

  constructor(log: Logger) {
    this.subs = new LocalSubscribers(log);
  }

  async publish<C extends EventChannel>(channel: C, payload: EventPayload<C>): Promise<void> {
    const data = eventChannels[channel].parse(payload);
    // async like the PostgreSQL bus: handlers never run inside the publisher's call stack
    const copy = JSON.parse(JSON.stringify(data));
    setImmediate(() => this.subs.deliver(channel, copy));
  }

  subscribe: EventBus["subscribe"] = (channel, handler) => this.subs.add(channel, handler);
  onResync(handler: () => void): () => void {
    return this.subs.addResync(handler);
  }
  async ready(): Promise<void> {}
  async close(): Promise<void> {
    this.subs.clear();
  }
}
