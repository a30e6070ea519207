"use client";
/**
 * The four charts of one series (a virtual service or a real server on one director):
 * connections/s, packets/s in/out, bytes/s in/out, ActiveConn/InActConn. "live" reads the browser's
 * 1 Hz ring; 15 min / 1 h / 24 h read live.history (1 s samples or minute rollups, downsampled).
 */
import { useQuery } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useEffect, useMemo, useState } from "react";
import { useTRPC } from "@/app/trpc.ts";
import type { LivePoint } from "@/lvs/protocol/live.ts";
import { LiveChart, type ChartSeries } from "./LiveChart.tsx";
import { seriesId, toColumns, type PointField } from "../_live/liveSeries.ts";
import type { TopicState } from "../_live/liveState.ts";

export const RANGES = ["live", "15m", "1h", "24h"] as const;
export type RangeKey = (typeof RANGES)[number];
export const RANGE_MS: Record<RangeKey, number> = { live: 5 * 60_000, "15m": 15 * 60_000, "1h": 3_600_000, "24h": 86_400_000 };

/** Wall clock rounded to `stepMs`, refreshed every step (stable query keys between renders). */
export function useNow(stepMs: number): number {
  const [now, setNow] = useState(() => Math.floor(Date.now() / stepMs) * stepMs);
  useEffect(() => {
    const t = setInterval(() => setNow(Math.floor(Date.now() / stepMs) * stepMs), stepMs);
    return () => clearInterval(t);
  }, [stepMs]);
  return now;
}

export interface SeriesRef {
  directorId: string;
  serviceKey: string;
  /** "address|port" for a real server */
  destination?: string;
}

interface Points {
  points: LivePoint[];
  stepMs: number;
  xRange?: [number, number];
  state: "ready" | "loading" | "error";
  error?: string;
}

export function useSeriesPoints(ref: SeriesRef, range: RangeKey, topic: TopicState | null, tick: number): Points {
  const trpc = useTRPC();
  const now = useNow(range === "24h" ? 60_000 : 10_000);
  const from = now - RANGE_MS[range];
  const history = useQuery({
    ...trpc.live.history.queryOptions({ ...ref, from, to: now + 10_000, maxPoints: 300 }),
    enabled: range !== "live",
    refetchInterval: range === "24h" ? 60_000 : 10_000,
    placeholderData: (prev) => prev,
  });
  // the live chart starts full: the server's last 5 minutes (its 1 s ring) once, then the socket's points
  const [mountedAt] = useState(() => Math.floor(Date.now() / 1000) * 1000);
  const backfill = useQuery({
    ...trpc.live.history.queryOptions({ ...ref, ...backfillRange(mountedAt) }),
    enabled: range === "live",
    staleTime: Infinity,
    refetchInterval: false,
  });
  const id = seriesId(ref.directorId, ref.serviceKey, ref.destination);
  const live = useMemo(() => {
    const last = topic?.series.get(id)?.last();
    if (!topic || !last) return [];
    return topic.series.get(id)!.since(last.at - RANGE_MS.live);
    // tick: the ring is mutated in place and versioned by the store
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [topic, id, tick]);
  if (range === "live") {
    // a fixed 5-minute window ending at the newest sample: the line scrolls, the axis does not jump
    const points = withBackfill(backfill.data?.points ?? [], live);
    const last = points[points.length - 1];
    return { points, stepMs: 1000, state: "ready", xRange: last ? [(last.at - RANGE_MS.live) / 1000, last.at / 1000] : undefined };
  }
  if (history.isError) return { points: [], stepMs: 60_000, state: "error", error: history.error.message };
  if (!history.data) return { points: [], stepMs: 60_000, state: "loading" };
  return { points: history.data.points, stepMs: history.data.stepMs, xRange: [from / 1000, now / 1000], state: "ready" };
}

/**
 * The backfill request: the live window before the page was opened, at one point per second. The server
 * averages into wider steps when the span holds more seconds than maxPoints (a 310 s span with 300
 * points came back in 2 s steps, which the chart used to throw away: every page load started empty).
 */
export function backfillRange(mountedAt: number): { from: number; to: number; maxPoints: number } {
  const from = mountedAt - RANGE_MS.live;
  const to = mountedAt + 10_000;
  return { from, to, maxPoints: Math.ceil((to - from) / 1000) };
}

/** History older than the first live point, then the live points (one per second, in time order). */
export function withBackfill(history: readonly LivePoint[], live: readonly LivePoint[]): LivePoint[] {
  if (history.length === 0) return live as LivePoint[];
  const first = live[0]?.at ?? Infinity;
  const last = live[live.length - 1]?.at ?? Infinity;
  return [...history.filter((p) => p.at < first && p.at >= (Number.isFinite(last) ? last : p.at) - RANGE_MS.live), ...live];
}

const C = { cps: "#2563eb", in: "#059669", out: "#d97706", active: "#7c3aed", inact: "#94a3b8" };

export function SeriesCharts({ testId, title, seriesRef, range, topic, tick }: {
  testId: string; title: string; seriesRef: SeriesRef; range: RangeKey; topic: TopicState | null; tick: number;
}) {
  const t = useTranslations("live.charts");
  const p = useSeriesPoints(seriesRef, range, topic, tick);
  const cols = (fields: PointField[]) => toColumns(p.points, fields, p.stepMs);
  // largest step between consecutive points: 1 s while live and nothing was missed
  let maxGap = 0;
  for (let i = 1; i < p.points.length; i++) maxGap = Math.max(maxGap, p.points[i]!.at - p.points[i - 1]!.at);
  const groups: { key: string; title: string; unit?: string; fields: PointField[]; series: ChartSeries[] }[] = [
    { key: "cps", title: t("cps"), unit: "/s", fields: ["cps"], series: [{ key: "cps", label: t("conns"), color: C.cps }] },
    { key: "pps", title: t("pps"), unit: "/s", fields: ["inPps", "outPps"], series: [{ key: "in", label: t("in"), color: C.in }, { key: "out", label: t("out"), color: C.out }] },
    { key: "bps", title: t("bps"), unit: "B/s", fields: ["inBps", "outBps"], series: [{ key: "in", label: t("in"), color: C.in }, { key: "out", label: t("out"), color: C.out }] },
    { key: "conns", title: t("connections"), fields: ["activeConns", "inactConns"], series: [{ key: "active", label: t("active"), color: C.active }, { key: "inact", label: t("inactive"), color: C.inact }] },
  ];
  return (
    <section className="rounded-md border border-slate-200 bg-slate-50 p-2" data-testid={testId} data-state={p.state} data-points={p.points.length}
      data-max-gap={maxGap} data-first-at={p.points[0]?.at ?? ""} data-last-at={p.points[p.points.length - 1]?.at ?? ""}
      data-max-cps={p.points.reduce((m, x) => Math.max(m, x.cps), 0)}>
      <h3 className="mb-2 flex items-center justify-between font-mono text-xs font-semibold text-slate-800">
        <span>{title}</span>
        {p.state === "loading" && <span className="font-sans font-normal text-slate-400">{t("loading")}</span>}
        {p.state === "error" && <span className="font-sans font-normal text-red-600">{p.error}</span>}
      </h3>
      <div className="grid grid-cols-1 gap-2 md:grid-cols-2 2xl:grid-cols-4">
        {groups.map((g) => (
          <LiveChart key={g.key} testId={`${testId}-${g.key}`} title={g.title} unit={g.unit} series={g.series} data={cols(g.fields)} xRange={p.xRange} />
        ))}
      </div>
    </section>
  );
}
