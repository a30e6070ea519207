/** Helpers for scheduler tests and benchmarks: build destination lists in kernel order. */
import type { ScheduleContext, SchedulerDestination } from "./scheduler.ts";
import { createDestination } from "./destination.ts";

export interface DestSpec {
  address: string;
  port?: number;
  weight?: number;
  active?: number;
  inactive?: number;
  upper?: number;
  lower?: number;
}

/** Destinations in the order given, which callers treat as the kernel list order (head first). */
export function dests(specs: readonly DestSpec[]): SchedulerDestination[] {
  return specs.map((s) => {
    const d = createDestination(s.address.includes(":") ? "inet6" : "inet", s.address, s.port ?? 80, {
      weight: s.weight ?? 1,
      upperThreshold: s.upper ?? 0,
      lowerThreshold: s.lower ?? 0,
    });
    d.activeConns = s.active ?? 0;
    d.inactConns = s.inactive ?? 0;
    return d;
  });
}

export function context(
  list: readonly SchedulerDestination[],
  over: Partial<ScheduleContext> = {},
): ScheduleContext {
  return {
    destinations: list,
    clientAddress: "10.0.0.1",
    clientPort: 40000,
    clientFold: 0x0a000001,
    virtualAddress: "10.0.0.100",
    virtualFold: 0x0a000064,
    now: 0,
    random: () => 0,
    ...over,
  };
}
