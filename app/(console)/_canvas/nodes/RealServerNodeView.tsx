"use client";
import { Handle, Position, type NodeProps } from "@xyflow/react";
import { useTranslations } from "next-intl";
import { memo } from "react";
import type { RealServerNode } from "../graph.ts";
import { IssueBadge } from "./IssueBadge.tsx";
import { hostPort } from "../labels.ts";
import { LiveNodeStats, useRealServerTone } from "../overlays/liveOverlays.tsx";

/** A real server: name and RIP[:port]. Memberships arrive on the left. */
export const RealServerNodeView = memo(function RealServerNodeView({ id, data, selected }: NodeProps<RealServerNode>) {
  const r = data.realServer;
  const t = useTranslations("editor.node");
  const tone = useRealServerTone(id, "border-emerald-500");
  return (
    <div
      data-testid={`node-${id}`}
      data-kind="realServer"
      className={`w-52 rounded-md border-2 bg-emerald-50 px-3 py-2 shadow-sm ${selected ? "border-sky-500 ring-2 ring-sky-300" : tone}`}
    >
      <Handle type="target" position={Position.Left} className="!h-3 !w-3 !bg-emerald-500" />
      <div className="flex items-center justify-between gap-2">
        <span className="truncate text-sm font-medium text-slate-900">{r.name || t("unnamedRealServer")}</span>
        <IssueBadge objectId={id} />
      </div>
      <div className="font-mono text-xs text-slate-700" data-testid={`node-${id}-rip`}>RIP {hostPort(r.address, r.port)}</div>
      <LiveNodeStats id={id} kind="realServer" />
    </div>
  );
});
