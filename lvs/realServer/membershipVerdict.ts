/**
 * What the console shows per membership once agents report: verified ✓ (every check of the
 * membership passes on its real server and on its directors), failing ✗ (the failing checks named,
 * with what was observed), or unknown (no agent, no report yet, or the report predates the
 * membership). And which steps of the packet path a failing check breaks, per forwarding mode.
 * Pure.
 */
import type { HostCheck } from "./hostChecks.ts";

export type VerdictState = "verified" | "failing" | "unknown";

export interface ReportLike {
  checks: HostCheck[];
  errors: string[];
  revision: number | null;
  at: number;
}

export interface CheckOf extends HostCheck {
  /** where the check ran */
  on: "realServer" | "director";
  /** the director's name when on a director */
  host?: string;
}

export interface MembershipVerdict {
  state: VerdictState;
  checks: CheckOf[];
  failing: CheckOf[];
  /** why unknown: "no-agent" | "no-report" | "not-in-report" */
  reason: "no-agent" | "no-report" | "not-in-report" | null;
}

export function membershipVerdict(
  membershipId: string,
  realServer: { hasAgent: boolean; report: ReportLike | null },
  directors: ReadonlyArray<{ name: string; checks: HostCheck[] }> = [],
): MembershipVerdict {
  const dirChecks: CheckOf[] = directors.flatMap((d) => d.checks.filter((c) => c.memberships.includes(membershipId)).map((c) => ({ ...c, on: "director" as const, host: d.name })));
  if (!realServer.hasAgent || !realServer.report) {
    const failing = dirChecks.filter((c) => !c.ok);
    return { state: failing.length ? "failing" : "unknown", checks: dirChecks, failing, reason: realServer.hasAgent ? "no-report" : "no-agent" };
  }
  const rsChecks: CheckOf[] = realServer.report.checks.filter((c) => c.memberships.includes(membershipId)).map((c) => ({ ...c, on: "realServer" as const }));
  const checks = [...rsChecks, ...dirChecks];
  const failing = checks.filter((c) => !c.ok);
  if (failing.length) return { state: "failing", checks, failing, reason: null };
  if (rsChecks.length === 0) return { state: "unknown", checks, failing, reason: "not-in-report" };
  return { state: "verified", checks, failing, reason: null };
}

/**
 * The validation issues that only repeat what the operator declared about a host (VIP on lo,
 * ARP suppressed, VIP on tunl0, gateway) and that a real-server agent's report replaces with
 * observed facts: the console hides these for a real server whose agent has reported.
 */
export const DECLARED_HOST_ISSUES = new Set(["dr.vip-not-on-loopback", "dr.arp-not-suppressed", "tun.vip-not-on-tunnel", "nat.gateway-not-director"]);

export function withoutVerifiedHostIssues<T extends { code: string; objectId?: string | null }>(issues: readonly T[], reportedRealServers: ReadonlySet<string>): T[] {
  if (reportedRealServers.size === 0) return issues as T[];
  return issues.filter((i) => !(DECLARED_HOST_ISSUES.has(i.code) && i.objectId != null && reportedRealServers.has(i.objectId)));
}

/**
 * The packet-path hops (indexes of lvs packetPath's hops) a failing check breaks:
 *  NAT: 0 client→director, 1 director→RS, 2 RS→director (reply), 3 director→client
 *  DR/TUN: 0 client→director, 1 director→RS, 2 RS→client
 */
export function hopsOfCheck(mode: "nat" | "dr" | "tun" | "fullnat", c: Pick<CheckOf, "id" | "on">): number[] {
  const id = c.id;
  if (c.on === "director") {
    if (/^sysctl net\.ipv[46]\.(ip_forward|conf\.all\.forwarding)$/.test(id)) return mode === "nat" ? [2, 3] : [];
    if (/^address \* /.test(id)) return [0]; // the VIP on the director
    if (/^address /.test(id)) return [1]; // a DIP
    if (/^module /.test(id)) return [0, 1];
    return [1];
  }
  if (/^route /.test(id)) return mode === "nat" ? [2] : [];
  if (/^sysctl .*arp_(ignore|announce)$/.test(id)) return [0]; // the RS answers ARP for the VIP: requests bypass the director
  if (/^address lo /.test(id)) return mode === "dr" ? [1, 2] : [];
  if (/^(module|link|fou|sysctl .*rp_filter)/.test(id)) return mode === "tun" ? [1] : [];
  if (/^address /.test(id)) return mode === "tun" ? [1, 2] : [];
  return [];
}

/** For each hop index: the failing checks that break it. */
export function failingHops(mode: "nat" | "dr" | "tun" | "fullnat", failing: readonly CheckOf[]): Map<number, CheckOf[]> {
  const out = new Map<number, CheckOf[]>();
  for (const c of failing) for (const h of hopsOfCheck(mode, c)) out.set(h, [...(out.get(h) ?? []), c]);
  return out;
}

/** Per membership id, from every real-server report: ✗ when any of its checks fails, else ✓ (for the canvas edges). */
export function membershipMarks(reports: ReadonlyArray<Pick<ReportLike, "checks">>): Map<string, "verified" | "failing"> {
  const out = new Map<string, "verified" | "failing">();
  for (const r of reports) for (const c of r.checks) for (const m of c.memberships) {
    if (!c.ok) out.set(m, "failing");
    else if (!out.has(m)) out.set(m, "verified");
  }
  return out;
}
