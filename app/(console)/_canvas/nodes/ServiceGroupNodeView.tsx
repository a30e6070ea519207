"use client";
import { Handle, Position, type NodeProps } from "@xyflow/react";
import { useTranslations } from "next-intl";
import { memo } from "react";
import type { ServiceGroupNode } from "../groups/groupGraph.ts";
import { useShowOpened } from "../groups/useShowOpened.ts";
import { useViewStore } from "../groups/ViewContext.ts";

/** The virtual services placed on one director (or HA pair, or none): counts; click opens or closes it. */
export const ServiceGroupNodeView = memo(function ServiceGroupNodeView({ id, data }: NodeProps<ServiceGroupNode>) {
  const t = useTranslations("editor.groups");
  const view = useViewStore();
  const showOpened = useShowOpened();
  const total = data.serviceIds.length;
  return (
    <div
      data-testid={`group-${id}`}
      data-kind="serviceGroup"
      data-expanded={String(data.expanded)}
      data-services={total}
      data-shown={data.shown}
      className="w-64 rounded-md border-2 border-dashed border-indigo-400 bg-indigo-50 px-3 py-2 shadow-sm"
    >
      <Handle type="target" position={Position.Left} className="!h-3 !w-3 !bg-sky-400" isConnectable={false} />
      <button
        type="button"
        data-testid={`group-toggle-${id}`}
        onClick={() => {
          view.getState().toggle(id);
          if (!data.expanded) showOpened(id, data.serviceIds);
        }}
        className="nodrag flex w-full items-center justify-between gap-2 text-left"
      >
        <span className="text-[10px] font-semibold uppercase tracking-wide text-indigo-600">
          {data.directorIds.length === 0 ? t("unplaced") : data.directorIds.length > 1 ? t("haPair") : t("director")}
        </span>
        <span className="text-xs text-indigo-700">{data.expanded ? "▾" : "▸"}</span>
      </button>
      <div className="text-sm font-semibold text-slate-900">{t("services", { count: total })}</div>
      <div className="text-[11px] text-slate-600">
        {t("realServers", { count: data.realServers })} · {t("memberships", { active: data.memberships.active, draining: data.memberships.draining, disabled: data.memberships.disabled })}
      </div>
      {data.expanded && data.shown < total && (
        <div className="mt-1 text-[11px] text-amber-700" data-testid={`group-more-${id}`}>{t("more", { shown: data.shown, total })}</div>
      )}
      <Handle type="source" position={Position.Right} className="!h-3 !w-3 !bg-indigo-500" isConnectable={false} />
    </div>
  );
});
