/**
 * Runs the health checks of a director: one probe loop per target, rise/fall counting, transitions
 * with timestamps. Clock and timers are injected so tests drive time themselves.
 * A target starts "up" (as keepalived does) so a new target does not pull working servers; after an
 * agent restart the states persisted in the state dir are restored instead (a server that was down
 * stays out until `rise` successes, instead of getting traffic for `fall` intervals).
 */
import type { HealthStateEntry, HealthTarget, HealthTransition } from "../../lvs/protocol/agent.ts";
import { endpointText } from "../../lvs/protocol/agent.ts";
import { agentServiceKeyText } from "../../lvs/tableKey.ts";
import type { CheckerRegistry } from "./checkers.ts";

export interface Clock {
  now(): number;
}
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}
export const realTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};
export const systemClock: Clock = { now: () => Date.now() };

export type TargetState = "up" | "down";

interface Running {
  target: HealthTarget;
  fingerprint: string;
  state: TargetState;
  successes: number;
  failures: number;
  timer: unknown;
  stopped: boolean;
  lastMessage: string;
}

export function targetKey(t: Pick<HealthTarget, "service" | "destination">): string {
  return `${agentServiceKeyText(t.service)} -> ${endpointText(t.destination)}`;
}

export interface HealthMonitorOptions {
  checkers: CheckerRegistry;
  clock: Clock;
  timers: Timers;
  onTransitions: (transitions: HealthTransition[]) => void;
}

export class HealthMonitor {
  private running = new Map<string, Running>();

  constructor(private readonly opts: HealthMonitorOptions) {}

  /**
   * Replace the set of targets; unchanged targets keep their state and counters. New targets start
   * "up" unless `initial` says otherwise (a restart restores the states it persisted).
   * Returns the keys of the targets that started now.
   */
  update(targets: HealthTarget[], initial?: (key: string) => TargetState | undefined): string[] {
    const started: string[] = [];
    const next = new Map<string, HealthTarget>();
    for (const t of targets) if (t.check.kind !== "none") next.set(targetKey(t), t);
    for (const [key, r] of this.running) {
      const t = next.get(key);
      if (!t || JSON.stringify(t) !== r.fingerprint) this.stopOne(key);
    }
    for (const [key, t] of next) {
      if (this.running.has(key)) continue;
      const r: Running = {
        target: t, fingerprint: JSON.stringify(t), state: initial?.(key) ?? "up", successes: 0, failures: 0,
        timer: null, stopped: false, lastMessage: "",
      };
      this.running.set(key, r);
      started.push(key);
      this.schedule(r, 0);
    }
    return started;
  }

  /** The current state of every checked target (all of them, or those of `keys`), for "health.state". */
  current(keys?: readonly string[]): HealthStateEntry[] {
    const out: HealthStateEntry[] = [];
    for (const key of keys ?? this.running.keys()) {
      const r = this.running.get(key);
      if (!r) continue;
      const t = r.target;
      out.push({
        service: t.service, destination: t.destination, realServerId: t.realServerId, serviceId: t.serviceId,
        state: r.state, message: r.lastMessage.slice(0, 1024),
      });
    }
    return out;
  }

  /** Current state by target key; targets without a check are not listed (they count as up). */
  states(): Map<string, TargetState> {
    const m = new Map<string, TargetState>();
    for (const [k, r] of this.running) m.set(k, r.state);
    return m;
  }

  isDown(key: string): boolean {
    return this.running.get(key)?.state === "down";
  }

  stop(): void {
    for (const key of [...this.running.keys()]) this.stopOne(key);
  }

  private stopOne(key: string): void {
    const r = this.running.get(key);
    if (!r) return;
    r.stopped = true;
    if (r.timer != null) this.opts.timers.clearTimeout(r.timer);
    this.running.delete(key);
  }

  private schedule(r: Running, delay: number): void {
    r.timer = this.opts.timers.setTimeout(() => void this.probe(r), delay);
  }

  private async probe(r: Running): Promise<void> {
    r.timer = null;
    if (r.stopped) return;
    const { check, destination } = r.target;
    const checker = this.opts.checkers[check.kind];
    const result = checker
      ? await checker.check(destination, check, check.timeoutMs).catch((e: unknown) => ({ ok: false, message: String(e) }))
      : { ok: false, message: `no checker for kind ${check.kind}` };
    if (r.stopped) return;
    r.lastMessage = result.message;
    if (result.ok) {
      r.successes++;
      r.failures = 0;
      if (r.state === "down" && r.successes >= check.rise) this.transition(r, "up", result.message);
    } else {
      r.failures++;
      r.successes = 0;
      if (r.state === "up" && r.failures >= check.fall) this.transition(r, "down", result.message);
    }
    this.schedule(r, check.intervalMs);
  }

  private transition(r: Running, to: TargetState, message: string): void {
    const from = r.state;
    r.state = to;
    const t = r.target;
    this.opts.onTransitions([{
      service: t.service, destination: t.destination, realServerId: t.realServerId, serviceId: t.serviceId,
      from, to, at: this.opts.clock.now(), message: message.slice(0, 1024),
    }]);
  }
}
