"use client";
/** Saved revisions: who, when, message, where each runs; plan any of them (an earlier one is a rollback). */
import { useQuery } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useTRPC } from "../../trpc.ts";
import { btn, card } from "./ui.ts";
import { DateTime } from "../_ui/DateTime.tsx";

export function RevisionsPanel(props: { topologyId: string; latest: number; selected: number; onPlan(revision: number): void }) {
  const t = useTranslations("deploy");
  const trpc = useTRPC();
  const list = useQuery(trpc.deploy.revisions.queryOptions({ topologyId: props.topologyId, limit: 50 }));
  return (
    <section className={card} data-testid="revisions">
      <h2 className="border-b border-slate-200 px-4 py-2 text-sm font-semibold text-slate-900">{t("revisions.title")}</h2>
      <table className="w-full text-left text-xs">
        <thead className="bg-slate-50 text-slate-500">
          <tr>
            <th className="px-4 py-1.5">#</th><th className="px-2">{t("revisions.when")}</th><th className="px-2">{t("revisions.author")}</th>
            <th className="px-2">{t("revisions.message")}</th><th className="px-2">{t("revisions.runsOn")}</th><th className="px-2" />
          </tr>
        </thead>
        <tbody>
          {(list.data ?? []).map((r) => (
            <tr key={r.revision} className={`border-t border-slate-100 ${r.revision === props.selected ? "bg-sky-50" : ""}`} data-testid="revision-row" data-revision={r.revision}>
              <td className="px-4 py-1.5 tabular-nums font-medium">{r.revision}</td>
              <td className="px-2 py-1.5 text-slate-600"><DateTime at={r.createdAt} /></td>
              <td className="px-2 py-1.5">{r.author ?? "—"}</td>
              <td className="px-2 py-1.5 text-slate-700">{r.message || "—"}</td>
              <td className="px-2 py-1.5 text-slate-600" data-testid="revision-runs-on">{r.appliedOn.join(", ") || "—"}</td>
              <td className="px-2 py-1.5 text-right">
                {r.revision !== props.selected && (
                  <button type="button" className={btn} data-testid="revision-plan" onClick={() => props.onPlan(r.revision)}>
                    {r.revision < props.latest ? t("revisions.planRollback") : t("revisions.plan")}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
