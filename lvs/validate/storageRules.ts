/**
 * The issues that make a topology impossible to store in the control plane's normalized tables: an id
 * repeated within one kind, a reference that does not resolve, a director placed twice. They are a
 * subset of topologyRules (the one place these rules live); every other LVS rule is reported by
 * validate() and never blocks a save.
 */
import type { Topology } from "../model.ts";
import type { Issue, IssueCode } from "../issues.ts";
import { topologyRules } from "./topologyRules.ts";

export const STORAGE_CODES: ReadonlySet<IssueCode> = new Set<IssueCode>([
  "topology.duplicate-id", "membership.missing-service", "membership.missing-real-server", "service.unknown-director", "service.director-twice",
]);

export function storageIssues(t: Topology): Issue[] {
  return topologyRules(t).filter((i) => STORAGE_CODES.has(i.code) && (i.code !== "topology.duplicate-id" || i.params?.first === i.params?.second));
}

/**
 * Where an issue sits as a dotted path with array indexes ("memberships.3.serviceId"), for an API error
 * naming the field: the issue's path names objects by id.
 */
export function indexedPath(t: Topology, i: Issue): string {
  const [kind, id, ...field] = i.path;
  const list = (t as unknown as Record<string, { id: string }[] | undefined>)[String(kind)];
  if (!Array.isArray(list) || typeof id !== "string") return i.path.join(".");
  const first = list.findIndex((o) => o.id === id);
  // a repeated id is reported at its second occurrence
  const at = i.code === "topology.duplicate-id" ? list.findIndex((o, n) => n > first && o.id === id) : first;
  return [kind, at < 0 ? id : at, ...field].join(".");
}
