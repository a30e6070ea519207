"use client";
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useTranslations } from "next-intl";
import { useErrorText } from "../../_shell/useErrorText.ts";
import { useTRPC } from "../../trpc.ts";
import { DateTime } from "../_ui/DateTime.tsx";

/** tRPC sends dates as ISO strings (no transformer): accept both. */

export function TopologyTable() {
  const t = useTranslations("topologies");
  const tc = useTranslations("common");
  const errorText = useErrorText();
  const trpc = useTRPC();
  const list = useQuery(trpc.topology.list.queryOptions());

  return (
    <section data-testid="topology-list" aria-busy={list.isPending} className="overflow-hidden rounded-md border border-slate-200 bg-white shadow-sm">
      <div className="flex h-9 items-center justify-between border-b border-slate-200 bg-slate-50 px-4">
        <span className="text-xs font-medium text-slate-500" data-testid="topology-count">
          {list.data ? t("count", { count: list.data.length }) : "\u00a0"}
        </span>
        {list.isFetching && !list.isPending && <span className="text-xs text-slate-400">{tc("loading")}</span>}
      </div>

      {list.isPending && (
        <p className="px-4 py-6 text-sm text-slate-500" data-testid="topology-list-loading">
          {tc("loading")}
        </p>
      )}

      {list.isError && (
        <div className="flex items-center gap-3 px-4 py-4" role="alert" data-testid="topology-list-error">
          <p className="text-sm text-red-600">
            {t("loadFailed")} {errorText(list.error).text}
          </p>
          <button type="button" onClick={() => void list.refetch()} className="rounded border border-slate-300 px-2 py-1 text-xs hover:bg-slate-50">
            {tc("retry")}
          </button>
        </div>
      )}

      {list.data && list.data.length === 0 && (
        <p className="px-4 py-6 text-sm text-slate-500" data-testid="topology-list-empty">
          {t("empty")}
        </p>
      )}

      {list.data && list.data.length > 0 && (
        <table className="w-full text-sm" data-testid="topology-table">
          <thead>
            <tr className="border-b border-slate-200 text-left text-xs font-medium uppercase tracking-wide text-slate-500">
              <th className="px-4 py-2 font-medium">{t("columns.name")}</th>
              <th className="w-28 px-4 py-2 text-right font-medium">{t("columns.revision")}</th>
              <th className="w-56 px-4 py-2 font-medium">{t("columns.updated")}</th>
              <th className="w-32 px-4 py-2 text-right font-medium">
                <span className="sr-only">{t("columns.actions")}</span>
              </th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {list.data.map((topo) => (
              <tr key={topo.id} data-testid="topology-row" data-topology-id={topo.id} data-topology-name={topo.name} className="hover:bg-sky-50/50">
                <td className="px-4 py-2">
                  <Link href={`/topology/${topo.id}`} data-testid="topology-link" className="font-medium text-slate-900 hover:text-sky-700 hover:underline">
                    {topo.name}
                  </Link>
                </td>
                <td className="px-4 py-2 text-right font-mono text-xs text-slate-600" data-testid="topology-revision">
                  {topo.revision}
                </td>
                <td className="px-4 py-2 text-xs text-slate-500" data-testid="topology-updated">
                  <DateTime at={topo.updatedAt} />
                </td>
                <td className="px-4 py-2 text-right">
                  <Link href={`/topology/${topo.id}`} className="rounded border border-slate-200 px-2 py-1 text-xs text-slate-600 hover:border-sky-300 hover:text-sky-700">
                    {t("openEditor")}
                  </Link>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
