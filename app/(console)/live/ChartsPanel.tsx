"use client";
/**
 * The charts of one director: one block per virtual service, its real servers' charts under it.
 * Bounded for large tables: real servers are folded when the director has many, and only the
 * first services are drawn until the operator asks for all.
 */
import { useTranslations } from "next-intl";
import { useState } from "react";
import type { Topology } from "@/lvs/model.ts";
import { describeServiceKey, parseServiceKeyString } from "@/lvs/tableKey.ts";
import type { DirectorState, TopicState } from "../_live/liveState.ts";
import { SeriesCharts, type RangeKey } from "./SeriesCharts.tsx";
import { plannedServices, statsRows, type StatsRow } from "./statsRows.ts";

/** real servers are shown unfolded up to this many on the director */
const UNFOLD_MAX = 12;
const FIRST_SERVICES = 20;

export function ChartsPanel({ director, topology, range, topic, tick }: {
  director: DirectorState; topology: Topology; range: RangeKey; topic: TopicState | null; tick: number;
}) {
  const t = useTranslations("live.charts");
  const [open, setOpen] = useState<Record<string, boolean>>({});
  const [all, setAll] = useState(false);
  const rows = statsRows(director.services.size > 0 ? director.services.values() : plannedServices(topology, director.key));
  const services = rows.filter((r) => r.kind === "service");
  const destCount = rows.length - services.length;
  const byService = new Map<string, StatsRow[]>();
  for (const r of rows) if (r.kind === "destination") byService.set(r.serviceKey, [...(byService.get(r.serviceKey) ?? []), r]);
  const name = (k: string) => {
    const key = parseServiceKeyString(k);
    return key ? describeServiceKey(key) : k;
  };
  const chart = (r: StatsRow, title: string) => (
    <SeriesCharts
      key={`${director.directorId}/${r.id}/${range}`}
      testId={`chart-${r.id}`}
      title={title}
      seriesRef={{ directorId: director.directorId, serviceKey: r.serviceKey, ...(r.kind === "destination" ? { destination: r.id.slice(r.serviceKey.length + 1) } : {}) }}
      range={range}
      topic={topic}
      tick={tick}
    />
  );
  return (
    <section className="space-y-2" data-testid="live-charts" data-range={range}>
      <h2 className="text-sm font-semibold text-slate-900">{t("title", { director: director.name })}</h2>
      {(all ? services : services.slice(0, FIRST_SERVICES)).map((s) => {
        const dests = byService.get(s.serviceKey) ?? [];
        const unfolded = open[s.serviceKey] ?? destCount <= UNFOLD_MAX;
        return (
          <div key={s.id} className="space-y-2">
            {chart(s, name(s.serviceKey))}
            {dests.length > 0 && (
              <button
                type="button"
                className="ml-2 text-xs text-sky-700 hover:underline"
                data-testid={`charts-fold-${s.serviceKey}`}
                aria-expanded={unfolded}
                onClick={() => setOpen({ ...open, [s.serviceKey]: !unfolded })}
              >
                {unfolded ? "▾" : "▸"} {t("realServers", { count: dests.length })}
              </button>
            )}
            {unfolded && <div className="space-y-2 pl-4">{dests.map((d) => chart(d, `${name(s.serviceKey)} -> ${d.name}`))}</div>}
          </div>
        );
      })}
      {!all && services.length > FIRST_SERVICES && (
        <button type="button" className="text-xs text-sky-700 hover:underline" data-testid="charts-all" onClick={() => setAll(true)}>
          {t("showAll", { count: services.length })}
        </button>
      )}
    </section>
  );
}
