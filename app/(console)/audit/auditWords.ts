/**
 * An audit row in words (pure): the message key of the sentence that says what happened
 * ("auth.audit.summary.topology_save" → "saved topology {target}"), and the row's details as
 * label/value facts ("revision: 12", "role: viewer → operator") instead of raw JSON.
 */
export interface AuditFact {
  /** the diff's own key ("revision", "role", "reason", ...) */
  key: string;
  value: string;
}

/** "topology.save" → "topology_save" (next-intl keys cannot hold dots). */
export const summaryKey = (action: string): string => action.replace(/[^A-Za-z0-9]+/g, "_");

/** Keys shown elsewhere (the change lines and the revision message) or never useful to read. */
const SKIP = new Set(["changes", "changeCount", "message"]);

function show(v: unknown): string {
  if (v === null || v === undefined) return "—";
  if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") return String(v);
  if (Array.isArray(v)) {
    const parts = v.slice(0, 5).map(show);
    return v.length > 5 ? `${parts.join(", ")}, … (+${v.length - 5})` : parts.join(", ");
  }
  if (typeof v === "object") {
    const o = v as Record<string, unknown>;
    if ("from" in o && "to" in o && Object.keys(o).length === 2) return `${show(o.from)} → ${show(o.to)}`;
    return Object.entries(o).map(([k, x]) => `${k} ${show(x)}`).join(", ");
  }
  return String(v);
}

export function auditFacts(diff: unknown): AuditFact[] {
  if (diff === null || diff === undefined) return [];
  if (typeof diff !== "object" || Array.isArray(diff)) return [{ key: "value", value: show(diff) }];
  return Object.entries(diff as Record<string, unknown>)
    .filter(([k]) => !SKIP.has(k))
    .map(([key, v]) => ({ key, value: show(v) }));
}
