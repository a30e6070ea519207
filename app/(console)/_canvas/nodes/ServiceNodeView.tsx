"use client";
import { Handle, Position, type NodeProps } from "@xyflow/react";
import { useTranslations } from "next-intl";
import { memo } from "react";
import type { ServiceNode } from "../graph.ts";
import { IssueBadge } from "./IssueBadge.tsx";
import { serviceLine } from "../labels.ts";
import { LiveNodeStats } from "../overlays/liveOverlays.tsx";

/** A virtual service as `ipvsadm -Ln` prints it. Directors attach on the left, real servers on the right. */
export const ServiceNodeView = memo(function ServiceNodeView({ id, data, selected }: NodeProps<ServiceNode>) {
  const s = data.service;
  const placed = s.directorIds.length;
  const t = useTranslations("editor.node");
  return (
    <div
      data-testid={`node-${id}`}
      data-kind="service"
      className={`w-72 rounded-md border-2 bg-white px-3 py-2 shadow-sm ${selected ? "border-sky-500 ring-2 ring-sky-300" : "border-indigo-400"}`}
    >
      <Handle type="target" position={Position.Left} className="!h-3 !w-3 !bg-sky-400" />
      <div className="flex items-center justify-between gap-2">
        <span className="text-[10px] font-semibold uppercase tracking-wide text-indigo-600">
          VIP{placed >= 2 ? ` · ${t("haPair")}` : placed === 0 ? ` · ${t("unplaced")}` : ""}
        </span>
        <IssueBadge objectId={id} />
      </div>
      <div className="whitespace-pre font-mono text-xs text-slate-900" data-testid={`node-${id}-line`}>{serviceLine(s)}</div>
      {s.description && <div className="truncate text-[11px] text-slate-500">{s.description}</div>}
      <LiveNodeStats id={id} kind="service" />
      <Handle type="source" position={Position.Right} className="!h-3 !w-3 !bg-indigo-500" />
    </div>
  );
});
