"use client";
/** A readable diff between any two revisions: services, real servers, weights (lvs/diff renderChange lines). */
import { useQuery } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useState } from "react";
import { usePlanText } from "../../_i18n/usePlanText.ts";
import { useErrorText } from "../../_shell/useErrorText.ts";
import { useTRPC } from "../../trpc.ts";
import { card, smallInput } from "./ui.ts";

const LINE: Record<string, string> = { "+": "text-emerald-700", "-": "text-red-700", "~": "text-amber-800" };

export function DiffPanel({ topologyId, latest }: { topologyId: string; latest: number }) {
  const t = useTranslations("deploy");
  const errorText = useErrorText();
  const planText = usePlanText();
  const trpc = useTRPC();
  const [from, setFrom] = useState(Math.max(1, latest - 1));
  const [to, setTo] = useState(latest);
  const revs = Array.from({ length: latest }, (_, i) => latest - i);
  const diff = useQuery({ ...trpc.deploy.diff.queryOptions({ topologyId, from, to }), enabled: from !== to });
  const pick = (value: number, set: (n: number) => void, testId: string) => (
    <select className={smallInput} value={value} onChange={(e) => set(Number(e.target.value))} data-testid={testId}>
      {revs.map((r) => <option key={r} value={r}>{r}</option>)}
    </select>
  );
  return (
    <section className={card} data-testid="diff-panel">
      <header className="flex items-center gap-2 border-b border-slate-200 px-4 py-2 text-sm">
        <h2 className="font-semibold text-slate-900">{t("diff.title")}</h2>
        <span className="ml-auto text-xs text-slate-600">{t("diff.from")}</span>{pick(from, setFrom, "diff-from")}
        <span className="text-xs text-slate-600">{t("diff.to")}</span>{pick(to, setTo, "diff-to")}
      </header>
      <div className="px-4 py-2">
        {from === to && <p className="text-xs text-slate-500">{t("diff.same")}</p>}
        {diff.isError && <p className="text-sm text-red-700" role="alert">{errorText(diff.error).text}</p>}
        {diff.data && diff.data.lines.length === 0 && <p className="text-xs text-slate-500" data-testid="diff-empty">{t("diff.none")}</p>}
        <ul className="space-y-0.5">
          {diff.data?.lines.map((l, i) => <li key={i} className={`font-mono text-xs ${LINE[l[0]!] ?? ""}`} data-testid="diff-line">{diff.data.changes[i] ? planText.change(diff.data.changes[i], l) : l}</li>)}
        </ul>
      </div>
    </section>
  );
}
