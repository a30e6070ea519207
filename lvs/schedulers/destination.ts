/**
 * Destination bookkeeping with the kernel's exact overload semantics.
 *  - ip_vs_conn.c `ip_vs_bind_dest`: a new connection starts INACTIVE (`__ip_vs_update_dest` ORs
 *    IP_VS_CONN_F_INACTIVE into the dest's conn_flags); templates count as persistConns; then
 *    OVERLOAD is set when `active + inactive >= u_threshold` (u_threshold != 0).
 *  - `ip_vs_unbind_dest`: after decrementing, OVERLOAD is cleared when below l_threshold, or when
 *    `total * 4 < u_threshold * 3` if no l_threshold, or unconditionally if neither is set.
 *  - `__ip_vs_update_dest` (edit): OVERLOAD is cleared when the new u_threshold is 0 or higher than before.
 */
import type { SchedulerDestination } from "./scheduler.ts";
import { foldAddress } from "./hash.ts";
import type { AddressFamily } from "../model.ts";

export interface DestinationSettings {
  weight: number;
  upperThreshold: number;
  lowerThreshold: number;
}

export function createDestination(
  family: AddressFamily,
  address: string,
  port: number,
  settings: DestinationSettings,
): SchedulerDestination {
  return {
    address,
    port,
    fold: foldAddress(family, address),
    weight: settings.weight,
    lastWeight: settings.weight,
    activeConns: 0,
    inactConns: 0,
    persistConns: 0,
    upperThreshold: settings.upperThreshold,
    lowerThreshold: settings.lowerThreshold,
    overloaded: false,
    available: true,
  };
}

/** Edit (`-e`): weight, last_weight ("latest non-0 weight") and thresholds. */
export function updateDestination(d: SchedulerDestination, s: DestinationSettings): void {
  if (s.weight !== 0) d.lastWeight = s.weight;
  d.weight = s.weight;
  if (s.upperThreshold === 0 || s.upperThreshold > d.upperThreshold) d.overloaded = false;
  d.upperThreshold = s.upperThreshold;
  d.lowerThreshold = s.lowerThreshold;
}

function checkOverload(d: SchedulerDestination): void {
  if (d.upperThreshold !== 0 && d.activeConns + d.inactConns >= d.upperThreshold) d.overloaded = true;
}

/** A normal connection bound to the destination; it starts inactive like the kernel's. */
export function bindConnection(d: SchedulerDestination): void {
  d.inactConns++;
  checkOverload(d);
}

/** A persistence template bound to the destination. */
export function bindTemplate(d: SchedulerDestination): void {
  d.persistConns++;
  checkOverload(d);
}

/** A state change between ESTABLISHED (active) and any other state (inactive). */
export function setConnectionActive(d: SchedulerDestination, active: boolean): void {
  if (active) {
    d.activeConns++;
    d.inactConns--;
  } else {
    d.activeConns--;
    d.inactConns++;
  }
}

function checkUnderload(d: SchedulerDestination): void {
  const total = d.activeConns + d.inactConns;
  if (d.lowerThreshold !== 0) {
    if (total < d.lowerThreshold) d.overloaded = false;
  } else if (d.upperThreshold !== 0) {
    if (total * 4 < d.upperThreshold * 3) d.overloaded = false;
  } else {
    d.overloaded = false;
  }
}

/** The connection entry expired (left the table). */
export function unbindConnection(d: SchedulerDestination, active: boolean): void {
  if (active) d.activeConns--;
  else d.inactConns--;
  checkUnderload(d);
}

export function unbindTemplate(d: SchedulerDestination): void {
  d.persistConns--;
  checkUnderload(d);
}
