/**
 * Health checkers: one small interface, one file per protocol (Seesaw's healthcheck/core.go shape).
 * A checker probes one real server once and resolves; it never throws for a failed probe.
 */
import type { HealthCheck } from "../../lvs/model.ts";

export interface ProbeTarget {
  address: string;
  port: number;
}

export interface CheckResult {
  ok: boolean;
  /** short human text: "connected", "HTTP 503", "timeout after 1000 ms", "exit 1" */
  message: string;
}

export interface Checker {
  check(target: ProbeTarget, check: HealthCheck, timeoutMs: number): Promise<CheckResult>;
}

/** Port to probe: the check's own port, else the real server's. */
export function probePort(check: HealthCheck, target: ProbeTarget): number {
  return "port" in check && check.port != null ? check.port : target.port;
}

export function hostForUrl(address: string): string {
  return address.includes(":") ? `[${address}]` : address;
}
