/**
 * Availability of HA groups and their directors from VRRP history, split into planned and unplanned
 * downtime as the seed's first chapter does (A = MTBF / (MTBF + MTTR); planned downtime is
 * maintenance the operator chose, unplanned is failure).
 *
 * - A group (its VIPs) is down while none of its directors is MASTER. An outage is planned when it
 *   began while a director of the group was in maintenance (a planned switchover), else unplanned.
 * - A director is down while it is not in service (FAULT, STOP, or no keepalived: not MASTER/BACKUP);
 *   planned when that began inside one of its own maintenance windows.
 * Each split gets its own availability() (lvs/availability.ts): the planned figures count only planned
 * outages as downtime, the unplanned only unplanned ones, the total both.
 * Pure.
 */
import { availability, type Availability, type Transition } from "../availability.ts";
import type { VrrpState } from "../protocol/ha.ts";

export interface VrrpEvent {
  directorId: string;
  groupId: string;
  at: number;
  to: VrrpState;
}

export interface MaintenanceWindow {
  directorId: string;
  from: number;
  /** null = still in maintenance */
  to: number | null;
}

export interface SplitAvailability {
  total: Availability;
  planned: Availability;
  unplanned: Availability;
  /** the outages, in order: [start, end) (end = range end when still open) */
  outages: Array<{ from: number; to: number; planned: boolean }>;
}

function split(outages: Array<{ from: number; to: number; planned: boolean }>, from: number, to: number): SplitAvailability {
  const timeline = (keep: (o: { planned: boolean }) => boolean): Transition[] =>
    outages.filter(keep).flatMap((o) => [{ at: o.from, to: "down" as const }, ...(o.to < to ? [{ at: o.to, to: "up" as const }] : [])]);
  const startsDown = (keep: (o: { planned: boolean }) => boolean) => outages.some((o) => keep(o) && o.from <= from);
  const make = (keep: (o: { planned: boolean }) => boolean) => availability(startsDown(keep) ? "down" : "up", timeline(keep).filter((t) => t.at > from), from, to);
  return { total: make(() => true), planned: make((o) => o.planned), unplanned: make((o) => !o.planned), outages };
}

const inWindow = (ws: readonly MaintenanceWindow[], directorIds: readonly string[], at: number) =>
  ws.some((w) => directorIds.includes(w.directorId) && w.from <= at && (w.to === null || at < w.to));

/** Outages of a predicate over time, from state-change events (events before `from` set the initial states). */
function outagesOf(events: readonly VrrpEvent[], from: number, to: number, up: (states: Map<string, VrrpState>) => boolean,
  planned: (at: number) => boolean): Array<{ from: number; to: number; planned: boolean }> {
  const sorted = [...events].sort((a, b) => a.at - b.at);
  const states = new Map<string, VrrpState>();
  let i = 0;
  for (; i < sorted.length && sorted[i]!.at <= from; i++) states.set(sorted[i]!.directorId, sorted[i]!.to);
  const out: Array<{ from: number; to: number; planned: boolean }> = [];
  let open: { from: number; planned: boolean } | null = up(states) ? null : { from, planned: planned(from) };
  for (; i < sorted.length && sorted[i]!.at < to; i++) {
    const e = sorted[i]!;
    states.set(e.directorId, e.to);
    const isUp = up(states);
    if (!isUp && !open) open = { from: e.at, planned: planned(e.at) };
    else if (isUp && open) { out.push({ ...open, to: e.at }); open = null; }
  }
  if (open) out.push({ ...open, to });
  return out;
}

/** A group is up while one of its directors is MASTER. `events` are the group's directors' transitions. */
export function groupAvailability(groupId: string, directorIds: readonly string[], events: readonly VrrpEvent[], windows: readonly MaintenanceWindow[], from: number, to: number): SplitAvailability {
  if (!(to > from)) throw new RangeError(`groupAvailability: empty range [${from}, ${to})`);
  const mine = events.filter((e) => e.groupId === groupId && directorIds.includes(e.directorId));
  // the instant a MASTER resigns and the next takes over can share a timestamp: order MASTER arrivals first
  const outages = outagesOf(mine, from, to, (s) => [...s.values()].some((v) => v === "MASTER"), (at) => inWindow(windows, directorIds, at));
  return split(outages, from, to);
}

/** A director is in service while MASTER or BACKUP (in any of its groups: it runs one keepalived). */
export function directorAvailability(directorId: string, events: readonly VrrpEvent[], windows: readonly MaintenanceWindow[], from: number, to: number): SplitAvailability {
  if (!(to > from)) throw new RangeError(`directorAvailability: empty range [${from}, ${to})`);
  const mine = events.filter((e) => e.directorId === directorId);
  const outages = outagesOf(mine, from, to, (s) => { const v = s.get(directorId); return v === undefined || v === "MASTER" || v === "BACKUP"; },
    (at) => inWindow(windows, [directorId], at));
  return split(outages, from, to);
}

/** Two or more MASTERs of one group at once (split brain): the directors, or [] */
export function splitBrain(states: ReadonlyArray<{ directorId: string; state: VrrpState }>): string[] {
  const masters = states.filter((s) => s.state === "MASTER").map((s) => s.directorId);
  return masters.length >= 2 ? masters : [];
}
