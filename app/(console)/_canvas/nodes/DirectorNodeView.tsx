"use client";
import { Handle, Position, type NodeProps } from "@xyflow/react";
import { useTranslations } from "next-intl";
import { memo } from "react";
import type { DirectorNode } from "../graph.ts";
import { IssueBadge } from "./IssueBadge.tsx";
import { directorLines } from "../labels.ts";
import { LiveNodeStats, useDirectorTone } from "../overlays/liveOverlays.tsx";

/** A director: name, engine and its DIPs. Placement edges leave on the right towards services. */
export const DirectorNodeView = memo(function DirectorNodeView({ id, data, selected }: NodeProps<DirectorNode>) {
  const d = data.director;
  const t = useTranslations("editor.node");
  const tone = useDirectorTone(id, "border-slate-600");
  return (
    <div
      data-testid={`node-${id}`}
      data-kind="director"
      className={`w-56 rounded-md border-2 bg-slate-800 px-3 py-2 text-slate-50 shadow-sm ${selected ? "border-sky-400 ring-2 ring-sky-300" : tone}`}
    >
      <div className="flex items-center justify-between gap-2">
        <span className="truncate text-sm font-semibold" data-testid={`node-${id}-name`}>{d.name}</span>
        <span className="flex items-center gap-1">
          <span className="rounded bg-slate-600 px-1 text-[10px] uppercase">{d.engine}</span>
          <IssueBadge objectId={id} />
        </span>
      </div>
      <div className="mt-1 font-mono text-[11px] leading-4 text-slate-300">
        {directorLines(d).map((l) => <div key={l}>DIP {l}</div>)}
        {d.interfaces.length === 0 && <div className="italic text-slate-400">{t("noDip")}</div>}
      </div>
      <LiveNodeStats id={id} kind="director" />
      <Handle type="source" position={Position.Right} className="!h-3 !w-3 !bg-sky-400" />
    </div>
  );
});
