"use client";
import { useTranslations } from "next-intl";
import { useMemo, useState } from "react";
import { useEditor } from "../../_canvas/store/context.ts";
import { searchText, serviceLine, hostPort } from "../../_canvas/labels.ts";
import type { EditorNode } from "../../_canvas/graph.ts";

const title = (n: EditorNode) =>
  n.type === "director"
    ? n.data.director.name
    : n.type === "service"
      ? serviceLine(n.data.service)
      : `${n.data.realServer.name} ${hostPort(n.data.realServer.address, n.data.realServer.port)}`;

/** Finds a node by name or address; Enter or a click focuses it. */
export function SearchBox({ focus }: { focus(id: string): void }) {
  const t = useTranslations("editor.search");
  const [q, setQ] = useState("");
  const nodes = useEditor((s) => s.nodes);
  const hits = useMemo(() => {
    const needle = q.trim().toLowerCase();
    if (!needle) return [];
    return nodes
      .filter((n) =>
        searchText(n.type === "director" ? n.data.director : n.type === "service" ? n.data.service : n.data.realServer).includes(needle),
      )
      .slice(0, 8);
  }, [q, nodes]);
  const go = (id: string) => {
    focus(id);
    setQ("");
  };
  return (
    <div className="relative">
      <input
        type="search"
        value={q}
        placeholder={t("placeholder")}
        aria-label={t("placeholder")}
        data-testid="search"
        onChange={(e) => setQ(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === "Enter" && hits[0]) go(hits[0].id);
          if (e.key === "Escape") setQ("");
        }}
        className="w-56 rounded border border-slate-300 px-2 py-1 text-sm"
      />
      {q.trim() && (
        <ul className="absolute left-0 top-full z-50 mt-1 w-80 rounded border border-slate-200 bg-white py-1 text-sm shadow-lg" data-testid="search-results">
          {hits.length === 0 && <li className="px-2 py-1 text-slate-400">{t("none")}</li>}
          {hits.map((n) => (
            <li key={n.id}>
              <button
                type="button"
                data-testid={`search-hit-${n.id}`}
                className="w-full truncate px-2 py-1 text-left font-mono text-xs hover:bg-sky-50"
                onClick={() => go(n.id)}
              >
                {title(n)}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
