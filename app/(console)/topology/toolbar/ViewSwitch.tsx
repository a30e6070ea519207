"use client";
import { useTranslations } from "next-intl";
import { useView, useViewStore } from "../../_canvas/groups/ViewContext.ts";
import type { ViewMode } from "../../_canvas/groups/viewStore.ts";

const MODES: { mode: ViewMode; key: "viewGraph" | "viewGrouped" | "viewTable" }[] = [
  { mode: "graph", key: "viewGraph" },
  { mode: "grouped", key: "viewGrouped" },
  { mode: "table", key: "viewTable" },
];

/** All objects on the canvas, grouped by director and service (big clusters), or a table. */
export function ViewSwitch() {
  const t = useTranslations("editor.toolbar");
  const view = useViewStore();
  const mode = useView((s) => s.mode);
  return (
    <div className="flex items-center gap-0.5 rounded border border-slate-300 p-0.5" role="radiogroup" aria-label={t("view")} data-testid="view-switch" data-mode={mode}>
      {MODES.map((m) => (
        <button
          key={m.mode}
          type="button"
          role="radio"
          aria-checked={mode === m.mode}
          data-testid={`view-${m.mode}`}
          onClick={() => view.getState().setMode(m.mode)}
          className={`rounded px-2 py-0.5 text-xs font-medium ${mode === m.mode ? "bg-slate-800 text-white" : "text-slate-600 hover:bg-slate-100"}`}
        >
          {t(m.key)}
        </button>
      ))}
    </div>
  );
}
