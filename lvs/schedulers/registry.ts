/**
 * Schedulers registered by their ipvsadm name, like `register_ip_vs_scheduler` (ip_vs_sched.c):
 * registering a name twice is an error, and creating an unknown name fails with the kernel's message.
 */
import type { SchedulerName } from "../model.ts";
import type { Scheduler, SchedulerDestination } from "./scheduler.ts";
import { createRoundRobin } from "./rr.ts";
import { createWeightedRoundRobin } from "./wrr.ts";
import { createLeastConnection } from "./lc.ts";
import { createWeightedLeastConnection } from "./wlc.ts";
import { createLocalityLeastConnection } from "./lblc.ts";
import { createLocalityLeastConnectionReplicated } from "./lblcr.ts";
import { createDestinationHashing } from "./dh.ts";
import { createSourceHashing } from "./sh.ts";
import { createShortestExpectedDelay } from "./sed.ts";
import { createNeverQueue } from "./nq.ts";
import { createWeightedFailover } from "./fo.ts";
import { createOverflow } from "./ovf.ts";
import { createMaglevHashing } from "./mh.ts";
import { createTwoChoices } from "./twos.ts";

export type SchedulerFactory = <D extends SchedulerDestination>() => Scheduler<D>;

export const SCHEDULER_ERROR_CODES = {
  duplicate: "duplicate",
  unknown: "unknown",
} as const;
export type SchedulerErrorCode = keyof typeof SCHEDULER_ERROR_CODES;

export class SchedulerError extends Error {
  constructor(
    readonly code: SchedulerErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "SchedulerError";
  }
}

export class SchedulerRegistry {
  readonly #factories = new Map<string, SchedulerFactory>();

  register(name: SchedulerName, factory: SchedulerFactory): void {
    if (this.#factories.has(name)) {
      throw new SchedulerError("duplicate", `scheduler "${name}" is already registered`);
    }
    this.#factories.set(name, factory);
  }

  has(name: string): boolean {
    return this.#factories.has(name);
  }

  names(): string[] {
    return [...this.#factories.keys()];
  }

  /** A fresh instance for one service; unknown names fail like the kernel (ENOENT). */
  create<D extends SchedulerDestination>(name: string): Scheduler<D> {
    const factory = this.#factories.get(name);
    if (!factory) {
      throw new SchedulerError("unknown", `scheduler "${name}": Scheduler or persistence engine not found`);
    }
    return factory<D>();
  }
}

export function createDefaultRegistry(): SchedulerRegistry {
  const r = new SchedulerRegistry();
  r.register("rr", createRoundRobin);
  r.register("wrr", createWeightedRoundRobin);
  r.register("lc", createLeastConnection);
  r.register("wlc", createWeightedLeastConnection);
  r.register("lblc", () => createLocalityLeastConnection());
  r.register("lblcr", () => createLocalityLeastConnectionReplicated());
  r.register("dh", createDestinationHashing);
  r.register("sh", createSourceHashing);
  r.register("sed", createShortestExpectedDelay);
  r.register("nq", createNeverQueue);
  r.register("fo", createWeightedFailover);
  r.register("ovf", createOverflow);
  r.register("mh", createMaglevHashing);
  r.register("twos", createTwoChoices);
  return r;
}

/** The registry with every kernel scheduler. */
export const schedulers: SchedulerRegistry = createDefaultRegistry();
