/**
 * Where a new document attaches an exec health check, or points one at another program or other
 * arguments, compared with the document it replaces. An exec check runs a program on every director
 * that serves the service, so only admins may make these changes; timing changes and removing a
 * check are ordinary edits. Objects are matched by id. Pure.
 */
import type { HealthCheck, Topology } from "./model.ts";

export interface ExecCheckChange {
  /** dotted path into the new document, e.g. "services.0.healthCheck" */
  path: string;
  check: string;
}

type Exec = Extract<HealthCheck, { kind: "exec" }>;
const execOf = (hc: HealthCheck | null | undefined): Exec | null => (hc && hc.kind === "exec" ? hc : null);
const same = (a: Exec, b: Exec) => a.check === b.check && a.args.length === b.args.length && a.args.every((x, i) => x === b.args[i]);

export function execCheckChanges(before: Topology | null, after: Topology): ExecCheckChange[] {
  const out: ExecCheckChange[] = [];
  const oldService = new Map(before?.services.map((s) => [s.id, execOf(s.healthCheck)]) ?? []);
  const oldMember = new Map(before?.memberships.map((m) => [m.id, execOf(m.healthCheck)]) ?? []);
  const visit = (path: string, now: Exec | null, was: Exec | null | undefined) => {
    if (now && !(was && same(now, was))) out.push({ path, check: now.check });
  };
  after.services.forEach((s, i) => visit(`services.${i}.healthCheck`, execOf(s.healthCheck), oldService.get(s.id)));
  after.memberships.forEach((m, i) => visit(`memberships.${i}.healthCheck`, execOf(m.healthCheck), oldMember.get(m.id)));
  return out;
}
