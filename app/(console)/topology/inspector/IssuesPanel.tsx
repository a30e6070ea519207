"use client";
import { useTranslations } from "next-intl";
import { useCodedText } from "@/app/_i18n/useCodedText.ts";
import { QuotedCode } from "@/app/_i18n/QuotedCode.tsx";
import { useEditor } from "../../_canvas/store/context.ts";

/** A big cluster can have thousands of issues: the list shows the first ones (badges show all). */
const MAX_LISTED = 200;

/** validate() output for the whole document; a click focuses the node or edge concerned. */
export function IssuesPanel({ onFocus }: { onFocus(id: string): void }) {
  const t = useTranslations("editor.issues");
  const issues = useEditor((s) => s.issues);
  const validating = useEditor((s) => s.validating);
  const issueText = useCodedText("issue");
  const errors = issues.filter((i) => i.severity === "error").length;
  return (
    <section className="flex max-h-[40%] shrink-0 flex-col border-t border-slate-200" data-testid="issues-panel">
      <h2 className="flex items-center gap-2 px-3 py-2 text-xs font-semibold uppercase tracking-wide text-slate-500">
        {t("title")}
        <span className="rounded bg-red-100 px-1 text-red-700" data-testid="issues-errors">{errors}</span>
        <span className="rounded bg-amber-100 px-1 text-amber-800" data-testid="issues-warnings">{issues.length - errors}</span>
      </h2>
      <ul className="min-h-0 overflow-y-auto px-2 pb-2 text-xs">
        {validating && <li className="px-1 text-slate-400" data-testid="issues-checking">{t("checking")}</li>}
        {issues.length === 0 && !validating && <li className="px-1 text-slate-400" data-testid="issues-none">{t("none")}</li>}
        {issues.slice(0, MAX_LISTED).map((i, k) => (
          <li key={`${i.code}-${i.objectId}-${k}`}>
            <button
              type="button"
              data-testid={`issue-${i.code}`}
              data-object={i.objectId ?? ""}
              disabled={!i.objectId}
              onClick={() => i.objectId && onFocus(i.objectId)}
              className="flex w-full items-start gap-2 rounded px-1 py-1 text-left hover:bg-slate-100"
            >
              <span className={`mt-0.5 h-2 w-2 shrink-0 rounded-full ${i.severity === "error" ? "bg-red-600" : "bg-amber-500"}`} />
              <span>
                <span className="font-mono text-[10px] text-slate-500">{i.code}</span>
                <span className="block text-slate-800"><QuotedCode text={issueText(i)} /></span>
              </span>
            </button>
          </li>
        ))}
        {issues.length > MAX_LISTED && <li className="px-1 text-slate-500" data-testid="issues-more">{t("more", { count: issues.length - MAX_LISTED })}</li>}
      </ul>
    </section>
  );
}
