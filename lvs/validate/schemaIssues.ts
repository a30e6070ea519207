/** Turns zod issues into our Issues: index paths become ids where the element has one. */
import type { z } from "zod";
import { makeIssue, type Issue, type IssueCode, type IssueParams, type IssuePath } from "../issues.ts";

const CODE: Record<string, IssueCode> = {
  invalid_type: "schema.invalid-type",
  too_big: "schema.out-of-range",
  too_small: "schema.out-of-range",
  not_multiple_of: "schema.out-of-range",
  invalid_value: "schema.invalid-value",
  invalid_union: "schema.invalid-value",
  unrecognized_keys: "schema.invalid-value",
  invalid_key: "schema.invalid-value",
  invalid_element: "schema.invalid-value",
  invalid_format: "schema.invalid-format",
  custom: "schema.invalid-format",
};

/** What a zod refinement in schemas.ts says, by the `params.lvs` tag it carries (the UI translates by it). */
export const FIELD_RULES = ["ipv4", "ipv6", "ip", "persistence-timeout"] as const;
export type FieldRule = (typeof FIELD_RULES)[number];

/**
 * The language-free content of one zod issue: `variant` is the zod code (or the refinement's rule),
 * `limit` the bound of a range. Both the editor's inline field errors and schema.* issues render from it.
 */
export function zodIssueParams(zi: z.core.$ZodIssue): IssueParams {
  const rule = zi.code === "custom" ? (zi.params as { lvs?: unknown } | undefined)?.lvs : undefined;
  if (typeof rule === "string" && (FIELD_RULES as readonly string[]).includes(rule)) return { variant: rule };
  if (zi.code === "too_big" || zi.code === "too_small") {
    const limit = zi.code === "too_big" ? zi.maximum : zi.minimum;
    const kind = zi.origin === "string" ? "string" : zi.origin === "array" || zi.origin === "set" ? "array" : "number";
    return { variant: `${zi.code}_${kind}`, limit: typeof limit === "bigint" ? Number(limit) : limit };
  }
  if (zi.code === "invalid_type") return { variant: zi.input === undefined ? "missing" : "invalid_type", expected: zi.expected };
  if (zi.code === "invalid_value") return { variant: "invalid_value", values: zi.values.map(String).join(", ") };
  return { variant: zi.code };
}

function idOf(v: unknown): string | null {
  if (typeof v === "object" && v !== null && "id" in v) {
    const id = (v as { id: unknown }).id;
    if (typeof id === "string" && id.length > 0) return id;
  }
  return null;
}

export function schemaIssues(error: z.ZodError, input: unknown, rootObjectId: (path: IssuePath) => string | null = () => null): Issue[] {
  return error.issues.slice(0, 200).map((zi) => {
    const path: IssuePath = [];
    let objectId: string | null = null;
    let cur: unknown = input;
    for (const seg of zi.path) {
      const next = typeof cur === "object" && cur !== null ? (cur as Record<PropertyKey, unknown>)[seg as PropertyKey] : undefined;
      const id = typeof seg === "number" ? idOf(next) : null;
      if (id !== null) objectId = id;
      path.push(id ?? (typeof seg === "symbol" ? String(seg) : seg));
      cur = next;
    }
    objectId ??= rootObjectId(path);
    const field = path.length ? path.join(".") : "document";
    return makeIssue(CODE[zi.code] ?? "schema.invalid", { path: [], objectId }, path, `${field}: ${zi.message}`, { field, ...zodIssueParams(zi) });
  });
}
