/**
 * Availability from health transitions: MTBF, MTTR and A = MTBF / (MTBF + MTTR).
 *
 * Over a range [from, to) a real server is up or down; its timeline is given by the state at `from`
 * and the transitions inside the range. Definitions (the usual reliability arithmetic):
 *   uptime, downtime = time spent up / down inside the range
 *   failures          = up → down transitions inside the range
 *   repairs           = down → up transitions inside the range
 *   MTBF = uptime / failures            (null when nothing failed: unbounded)
 *   MTTR = downtime / repairs           (an outage still open at `to` counts towards downtime; with
 *                                         no completed repair MTTR = downtime / failures, null if 0)
 *   A    = uptime / (uptime + downtime) (equals MTBF / (MTBF + MTTR) when failures = repairs)
 * Pure: times are numbers (ms), supplied by the caller.
 */

export type HealthState = "up" | "down";

export interface Transition {
  at: number;
  to: HealthState;
}

export interface Availability {
  from: number;
  to: number;
  uptimeMs: number;
  downtimeMs: number;
  failures: number;
  repairs: number;
  mtbfMs: number | null;
  mttrMs: number | null;
  /** 0..1 */
  availability: number;
  /** -log10(1 - A), e.g. 3 for 99.9 %; Infinity when never down */
  nines: number;
}

/** Availability of one timeline. Transitions may be unsorted and may lie outside the range. */
export function availability(
  initial: HealthState,
  transitions: readonly Transition[],
  from: number,
  to: number,
): Availability {
  if (!(to > from)) throw new RangeError(`availability: empty range [${from}, ${to})`);
  const sorted = [...transitions].sort((a, b) => a.at - b.at);
  let state = initial;
  // fold transitions before the range into the initial state
  for (const t of sorted) if (t.at <= from) state = t.to;
  let cursor = from;
  let up = 0;
  let down = 0;
  let failures = 0;
  let repairs = 0;
  for (const t of sorted) {
    if (t.at <= from || t.at >= to) continue;
    if (t.to === state) continue;
    const span = t.at - cursor;
    if (state === "up") up += span;
    else down += span;
    if (t.to === "down") failures++;
    else repairs++;
    state = t.to;
    cursor = t.at;
  }
  if (state === "up") up += to - cursor;
  else down += to - cursor;
  return summarise(from, to, up, down, failures, repairs);
}

function summarise(from: number, to: number, up: number, down: number, failures: number, repairs: number): Availability {
  const a = up / (up + down);
  const outages = repairs > 0 ? repairs : failures;
  return {
    from,
    to,
    uptimeMs: up,
    downtimeMs: down,
    failures,
    repairs,
    mtbfMs: failures > 0 ? up / failures : null,
    mttrMs: outages > 0 ? down / outages : down > 0 ? down : null,
    availability: a,
    nines: a >= 1 ? Infinity : -Math.log10(1 - a),
  };
}

/**
 * Availability of a service: up while at least `quorum` of its real servers are up (1 by default,
 * as keepalived's quorum). Each member timeline is (initial, transitions).
 */
export function serviceAvailability(
  members: readonly { initial: HealthState; transitions: readonly Transition[] }[],
  from: number,
  to: number,
  quorum = 1,
): Availability {
  const states = members.map((m) => {
    let s = m.initial;
    for (const t of m.transitions) if (t.at <= from) s = t.to;
    return s;
  });
  const events = members
    .flatMap((m, i) => m.transitions.filter((t) => t.at > from && t.at < to).map((t) => ({ ...t, i })))
    .sort((a, b) => a.at - b.at);
  const serviceState = (): HealthState => (states.filter((s) => s === "up").length >= quorum ? "up" : "down");
  const initial = serviceState();
  const merged: Transition[] = [];
  let current = initial;
  for (const e of events) {
    states[e.i] = e.to;
    const next = serviceState();
    if (next !== current) {
      merged.push({ at: e.at, to: next });
      current = next;
    }
  }
  return availability(initial, merged, from, to);
}

/** "99.95 %" style text with as many decimals as the nines need (at most 5). */
export function formatAvailability(a: number): string {
  if (a >= 1) return "100 %";
  const nines = Math.floor(-Math.log10(1 - a) + 1e-9);
  const decimals = Math.min(5, Math.max(2, nines));
  const pct = Math.floor(a * 100 * 10 ** decimals) / 10 ** decimals;
  return `${pct.toFixed(decimals)} %`;
}
