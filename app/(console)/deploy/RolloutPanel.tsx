"use client";
/** Live progress and per-director results of a rollout (the given one, else the latest). */
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import { useTranslations } from "next-intl";
import { useTRPC } from "../../trpc.ts";
import { card, tone } from "./ui.ts";
import { useLiveEvents } from "./useDeployEvents.ts";

export function RolloutPanel({ topologyId, rolloutId }: { topologyId: string; rolloutId: string | null }) {
  const t = useTranslations("deploy");
  const trpc = useTRPC();
  // deploy.progress re-reads it at once; the poll is the fallback (fast only without the live socket)
  const live = useLiveEvents();
  const list = useQuery({ ...trpc.deploy.rollouts.queryOptions({ topologyId, limit: 1 }), enabled: !rolloutId });
  const id = rolloutId ?? list.data?.[0]?.id ?? null;
  const one = useQuery({
    ...trpc.deploy.rollout.queryOptions({ id: id ?? "-" }),
    enabled: !!id,
    refetchInterval: (q) => (q.state.data?.status === "running" ? (live ? 5000 : 400) : false),
  });
  const r = one.data;
  // a rollout that ends changes where revisions run (also without the live socket)
  const qc = useQueryClient();
  const status = r?.status;
  useEffect(() => {
    if (status && status !== "running") {
      void qc.invalidateQueries({ queryKey: trpc.deploy.revisions.pathKey() });
      void qc.invalidateQueries({ queryKey: trpc.deploy.drift.pathKey() });
    }
  }, [status, qc, trpc]);
  if (!r) return null;
  return (
    <section className={card} data-testid="rollout" data-status={r.status} data-revision={r.revision}>
      <header className="flex flex-wrap items-center gap-2 border-b border-slate-200 px-4 py-2">
        <h2 className="text-sm font-semibold text-slate-900">{t(`rollout.kind.${r.kind}`, { revision: r.revision })}</h2>
        <span className={tone(r.status)} data-testid="rollout-status">{t(`status.${r.status}`)}</span>
        <span className="text-xs text-slate-500">{t(`plan.${r.mode}`)} · {r.author ?? "—"}</span>
      </header>
      <table className="w-full text-left text-xs">
        <thead className="bg-slate-50 text-slate-500">
          <tr><th className="px-4 py-1.5">{t("rollout.director")}</th><th className="px-2">{t("rollout.status")}</th><th className="px-2">{t("rollout.applied")}</th><th className="px-2">{t("rollout.details")}</th></tr>
        </thead>
        <tbody>
          {r.results.map((d) => (
            <tr key={d.key} className="border-t border-slate-100 align-top" data-testid="rollout-director" data-director={d.key} data-status={d.status}>
              <td className="px-4 py-1.5 font-medium text-slate-900">{d.name}</td>
              <td className="px-2 py-1.5"><span className={tone(d.status)}>{t(`status.${d.status}`)}</span></td>
              <td className="px-2 py-1.5 tabular-nums" data-testid="rollout-applied">{d.appliedRevision ?? "—"}</td>
              <td className="px-2 py-1.5 text-slate-600">
                {d.message}
                {d.errors.length > 0 && (
                  <ul className="mt-1 space-y-0.5" data-testid="rollout-errors">
                    {d.errors.map((e, i) => <li key={i} className="text-red-700"><code className="font-mono">{e.op}</code>: {e.error}</li>)}
                  </ul>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
