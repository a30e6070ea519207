"use client";
import { useTranslations } from "next-intl";
import type { HostCheck } from "@/lvs/realServer/hostChecks.ts";

/** The director's own prerequisites as its agent observed them: ✓ all, ✗ with the failing ones named. */
export function PrerequisitesCell({ p }: { p: { revision: number | null; checks: HostCheck[]; errors: string[] } | null }) {
  const t = useTranslations("directors.prereq");
  if (!p) return <td className="px-3 py-1.5 text-xs text-slate-400" data-testid="director-prereq" data-state="unknown">{t("unknown")}</td>;
  const failing = p.checks.filter((c) => !c.ok);
  const state = failing.length || p.errors.length ? "failing" : "verified";
  return (
    <td className="px-3 py-1.5 text-xs" data-testid="director-prereq" data-state={state}>
      {state === "verified"
        ? <span className="text-emerald-700" title={p.checks.map((c) => `${c.id}: ${c.observed}`).join("\n")}>✓ {t("ok", { count: p.checks.length })}</span>
        : (
          <ul className="text-red-700">
            {failing.map((c) => <li key={c.id} data-check={c.id}>✗ <span className="font-mono">{c.id}</span>: {t("observed", { observed: c.observed, expected: c.expected })}</li>)}
            {p.errors.map((e) => <li key={e}>✗ {e}</li>)}
          </ul>
        )}
    </td>
  );
}
