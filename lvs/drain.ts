/**
 * Draining and slow start, as pure state transitions.
 *
 * Drain: the membership's weight goes to 0 (quiesced: no new connections, existing ones continue),
 * then the console follows ActiveConn and InActConn down to zero and calls it drained; a timeout ends
 * the wait ("timed-out": the operator may force), and "force" marks it drained at once.
 * Re-enable: the previous weight comes back, at once or ramped up in steps over a chosen time
 * (slow start), as a schedule of weights the control plane applies one by one.
 */

export type DrainStatus = "draining" | "drained" | "timed-out";

export interface DrainState {
  status: DrainStatus;
  startedAt: number;
  timeoutMs: number;
  /** weight before the drain, restored on re-enable */
  previousWeight: number;
  activeConns: number;
  inactConns: number;
  /** when the status last changed */
  since: number;
}

export function startDrain(previousWeight: number, now: number, timeoutMs: number): DrainState {
  if (!(timeoutMs > 0)) throw new RangeError("drain timeout must be positive");
  return { status: "draining", startedAt: now, timeoutMs, previousWeight, activeConns: NaN, inactConns: NaN, since: now };
}

/** Feed one observation of the destination's connection counts (from the agent's statistics). */
export function observeDrain(s: DrainState, activeConns: number, inactConns: number, now: number): DrainState {
  if (s.status === "drained") return s;
  const next = { ...s, activeConns, inactConns };
  if (activeConns === 0 && inactConns === 0) return { ...next, status: "drained", since: now };
  if (s.status === "draining" && now - s.startedAt >= s.timeoutMs) return { ...next, status: "timed-out", since: now };
  return next;
}

/** Without observations the timeout still ends the wait. */
export function tickDrain(s: DrainState, now: number): DrainState {
  if (s.status === "draining" && now - s.startedAt >= s.timeoutMs) return { ...s, status: "timed-out", since: now };
  return s;
}

export function forceDrained(s: DrainState, now: number): DrainState {
  return { ...s, status: "drained", since: now };
}

export interface RampStep {
  /** ms after the start of the ramp */
  offsetMs: number;
  weight: number;
}

/**
 * Slow start: `steps` weights rising linearly to `target` over `durationMs` (integer weights, each
 * at least 1 so the server takes traffic from the first step, strictly increasing where possible,
 * the last exactly `target`). steps = 1 or duration 0 restores at once.
 */
export function rampWeights(target: number, steps: number, durationMs: number): RampStep[] {
  if (!Number.isInteger(target) || target < 0 || target > 65535) throw new RangeError("weight must be 0..65535");
  if (!Number.isInteger(steps) || steps < 1) throw new RangeError("steps must be a positive integer");
  if (target <= 1 || steps === 1 || durationMs <= 0) return [{ offsetMs: 0, weight: target }];
  const n = Math.min(steps, target);
  const out: RampStep[] = [];
  for (let i = 1; i <= n; i++) {
    const weight = Math.max(1, Math.floor((target * i) / n));
    const offsetMs = Math.round((durationMs * (i - 1)) / (n - 1));
    if (out.length && out[out.length - 1]!.weight === weight) continue;
    out.push({ offsetMs, weight });
  }
  return out;
}
