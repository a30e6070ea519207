/**
 * The referential rules a document must satisfy to be stored in the normalized tables: ids unique per
 * kind, memberships and placements pointing at existing objects. (LVS rules -- address families,
 * scheduler flags, ... -- belong to lvs/validate.ts and do not block a save.)
 */
import type { Topology } from "../../lvs/model.ts";
import type { ServiceIssue } from "./ServiceError.ts";

const MAX_ISSUES = 50;

export function topologyIntegrityIssues(doc: Topology, prefix = "document"): ServiceIssue[] {
  const issues: ServiceIssue[] = [];
  const add = (path: string, message: string) => {
    if (issues.length < MAX_ISSUES) issues.push({ path: `${prefix}.${path}`, message });
  };
  const ids = (kind: "directors" | "services" | "realServers" | "memberships") => {
    const seen = new Map<string, number>();
    doc[kind].forEach((o, i) => {
      const first = seen.get(o.id);
      if (first !== undefined) add(`${kind}.${i}.id`, `duplicate id "${o.id}" (also ${kind}[${first}])`);
      else seen.set(o.id, i);
    });
    return seen;
  };
  const directors = ids("directors");
  const services = ids("services");
  const realServers = ids("realServers");
  ids("memberships");
  doc.services.forEach((s, i) => {
    const placed = new Set<string>();
    s.directorIds.forEach((d, j) => {
      if (!directors.has(d)) add(`services.${i}.directorIds.${j}`, `no director with id "${d}"`);
      if (placed.has(d)) add(`services.${i}.directorIds.${j}`, `director "${d}" listed twice`);
      placed.add(d);
    });
  });
  doc.memberships.forEach((m, i) => {
    if (!services.has(m.serviceId)) add(`memberships.${i}.serviceId`, `no virtual service with id "${m.serviceId}"`);
    if (!realServers.has(m.realServerId)) add(`memberships.${i}.realServerId`, `no real server with id "${m.realServerId}"`);
  });
  return issues;
}
