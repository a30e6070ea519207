/**
 * validate(): the LVS rules of a topology, as Issue[] (never throws). validateTable(): the same
 * service/destination rules for one director's IpvsTable. Codes and severities: issues.ts.
 * Rule files: validate/serviceRules.ts, destinationRules.ts, methodRules.ts, topologyRules.ts, tableRules.ts.
 */
import { ipvsTableSchema, topologySchema } from "./schemas.ts";
import type { IpvsTable, Topology } from "./model.ts";
import { makeIssue, type Issue } from "./issues.ts";
import { schemaIssues } from "./validate/schemaIssues.ts";
import { topologyRules } from "./validate/topologyRules.ts";
import { tableRules } from "./validate/tableRules.ts";

function dedupe(issues: Issue[]): Issue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const k = `${i.code}\u0000${i.path.join("\u0000")}\u0000${i.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function guard(run: () => Issue[]): Issue[] {
  try {
    return dedupe(run());
  } catch (e) {
    // A rule bug must not take the editor down; report it as an issue instead.
    return [makeIssue("schema.invalid", { path: [], objectId: null }, [], `Validation failed internally: ${e instanceof Error ? e.message : String(e)}`)];
  }
}

/** Validates a topology (any input: structure first, then the LVS rules). */
export function validate(topology: Topology): Issue[] {
  return guard(() => {
    const parsed = topologySchema.safeParse(topology as unknown);
    if (!parsed.success) return schemaIssues(parsed.error, topology);
    return topologyRules(parsed.data);
  });
}

/** Validates one director's IPVS table (imports, agent desired tables). */
export function validateTable(table: IpvsTable): Issue[] {
  return guard(() => {
    const parsed = ipvsTableSchema.safeParse(table as unknown);
    if (!parsed.success) return schemaIssues(parsed.error, table);
    return tableRules(parsed.data);
  });
}

export type { Issue, IssueCode, IssueSeverity } from "./issues.ts";
export { ISSUE_CODES } from "./issues.ts";
