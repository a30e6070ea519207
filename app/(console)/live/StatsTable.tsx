"use client";
/**
 * Per-director statistics table, like `ipvsadm -Ln --stats` or `--rate` plus Weight/ActiveConn/
 * InActConn; click a header to sort (again to reverse, a third time for ipvsadm's order).
 * "ipvsadm text" shows the same figures byte-for-byte as ipvsadm prints them.
 */
import { useTranslations } from "next-intl";
import { useMemo, useState } from "react";
import type { DirectorState } from "../_live/liveState.ts";
import { DateTime } from "../_ui/DateTime.tsx";
import { ZeroCounters, ZeroServiceButton, type ZeroTarget } from "./ZeroCounters.tsx";
import {
  CONN_COLUMNS, RATE_COLUMNS, STATS_COLUMNS, ipvsadmText, statsRows, type Sort, type SortColumn, type StatsMode,
} from "./statsRows.ts";

const HEAD: Record<Exclude<SortColumn, "name">, string> = {
  conns: "Conns", inPkts: "InPkts", outPkts: "OutPkts", inBytes: "InBytes", outBytes: "OutBytes",
  cps: "CPS", inPps: "InPPS", outPps: "OutPPS", inBps: "InBPS", outBps: "OutBPS",
  weight: "Weight", activeConns: "ActiveConn", inactConns: "InActConn",
};

const MAX_ROWS = 300;

const btn = (on: boolean) =>
  `rounded border px-2 py-0.5 text-xs ${on ? "border-sky-500 bg-sky-50 text-sky-800" : "border-slate-300 bg-white text-slate-700 hover:bg-slate-50"}`;

export function StatsTable({ director, tick }: { director: DirectorState; tick: number }) {
  const t = useTranslations("live.stats");
  const [mode, setMode] = useState<StatsMode>("stats");
  const [sort, setSort] = useState<Sort | null>(null);
  const [text, setText] = useState(false);
  const [exact, setExact] = useState(true);
  const [filter, setFilter] = useState("");
  const [all, setAll] = useState(false);
  const [zeroTarget, setZeroTarget] = useState<ZeroTarget | null>(null);
  // tick: the director state is mutated in place by the live client
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const rows = useMemo(() => statsRows(director.services.values(), sort), [director, sort, tick]);
  // filter: a matching service keeps all its real servers; otherwise only matching real servers
  // (under their service) are kept. Large tables are cut at MAX_ROWS until "show all".
  const shown = useMemo(() => {
    const f = filter.trim();
    if (!f) return rows;
    const serviceHit = new Set(rows.filter((r) => r.kind === "service" && r.name.includes(f)).map((r) => r.serviceKey));
    const destHit = new Set(rows.filter((r) => r.kind === "destination" && r.name.includes(f)).map((r) => r.serviceKey));
    return rows.filter((r) => serviceHit.has(r.serviceKey) || (destHit.has(r.serviceKey) && (r.kind === "service" || r.name.includes(f))));
  }, [rows, filter]);
  const visible = all ? shown : shown.slice(0, MAX_ROWS);
  const columns = [...CONN_COLUMNS, ...(mode === "stats" ? STATS_COLUMNS : RATE_COLUMNS)];
  const cycle = (column: SortColumn) =>
    setSort((s) => (!s || s.column !== column ? { column, descending: column !== "name" } : s.descending === (column !== "name") ? { column, descending: !s.descending } : null));
  const arrow = (c: SortColumn) => (sort?.column === c ? (sort.descending ? " ▼" : " ▲") : "");

  return (
    <section className="rounded-md border border-slate-200 bg-white" data-testid="stats-table" data-director={director.key} data-mode={mode}>
      <div className="flex flex-wrap items-center gap-2 border-b border-slate-200 px-3 py-2">
        <h2 className="mr-2 text-sm font-semibold text-slate-900">{t("title", { director: director.name })}</h2>
        <button type="button" className={btn(mode === "stats")} data-testid="stats-mode-stats" onClick={() => setMode("stats")}>--stats</button>
        <button type="button" className={btn(mode === "rate")} data-testid="stats-mode-rate" onClick={() => setMode("rate")}>--rate</button>
        <span className="mx-1 h-4 w-px bg-slate-200" />
        <button type="button" className={btn(text)} data-testid="stats-text-toggle" onClick={() => setText((x) => !x)}>{t("ipvsadmText")}</button>
        <ZeroCounters directorId={director.directorId} directorName={director.name} target={zeroTarget} onTarget={setZeroTarget} />
        {text && (
          <label className="flex items-center gap-1 text-xs text-slate-600">
            <input type="checkbox" checked={exact} onChange={(e) => setExact(e.target.checked)} data-testid="stats-exact" /> --exact
          </label>
        )}
        <input
          className="w-40 rounded border border-slate-300 px-1.5 py-0.5 font-mono text-xs"
          placeholder={t("filter")}
          aria-label={t("filter")}
          data-testid="stats-filter"
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
        />
        {director.at !== null && <span className="ml-auto text-xs text-slate-400">{t("at")} <DateTime at={director.at} style="time" /></span>}
      </div>
      {text ? (
        <pre className="overflow-x-auto p-3 font-mono text-xs leading-5 text-slate-800" data-testid="stats-text">
          {`ipvsadm -Ln --${mode}${exact ? " --exact" : ""}\n${ipvsadmText(director.services.values(), mode, exact)}`}
        </pre>
      ) : rows.length === 0 ? (
        <p className="px-3 py-4 text-sm text-slate-500" data-testid="stats-empty">{t("empty")}</p>
      ) : (
        <div className="overflow-x-auto">
          <table className="w-full font-mono text-xs">
            <thead>
              <tr className="border-b border-slate-200 text-left text-[11px] text-slate-500">
                <th className="px-3 py-1.5 font-medium">
                  <button type="button" data-testid="stats-sort-name" onClick={() => cycle("name")}>
                    Prot LocalAddress:Port / -&gt; RemoteAddress:Port{arrow("name")}
                  </button>
                </th>
                {columns.map((c) => (
                  <th key={c} className="px-2 py-1.5 text-right font-medium" aria-sort={sort?.column === c ? (sort.descending ? "descending" : "ascending") : "none"}>
                    <button type="button" data-testid={`stats-sort-${c}`} onClick={() => cycle(c)}>{HEAD[c]}{arrow(c)}</button>
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {visible.map((r) => (
                <tr key={r.id} data-testid={`stats-row-${r.id}`} data-kind={r.kind} className={r.kind === "service" ? "border-t border-slate-100 bg-slate-50 font-semibold" : ""}>
                  <td className="whitespace-pre px-3 py-1">
                    {r.kind === "service" ? r.name : `  -> ${r.name}`}
                    {r.kind === "service" && <ZeroServiceButton serviceKey={r.serviceKey} label={r.name} onTarget={setZeroTarget} />}
                  </td>
                  {columns.map((c) => (
                    <td key={c} className="px-2 py-1 text-right tabular-nums" data-col={c} data-value={r.values[c] ?? ""}>
                      {r.values[c] ?? ""}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
          {visible.length < shown.length && (
            <button type="button" className="px-3 py-2 text-xs text-sky-700 hover:underline" data-testid="stats-all" onClick={() => setAll(true)}>
              {t("showAll", { count: shown.length })}
            </button>
          )}
        </div>
      )}
    </section>
  );
}
