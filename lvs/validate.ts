/**
 * validate(): the LVS rules of a topology, as Issue[] (never throws). validateTable(): the same
 * service/destination rules for one director's IpvsTable. Codes and severities: issues.ts.
 * Rule files: validate/serviceRules.ts, destinationRules.ts, methodRules.ts, topologyRules.ts, tableRules.ts.
 */
import { directorSchema, ipvsTableSchema, membershipSchema, realServerSchema, topologySchema, virtualServiceSchema } from "./schemas.ts";
import type { IpvsTable, Topology } from "./model.ts";
import { makeIssue, type Issue } from "./issues.ts";
import { schemaIssues } from "./validate/schemaIssues.ts";
import { topologyRules } from "./validate/topologyRules.ts";
import { tableRules } from "./validate/tableRules.ts";
import { isWellFormedTable } from "./validate/tableShape.ts";
import { haRules } from "./ha/haRules.ts";

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
    return [makeIssue("schema.invalid", { path: [], objectId: null }, [], `Validation failed internally: ${e instanceof Error ? e.message : String(e)}`, { variant: "internal", field: "document" })];
  }
}

/**
 * The structurally valid part of a document that failed the schema: every object that passes its own
 * schema, plus the ids of the ones that did not (they exist, so links to them are not "missing").
 */
function validPart(input: unknown): { topology: Topology; invalidIds: Set<string> } | null {
  if (typeof input !== "object" || input === null) return null;
  const raw = input as Record<string, unknown>;
  const invalidIds = new Set<string>();
  function keep<T>(list: unknown, schema: { safeParse(v: unknown): { success: true; data: T } | { success: false } }): T[] | null {
    if (!Array.isArray(list)) return null;
    const out: T[] = [];
    for (const item of list.slice(0, 50_000)) {
      const r = schema.safeParse(item);
      if (r.success) out.push(r.data);
      else if (typeof item === "object" && item !== null && typeof (item as { id?: unknown }).id === "string") invalidIds.add((item as { id: string }).id);
    }
    return out;
  }
  const directors = keep(raw.directors, directorSchema);
  const services = keep(raw.services, virtualServiceSchema);
  const realServers = keep(raw.realServers, realServerSchema);
  const memberships = keep(raw.memberships, membershipSchema);
  if (!directors || !services || !realServers || !memberships) return null;
  return { topology: { name: "", directors, services, realServers, memberships, layout: {} }, invalidIds };
}

/**
 * Validates a topology (any input). Structure first; when some objects are malformed, the LVS rules
 * still run over the well-formed rest so the editor keeps its badges while a field is being typed.
 */
export function validate(topology: Topology): Issue[] {
  return guard(() => {
    const parsed = topologySchema.safeParse(topology as unknown);
    if (parsed.success) return [...topologyRules(parsed.data), ...haRules(parsed.data)];
    const schema = schemaIssues(parsed.error, topology);
    const part = validPart(topology);
    return part ? [...schema, ...topologyRules(part.topology, part.invalidIds)] : schema;
  });
}

/** Validates one director's IPVS table (imports, agent desired tables). */
export function validateTable(table: IpvsTable): Issue[] {
  return guard(() => {
    // a table of plain shape (what the parsers build) needs no zod copy of its million real servers
    if (isWellFormedTable(table)) return tableRules(table);
    const parsed = ipvsTableSchema.safeParse(table as unknown);
    if (!parsed.success) return schemaIssues(parsed.error, table);
    return tableRules(parsed.data);
  });
}

export type { Issue, IssueCode, IssueSeverity } from "./issues.ts";
export { ISSUE_CODES } from "./issues.ts";
