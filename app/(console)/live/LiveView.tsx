"use client";
/**
 * The live view of one topology: connection status, directors online/offline, the canvas with
 * live overlays, the director's statistics table, charts per virtual service and real server with a
 * range picker, recent health transitions, the connection table and availability.
 */
import { useQueryClient } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useEffect, useMemo, useState } from "react";
import { useTRPC } from "@/app/trpc.ts";
import type { Topology } from "@/lvs/model.ts";
import { AvailabilityTable } from "./AvailabilityTable.tsx";
import { HaPanel } from "./HaPanel.tsx";
import { HaAvailabilityTable } from "./HaAvailabilityTable.tsx";
import { ConnectionTable } from "./ConnectionTable.tsx";
import { LiveCanvas } from "./LiveCanvas.tsx";
import {
  LiveFiguresValueProvider, LiveProvider, useLiveClient, useLiveStatus, useLiveTopic, useTopologyFigures,
} from "../_live/LiveContext.tsx";
import type { DirectorState } from "../_live/liveState.ts";
import { ChartsPanel } from "./ChartsPanel.tsx";
import { RANGES, type RangeKey } from "./SeriesCharts.tsx";
import { StatsTable } from "./StatsTable.tsx";
import { TopologyTabs } from "../_ui/TopologyTabs.tsx";
import { DateTime } from "../_ui/DateTime.tsx";

export function LiveView({ id, revision, topology }: { id: string; revision: number; topology: Topology }) {
  return (
    <LiveProvider>
      <LiveBody id={id} revision={revision} topology={topology} />
    </LiveProvider>
  );
}

const STATUS_TONE = { open: "bg-emerald-100 text-emerald-800", connecting: "bg-slate-100 text-slate-600", reconnecting: "bg-amber-100 text-amber-800", closed: "bg-slate-100 text-slate-500" };

function LiveBody({ id, revision, topology }: { id: string; revision: number; topology: Topology }) {
  const t = useTranslations("live");
  const client = useLiveClient();
  const status = useLiveStatus((s) => s.status);
  const opens = useLiveStatus((s) => s.opens);
  const lastError = useLiveStatus((s) => s.lastError);
  const { state, tick } = useLiveTopic({ topologyId: id });
  // a newer saved revision: reload the document (the canvas redraws, the socket and charts stay)
  const savedRevision = useLiveStatus((s) => s.saved[id] ?? 0);
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  useEffect(() => {
    if (savedRevision > revision) void queryClient.invalidateQueries(trpc.topology.get.queryFilter({ id }));
  }, [savedRevision, revision, queryClient, trpc, id]);
  const figures = useTopologyFigures(topology, state, tick);
  const [picked, setPicked] = useState<string | null>(null);
  const [range, setRange] = useState<RangeKey>("live");
  const directors = useMemo(
    () => (state ? [...state.directors.values()].sort((a, b) => a.name.localeCompare(b.name)) : []),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [state, tick],
  );
  // the first director with an agent online, not a draft that never had one
  const director: DirectorState | undefined = directors.find((d) => d.directorId === picked) ?? directors.find((d) => d.online) ?? directors[0];

  return (
    <div className="flex min-h-0 flex-1 flex-col" data-testid="live-view">
      <TopologyTabs id={id} active="live" />
      <div className="flex flex-wrap items-center gap-3 border-b border-slate-200 bg-white px-4 py-2">
        <h1 className="text-sm font-semibold text-slate-900" data-testid="live-topology-name">{topology.name}</h1>
        <span className={`rounded px-1.5 py-0.5 text-xs font-medium ${STATUS_TONE[status]}`} data-testid="live-status" data-status={status} data-opens={opens} data-seq={state?.seq ?? -1}>
          {t(`status.${status}`)}
        </span>
        <button type="button" className="rounded border border-slate-300 px-2 py-0.5 text-xs hover:bg-slate-50" data-testid="live-reconnect" onClick={() => client?.reconnectNow()}>
          {t("reconnect")}
        </button>
        {lastError && <span className="text-xs text-red-600" data-testid="live-error">{lastError}</span>}
        <div className="ml-auto flex items-center gap-1" role="radiogroup" aria-label={t("range.label")} data-testid="range-picker">
          {RANGES.map((r) => (
            <button
              key={r}
              type="button"
              role="radio"
              aria-checked={range === r}
              data-testid={`range-${r}`}
              onClick={() => setRange(r)}
              className={`rounded px-2 py-0.5 text-xs font-medium ${range === r ? "bg-slate-800 text-white" : "text-slate-600 hover:bg-slate-100"}`}
            >
              {t(`range.${r}`)}
            </button>
          ))}
        </div>
      </div>
      <div className="min-h-0 flex-1 space-y-4 overflow-y-auto p-4">
        <div className="flex flex-wrap items-center gap-2" data-testid="live-directors">
          {directors.length === 0 && <span className="text-sm text-slate-500" data-testid="live-no-directors">{state && state.seq >= 0 ? t("noDirectors") : t("waiting")}</span>}
          {directors.map((d) => (
            <button
              key={d.directorId}
              type="button"
              data-testid={`live-director-${d.key}`}
              data-online={String(d.online)}
              aria-pressed={d === director}
              onClick={() => setPicked(d.directorId)}
              className={`flex items-center gap-1.5 rounded-full border px-3 py-1 text-xs font-medium ${d === director ? "border-sky-500 bg-sky-50" : "border-slate-300 bg-white"}`}
            >
              <span className={`h-2 w-2 rounded-full ${d.online ? "bg-emerald-500" : "bg-red-500"}`} />
              {d.name}
              <span className="text-slate-500">{d.online ? t("overlay.online") : t("overlay.offline")}</span>
            </button>
          ))}
        </div>
        <LiveFiguresValueProvider value={figures}>
          <LiveCanvas key={revision} topology={topology} />
        </LiveFiguresValueProvider>
        {director && <StatsTable director={director} tick={tick} />}
        {director && <ChartsPanel director={director} topology={topology} range={range} topic={state} tick={tick} />}
        {state && state.events.length > 0 && (
          <section className="rounded-md border border-slate-200 bg-white px-3 py-2" data-testid="health-events">
            <h2 className="mb-1 text-sm font-semibold text-slate-900">{t("events.title")}</h2>
            <ul className="font-mono text-xs">
              {state.events.slice(-10).reverse().map((e) => (
                <li key={`${e.at}-${e.directorId}-${e.serviceKey}-${e.address}-${e.port}`} data-testid="health-event" data-to={e.to}>
                  <DateTime at={e.at} style="time" /> {e.address.includes(":") ? `[${e.address}]` : e.address}:{e.port} {t(`overlay.health.${e.from}`)} → <span className={e.to === "down" ? "text-red-700" : "text-emerald-700"}>{t(`overlay.health.${e.to}`)}</span>
                </li>
              ))}
            </ul>
          </section>
        )}
        <div className="space-y-4">
          {director && <ConnectionTable key={director.directorId} directorId={director.directorId} />}
          <HaPanel topologyId={id} />
          <HaAvailabilityTable topologyId={id} range={range} />
          <AvailabilityTable topologyId={id} directorId={director?.directorId} range={range} />
        </div>
      </div>
    </div>
  );
}
