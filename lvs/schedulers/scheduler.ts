/**
 * The scheduler plug-in contract, modelled on the kernel's `struct ip_vs_scheduler`
 * (include/net/ip_vs.h): one required `schedule`, optional lifecycle hooks.
 *
 * A scheduler instance belongs to one virtual service (the kernel's `svc->sched_data`).
 * The caller owns the destination list and keeps it in the kernel's order: `__ip_vs_update_dest`
 * adds with `list_add_rcu`, i.e. at the HEAD, so the most recently added destination comes first.
 * Pure: no clock, no randomness except what the context injects.
 */
import type { AddressFamily, SchedulerFlag, SchedulerName } from "../model.ts";

/** What a scheduler may read (and the overload logic may write) on one real server. */
export interface SchedulerDestination {
  readonly address: string;
  readonly port: number;
  /** `ntohl` of the address (IPv6: the XOR fold of its four words), for the hashing schedulers */
  readonly fold: number;
  /** current weight; 0 = quiesced */
  weight: number;
  /** the latest non-zero weight (`dest->last_weight`, used by mh so quiescing keeps the table) */
  lastWeight: number;
  activeConns: number;
  inactConns: number;
  persistConns: number;
  upperThreshold: number;
  lowerThreshold: number;
  /** IP_VS_DEST_F_OVERLOAD */
  overloaded: boolean;
  /** IP_VS_DEST_F_AVAILABLE: false once the destination left the service (kernel "trash") */
  available: boolean;
}

/** Per-decision input; the engine reuses one mutable object per service (no allocation per connection). */
export interface ScheduleContext<D extends SchedulerDestination = SchedulerDestination> {
  /** kernel list order: most recently added first */
  destinations: readonly D[];
  /** client (source) address and port, and the source fold for sh/mh */
  clientAddress: string;
  clientPort: number;
  clientFold: number;
  /** virtual (destination) address and its fold, for dh/lblc/lblcr */
  virtualAddress: string;
  virtualFold: number;
  /** injected clock, ms */
  now: number;
  /** injected randomness: a uniformly distributed unsigned 32-bit integer (prandom_u32) */
  random: () => number;
}

/** The service-level settings a scheduler may depend on. */
export interface SchedulerService {
  family: AddressFamily;
  flags: readonly SchedulerFlag[];
}

export type DestinationChangeKind = "add" | "del" | "upd";

export interface DestinationChange<D extends SchedulerDestination = SchedulerDestination> {
  kind: DestinationChangeKind;
  destination: D;
  /** index in the list before the change (del) or after it (add/upd) */
  index: number;
}

export interface Scheduler<D extends SchedulerDestination = SchedulerDestination> {
  readonly name: SchedulerName;
  /** which address the scheduler hashes, so callers fill `clientFold`/`virtualFold` only when needed */
  readonly hashes?: "source" | "destination";
  /** init_service: the service's settings and initial destination list */
  init?(service: SchedulerService, destinations: readonly D[]): void;
  /** add_dest / del_dest / upd_dest, called after the list changed; `destinations` is the new list */
  update?(destinations: readonly D[], change: DestinationChange<D>): void;
  /** periodic garbage collection of scheduler caches (lblc/lblcr), driven by the caller's clock */
  expire?(now: number): void;
  /** the decision; null = no destination available */
  schedule(ctx: ScheduleContext<D>): D | null;
}

/** `ip_vs_dest_conn_overhead`: active connections are weighted 256 times an inactive one. */
export function connOverhead(d: SchedulerDestination): number {
  return d.activeConns * 256 + d.inactConns;
}
