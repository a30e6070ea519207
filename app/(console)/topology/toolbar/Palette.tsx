"use client";
import { useTranslations } from "next-intl";
import type { DragEvent } from "react";
import { NODE_KINDS, type NodeKind } from "../../_canvas/graph.ts";

export const DND_MIME = "application/x-lvs-node-kind";

const STYLE: Record<NodeKind, string> = {
  director: "border-slate-600 bg-slate-800 text-white",
  service: "border-indigo-400 bg-white text-indigo-900",
  realServer: "border-emerald-500 bg-emerald-50 text-emerald-900",
};

/** The three node kinds, dragged (HTML5 DnD) onto the canvas. */
export function Palette() {
  const t = useTranslations("editor.palette");
  const onDragStart = (e: DragEvent, kind: NodeKind) => {
    e.dataTransfer.setData(DND_MIME, kind);
    e.dataTransfer.setData("text/plain", kind);
    e.dataTransfer.effectAllowed = "move";
  };
  return (
    <aside className="flex w-36 shrink-0 flex-col gap-2 border-r border-slate-200 bg-white p-3" data-testid="palette">
      <h2 className="text-xs font-semibold uppercase tracking-wide text-slate-500">{t("title")}</h2>
      {NODE_KINDS.map((kind) => (
        <div
          key={kind}
          draggable
          onDragStart={(e) => onDragStart(e, kind)}
          data-testid={`palette-${kind}`}
          className={`cursor-grab select-none rounded border-2 px-2 py-2 text-sm font-medium shadow-sm active:cursor-grabbing ${STYLE[kind]}`}
          title={t(`${kind}Hint`)}
        >
          {t(kind)}
        </div>
      ))}
      <p className="mt-2 text-[11px] leading-4 text-slate-500">{t("help")}</p>
    </aside>
  );
}
