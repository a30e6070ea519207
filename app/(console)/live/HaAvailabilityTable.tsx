"use client";
/**
 * Availability of each HA group (its VIPs: down while no director is MASTER) and of each of its
 * directors over the chosen range, split as the seed's first chapter does: planned downtime
 * (a switchover the operator started: maintenance) and unplanned downtime (failure), each with its
 * own A = MTBF / (MTBF + MTTR). Re-read at once on every `ha.changed` notice of the live socket.
 */
import { useQuery } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useEffect, useState } from "react";
import { useTRPC } from "@/app/trpc.ts";
import { formatAvailability } from "@/lvs/availability.ts";
import { duration } from "../_live/format.ts";
import { useLiveClient } from "../_live/LiveContext.tsx";
import { RANGE_MS, type RangeKey } from "./SeriesCharts.tsx";

interface Split {
  availability: number;
  downtimeMs: number;
  mtbfMs: number | null;
  mttrMs: number | null;
  failures: number;
}

function SplitCells({ a, kind }: { a: Split; kind: "total" | "planned" | "unplanned" }) {
  return (
    <>
      <td className="px-2 py-1 text-right" data-col={`${kind}-availability`} data-value={a.availability}>{formatAvailability(a.availability)}</td>
      <td className="px-2 py-1 text-right" data-col={`${kind}-downtime`} data-value={a.downtimeMs}>{a.downtimeMs > 0 && a.downtimeMs < 2000 ? `${a.downtimeMs} ms` : duration(a.downtimeMs)}</td>
      {kind !== "total" && <td className="px-2 py-1 text-right" data-col={`${kind}-count`} data-value={a.failures}>{a.failures}</td>}
    </>
  );
}

export function HaAvailabilityTable({ topologyId, range }: { topologyId: string; range: RangeKey }) {
  const t = useTranslations("live.haAvailability");
  const trpc = useTRPC();
  const client = useLiveClient();
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const tick = () => setNow(Date.now());
    const timer = setInterval(tick, 10_000);
    // a switchover or transition just happened: the range must end after it
    const off = client?.onEvent((e) => {
      if (e.type === "ha.changed" && e.topologyId === topologyId) tick();
    });
    return () => {
      clearInterval(timer);
      off?.();
    };
  }, [client, topologyId]);
  const span = range === "live" ? RANGE_MS["15m"] : RANGE_MS[range];
  const q = useQuery({ ...trpc.ha.availability.queryOptions({ topologyId, from: now - span, to: now }), placeholderData: (p) => p });
  if (!q.data || q.data.length === 0) return null;
  return (
    <section className="rounded-md border border-slate-200 bg-white" data-testid="ha-availability">
      <div className="flex items-center gap-2 border-b border-slate-200 px-3 py-2">
        <h2 className="text-sm font-semibold text-slate-900">{t("title")}</h2>
        <span className="text-xs text-slate-500">{t("hint")}</span>
      </div>
      <table className="w-full font-mono text-xs">
        <thead>
          <tr className="border-b border-slate-200 text-left text-[11px] text-slate-500">
            <th className="px-3 py-1.5 font-medium">{t("object")}</th>
            <th className="px-2 py-1.5 text-right font-medium">A</th>
            <th className="px-2 py-1.5 text-right font-medium">{t("downtime")}</th>
            <th className="px-2 py-1.5 text-right font-medium">A {t("planned")}</th>
            <th className="px-2 py-1.5 text-right font-medium">{t("plannedDowntime")}</th>
            <th className="px-2 py-1.5 text-right font-medium">{t("plannedCount")}</th>
            <th className="px-2 py-1.5 text-right font-medium">A {t("unplanned")}</th>
            <th className="px-2 py-1.5 text-right font-medium">{t("unplannedDowntime")}</th>
            <th className="px-2 py-1.5 text-right font-medium">{t("unplannedCount")}</th>
          </tr>
        </thead>
        <tbody>
          {q.data.map((r) => (
            <tr key={`${r.kind}/${r.id}`} className={r.kind === "group" ? "border-t border-slate-100 bg-slate-50 font-semibold" : ""} data-testid={`ha-availability-${r.kind}-${r.id}`}>
              <td className="whitespace-pre px-3 py-1">{r.kind === "group" ? r.name : `  ${r.name}`}</td>
              <SplitCells a={r.total} kind="total" />
              <SplitCells a={r.planned} kind="planned" />
              <SplitCells a={r.unplanned} kind="unplanned" />
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
