"use client";
/**
 * One uPlot time-series chart. The instance is created once per mount and fed with setData on
 * every update (1 Hz live), so it redraws a canvas instead of re-rendering React. Width follows the
 * container (ResizeObserver). The latest value of each series is also written to data-* attributes
 * and a text legend, for people and for tests.
 */
import { useLocale } from "next-intl";
import { useEffect, useRef } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { compact } from "../_live/format.ts";

export interface ChartSeries {
  /** stable id: the chart's data-last-<key> attribute */
  key: string;
  label: string;
  color: string;
}

export interface LiveChartProps {
  testId: string;
  title: string;
  series: readonly ChartSeries[];
  /** [x seconds[], ...one column per series] */
  data: [number[], ...(number | null)[][]];
  unit?: string;
  height?: number;
  /** x window in seconds (the live 5 minutes, or the history range) */
  xRange?: [number, number];
}

function lastValue(col: readonly (number | null)[]): number | null {
  for (let i = col.length - 1; i >= 0; i--) if (col[i] !== null && col[i] !== undefined) return col[i]!;
  return null;
}

export function LiveChart({ testId, title, series, data, unit = "", height = 120, xRange }: LiveChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const labels = series.map((s) => `${s.key}:${s.label}:${s.color}`).join("|");
  const locale = useLocale();

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const clock = new Intl.DateTimeFormat(locale, { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
    const opts: uPlot.Options = {
      width: Math.max(200, el.clientWidth),
      height,
      legend: { show: false },
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: true }, y: { range: (_u, min, max) => [0, Math.max(1, max * 1.1, min)] } },
      axes: [
        // one short label per tick (HH:MM in the user's locale and zone), ticks at least 64 px apart:
        // uPlot's default two-line date+time labels ran into each other on narrow charts
        { stroke: "#64748b", grid: { stroke: "#e2e8f0" }, ticks: { stroke: "#e2e8f0" }, font: "10px system-ui", space: 64, values: (_u, vals) => vals.map((v) => clock.format(v * 1000)) },
        { stroke: "#64748b", grid: { stroke: "#e2e8f0" }, ticks: { stroke: "#e2e8f0" }, font: "10px system-ui", size: 44, values: (_u, vals) => vals.map((v) => compact(v)) },
      ],
      series: [{}, ...series.map((s) => ({ label: s.label, stroke: s.color, width: 1.5, fill: `${s.color}18`, spanGaps: false, points: { show: false } }))],
    };
    const u = new uPlot(opts, data as uPlot.AlignedData, el);
    plot.current = u;
    const ro = new ResizeObserver(() => u.setSize({ width: Math.max(200, el.clientWidth), height }));
    ro.observe(el);
    return () => {
      ro.disconnect();
      u.destroy();
      plot.current = null;
    };
    // the chart is rebuilt only when its series change; data flows in through setData below
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [labels, height, locale]);

  useEffect(() => {
    const u = plot.current;
    if (!u) return;
    // y always follows the data; x is pinned to the window when one is given
    u.batch(() => {
      u.setData(data as uPlot.AlignedData, true);
      if (xRange) u.setScale("x", { min: xRange[0], max: xRange[1] });
    });
  }, [data, xRange]);

  const latest = series.map((_, i) => lastValue(data[i + 1] ?? []));
  return (
    <figure className="min-w-0 rounded border border-slate-200 bg-white p-2" data-testid={testId} data-points={data[0].length}
      {...Object.fromEntries(series.map((s, i) => [`data-last-${s.key}`, latest[i] ?? ""]))}>
      <figcaption className="mb-1 flex flex-wrap items-baseline justify-between gap-x-2 text-xs">
        <span className="font-medium text-slate-700">{title}</span>
        <span className="flex gap-2 font-mono text-[11px]">
          {series.map((s, i) => (
            <span key={s.key} style={{ color: s.color }}>
              {s.label} {latest[i] === null ? "–" : `${compact(latest[i]!)}${unit}`}
            </span>
          ))}
        </span>
      </figcaption>
      <div ref={box} className="w-full" />
    </figure>
  );
}
