/**
 * The inspector forms' resolver: the lvs zod schema decides, and each inline error is worded from the
 * zod issue's language-free content (lvs/validate/schemaIssues.ts zodIssueParams) in the UI language,
 * so "must be at most 65535" reads "不能大于 65535" in Chinese (zod's own English never reaches the UI).
 */
import { toNestErrors } from "@hookform/resolvers";
import type { FieldError, FieldValues, Resolver } from "react-hook-form";
import type { z } from "zod";
import type { IssueParams } from "@/lvs/issues.ts";
import { zodIssueParams } from "@/lvs/validate/schemaIssues.ts";

export function translatedResolver<T extends FieldValues>(schema: z.ZodType, translate: (p: IssueParams) => string): Resolver<T> {
  return async (values, _context, options) => {
    const r = schema.safeParse(values);
    if (r.success) return { values: r.data as T, errors: {} };
    const flat: Record<string, FieldError> = {};
    for (const issue of r.error.issues) {
      const path = issue.path.map(String).join(".");
      if (!(path in flat)) flat[path] = { type: issue.code, message: translate(zodIssueParams(issue)) };
    }
    return { values: {}, errors: toNestErrors(flat, options) };
  };
}
