"use client";
/**
 * The table view of a topology (big clusters): one row per virtual service, its memberships below
 * when opened; only the rows in view are rendered. A click selects the object, so the inspector
 * beside it edits it exactly as on the canvas; Delete removes the selection.
 */
import { useTranslations } from "next-intl";
import { useEffect, useMemo, useRef, useState } from "react";
import { useEditor, useEditorStore } from "../../_canvas/store/context.ts";
import { tableRows } from "./tableRows.ts";

const ROW_PX = 30;
const OVERSCAN = 10;
const selectedIdOf = (s: { nodes: { id: string; selected?: boolean }[]; edges: { id: string; selected?: boolean }[] }) =>
  s.nodes.find((n) => n.selected)?.id ?? s.edges.find((e) => e.selected)?.id ?? null;

export function ServiceTable() {
  const t = useTranslations("editor.table");
  const store = useEditorStore();
  const nodes = useEditor((s) => s.nodes);
  const edges = useEditor((s) => s.edges);
  const selected = useEditor(selectedIdOf);
  const [filter, setFilter] = useState("");
  const [open, setOpen] = useState<ReadonlySet<string>>(new Set());
  const rows = useMemo(() => tableRows(nodes, edges, filter, open), [nodes, edges, filter, open]);
  const box = useRef<HTMLDivElement>(null);
  const [scroll, setScroll] = useState({ top: 0, height: 600 });

  useEffect(() => {
    const el = box.current;
    if (el) setScroll({ top: el.scrollTop, height: el.clientHeight });
  }, []);

  // a selection made elsewhere (search, issues panel) scrolls its row into view
  useEffect(() => {
    const el = box.current;
    const i = selected ? rows.findIndex((r) => r.id === selected) : -1;
    if (!el || i < 0) return;
    const y = i * ROW_PX;
    if (y < el.scrollTop || y > el.scrollTop + el.clientHeight - ROW_PX) el.scrollTop = Math.max(0, y - el.clientHeight / 3);
  }, [selected, rows]);

  const first = Math.max(0, Math.floor(scroll.top / ROW_PX) - OVERSCAN);
  const last = Math.min(rows.length, Math.ceil((scroll.top + scroll.height) / ROW_PX) + OVERSCAN);
  const toggle = (id: string) =>
    setOpen((o) => {
      const next = new Set(o);
      if (!next.delete(id)) next.add(id);
      return next;
    });

  return (
    <div className="flex min-h-0 min-w-0 flex-1 flex-col bg-white" data-testid="table-view" data-rows={rows.length}>
      <div className="flex items-center gap-2 border-b border-slate-200 px-3 py-1.5">
        <input
          type="search"
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
          placeholder={t("filter")}
          aria-label={t("filter")}
          data-testid="table-filter"
          className="w-64 rounded border border-slate-300 px-2 py-1 text-sm"
        />
        <span className="text-xs text-slate-500" data-testid="table-count">{t("count", { count: rows.filter((r) => r.kind === "service").length })}</span>
      </div>
      <div className="grid grid-cols-[2rem_minmax(18rem,2fr)_minmax(8rem,1fr)_6rem] border-b border-slate-200 bg-slate-50 px-2 text-[11px] font-semibold uppercase text-slate-500">
        <span />
        <span>{t("service")}</span>
        <span>{t("directors")}</span>
        <span className="text-right">{t("realServers")}</span>
      </div>
      <div
        ref={box}
        className="relative min-h-0 flex-1 overflow-y-auto"
        onScroll={(e) => setScroll({ top: e.currentTarget.scrollTop, height: e.currentTarget.clientHeight })}
        data-testid="table-scroll"
      >
        <div style={{ height: rows.length * ROW_PX }} />
        {rows.slice(first, last).map((r, k) => {
          const top = (first + k) * ROW_PX;
          const isSel = r.id === selected;
          const base = `absolute left-0 right-0 grid h-[30px] cursor-pointer grid-cols-[2rem_minmax(18rem,2fr)_minmax(8rem,1fr)_6rem] items-center border-b border-slate-100 px-2 font-mono text-xs ${isSel ? "bg-sky-100" : "hover:bg-slate-50"}`;
          return r.kind === "service" ? (
            <div key={r.id} role="row" aria-selected={isSel} data-testid={`table-row-${r.id}`} className={base} style={{ top }} onClick={() => store.getState().select([r.id])}>
              <button type="button" data-testid={`table-open-${r.id}`} className="text-slate-500" onClick={(e) => { e.stopPropagation(); toggle(r.id); }} disabled={r.realServers === 0}>
                {r.open ? "▾" : "▸"}
              </button>
              <span className="truncate text-slate-900">{r.line}</span>
              <span className="truncate font-sans text-slate-600">{r.directors || t("unplaced")}</span>
              <span className="text-right text-slate-700">{r.realServers}</span>
            </div>
          ) : (
            <div key={r.id} role="row" aria-selected={isSel} data-testid={`table-row-${r.id}`} data-state={r.state} className={base} style={{ top }} onClick={() => store.getState().select([r.id])}>
              <span />
              <span className="truncate pl-6 text-slate-700">{r.line}{r.state !== "active" && <span className="ml-2 font-sans uppercase text-slate-500">{r.state}</span>}</span>
              <span className="truncate font-sans text-slate-600">{r.realServer}</span>
              <span />
            </div>
          );
        })}
      </div>
    </div>
  );
}
