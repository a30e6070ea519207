"use client";
/**
 * Availability per virtual service and real server over the chosen range, from the health
 * history: A = MTBF / (MTBF + MTTR) as a percentage with its "nines", MTBF, MTTR, failures and
 * downtime (live.availability computes it with lvs/availability.ts).
 */
import { useQuery } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useTRPC } from "@/app/trpc.ts";
import { formatAvailability } from "@/lvs/availability.ts";
import { describeServiceKey, parseServiceKeyString } from "@/lvs/tableKey.ts";
import { duration } from "../_live/format.ts";
import { RANGE_MS, useNow, type RangeKey } from "./SeriesCharts.tsx";

interface Figures {
  availability: number;
  nines: number | null;
  mtbfMs: number | null;
  mttrMs: number | null;
  failures: number;
  downtimeMs: number;
}

function Cells({ a }: { a: Figures }) {
  const tone = a.availability >= 0.999 ? "text-emerald-700" : a.availability >= 0.99 ? "text-amber-700" : "text-red-700";
  return (
    <>
      <td className={`px-2 py-1 text-right font-semibold ${tone}`} data-col="availability" data-value={a.availability}>{formatAvailability(a.availability)}</td>
      <td className="px-2 py-1 text-right" data-col="nines">{a.nines === null ? "∞" : a.nines.toFixed(1)}</td>
      <td className="px-2 py-1 text-right" data-col="mtbf" data-value={a.mtbfMs ?? ""}>{duration(a.mtbfMs)}</td>
      <td className="px-2 py-1 text-right" data-col="mttr" data-value={a.mttrMs ?? ""}>{duration(a.mttrMs)}</td>
      <td className="px-2 py-1 text-right" data-col="failures" data-value={a.failures}>{a.failures}</td>
      <td className="px-2 py-1 text-right" data-col="downtime" data-value={a.downtimeMs}>{duration(a.downtimeMs)}</td>
    </>
  );
}

export function AvailabilityTable({ topologyId, directorId, range }: { topologyId: string; directorId: string | undefined; range: RangeKey }) {
  const t = useTranslations("live.availability");
  const trpc = useTRPC();
  const now = useNow(10_000);
  // "live" looks at the last 15 minutes
  const span = range === "live" ? RANGE_MS["15m"] : RANGE_MS[range];
  const q = useQuery({
    ...trpc.live.availability.queryOptions({ topologyId, ...(directorId ? { directorId } : {}), from: now - span, to: now }),
    refetchInterval: 10_000,
    placeholderData: (p) => p,
  });
  const name = (k: string) => {
    const key = parseServiceKeyString(k);
    return key ? describeServiceKey(key) : k;
  };
  return (
    <section className="rounded-md border border-slate-200 bg-white" data-testid="availability-table">
      <div className="flex items-center gap-2 border-b border-slate-200 px-3 py-2">
        <h2 className="text-sm font-semibold text-slate-900">{t("title")}</h2>
        <span className="text-xs text-slate-500">{t(`range.${range}`)}</span>
      </div>
      {q.isError && <p className="px-3 py-3 text-xs text-red-600" data-testid="availability-error">{q.error.message}</p>}
      {q.data && q.data.services.length === 0 && <p className="px-3 py-3 text-xs text-slate-500">{t("empty")}</p>}
      {q.data && q.data.services.length > 0 && (
        <table className="w-full font-mono text-xs">
          <thead>
            <tr className="border-b border-slate-200 text-left text-[11px] text-slate-500">
              <th className="px-3 py-1.5 font-medium">{t("columns.object")}</th>
              <th className="px-2 py-1.5 text-right font-medium">A</th>
              <th className="px-2 py-1.5 text-right font-medium">{t("columns.nines")}</th>
              <th className="px-2 py-1.5 text-right font-medium">MTBF</th>
              <th className="px-2 py-1.5 text-right font-medium">MTTR</th>
              <th className="px-2 py-1.5 text-right font-medium">{t("columns.failures")}</th>
              <th className="px-2 py-1.5 text-right font-medium">{t("columns.downtime")}</th>
            </tr>
          </thead>
          <tbody>
            {q.data.services.flatMap((s) => [
              <tr key={`${s.directorId}/${s.serviceKey}`} className="border-t border-slate-100 bg-slate-50 font-semibold" data-testid={`availability-row-${s.serviceKey}`}>
                <td className="px-3 py-1">{name(s.serviceKey)}</td>
                <Cells a={s.availability} />
              </tr>,
              ...s.realServers.map((r) => (
                <tr key={`${s.directorId}/${s.serviceKey}/${r.address}|${r.port}`} data-testid={`availability-row-${s.serviceKey}/${r.address}|${r.port}`}>
                  <td className="whitespace-pre px-3 py-1">{`  -> ${r.address.includes(":") ? `[${r.address}]` : r.address}:${r.port}`}</td>
                  <Cells a={r.availability} />
                </tr>
              )),
            ])}
          </tbody>
        </table>
      )}
    </section>
  );
}
