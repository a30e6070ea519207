"use client";
import { Handle, Position, type NodeProps } from "@xyflow/react";
import { useTranslations } from "next-intl";
import { memo } from "react";
import type { HealthValue } from "@/lvs/stats/topologyStats.ts";
import { useLiveFigures } from "../../_live/LiveContext.tsx";
import type { PoolNode } from "../groups/groupGraph.ts";
import { useShowOpened } from "../groups/useShowOpened.ts";
import { useViewStore } from "../groups/ViewContext.ts";

/** Health of a pool's memberships from the live figures (null without live data). */
function usePoolHealth(membershipIds: readonly string[]): Record<HealthValue, number> | null {
  const live = useLiveFigures();
  if (!live) return null;
  const out: Record<HealthValue, number> = { up: 0, down: 0, unknown: 0 };
  for (const id of membershipIds) out[live.figures.memberships[id]?.health ?? "unknown"]++;
  return out;
}

/** A service's real servers collapsed into one node: how many, in which state, how healthy. */
export const PoolNodeView = memo(function PoolNodeView({ id, data }: NodeProps<PoolNode>) {
  const t = useTranslations("editor.groups");
  const view = useViewStore();
  const health = usePoolHealth(data.membershipIds);
  const showOpened = useShowOpened();
  const tone = health && health.down > 0 ? (health.up > 0 ? "border-amber-500" : "border-red-600 bg-red-50") : "border-emerald-500";
  return (
    <div
      data-testid={`pool-${data.serviceId}`}
      data-kind="pool"
      data-expanded={String(data.expanded)}
      data-count={data.realServerIds.length}
      data-health={health ? `${health.up}/${health.down}/${health.unknown}` : undefined}
      className={`w-52 rounded-md border-2 border-dashed bg-emerald-50 px-3 py-2 shadow-sm ${tone}`}
    >
      <Handle type="target" position={Position.Left} className="!h-3 !w-3 !bg-emerald-500" isConnectable={false} />
      <button
        type="button"
        data-testid={`pool-toggle-${data.serviceId}`}
        onClick={() => {
          view.getState().toggle(id);
          if (!data.expanded) showOpened(id, data.realServerIds);
        }}
        disabled={data.realServerIds.length === 0}
        className="nodrag flex w-full items-center justify-between gap-2 text-left"
      >
        <span className="text-sm font-medium text-slate-900">{t("pool", { count: data.realServerIds.length })}</span>
        <span className="text-xs text-emerald-700">{data.expanded ? "▾" : "▸"}</span>
      </button>
      <div className="text-[11px] text-slate-600">
        {t("memberships", { active: data.memberships.active, draining: data.memberships.draining, disabled: data.memberships.disabled })}
      </div>
      {health && (
        <div className="mt-0.5 font-mono text-[10px]" data-testid={`pool-health-${data.serviceId}`}>
          <span className="text-emerald-700">{t("up", { count: health.up })}</span>{" · "}
          <span className="text-red-700">{t("down", { count: health.down })}</span>
          {health.unknown > 0 && <>{" · "}<span className="text-slate-500">{t("unknown", { count: health.unknown })}</span></>}
        </div>
      )}
      <Handle type="source" position={Position.Right} className="!h-3 !w-3 !bg-emerald-600" isConnectable={false} />
    </div>
  );
});
