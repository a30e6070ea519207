import type { EventChannel, EventHandler, EventPayload } from "./channels.ts";

/**
 * Publish/subscribe between server instances. Delivery is at-most-once and best effort: after
 * `onResync` fires (a reconnect), subscribers should re-read state from the database.
 */
export interface EventBus {
  readonly kind: "memory" | "postgres";
  /** validates the payload (throws a ZodError / EventTooLargeError) and publishes it to every instance */
  publish<C extends EventChannel>(channel: C, payload: EventPayload<C>): Promise<void>;
  /** returns the unsubscribe function */
  subscribe<C extends EventChannel>(channel: C, handler: EventHandler<C>): () => void;
  /** called after the bus reconnected and events may have been missed */
  onResync(handler: () => void): () => void;
  /** resolves once events published from now on will be received */
  ready(): Promise<void>;
  close(): Promise<void>;
}

export class EventTooLargeError extends Error {
  override name = "EventTooLargeError";
}
