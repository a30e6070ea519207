"use client";
import { BaseEdge, getBezierPath, type EdgeProps } from "@xyflow/react";
import { memo } from "react";
import type { ForwardingMethod } from "@/lvs/model.ts";
import type { MembershipEdge } from "../graph.ts";
import { useEditor } from "../store/context.ts";
import { nodeById } from "../store/nodeIndex.ts";
import { IssueBadge } from "../nodes/IssueBadge.tsx";
import { destinationLine } from "../labels.ts";
import { EdgeLabelPortal } from "./EdgeLabelPortal.tsx";
import { useEdgeTraffic } from "../overlays/liveOverlays.tsx";
import { useMembershipMark } from "../overlays/membershipMarks.tsx";

export const METHOD_COLOR: Record<ForwardingMethod, string> = { dr: "#2563eb", nat: "#ea580c", tun: "#9333ea" };

/** service → real server: `-> RIP:port Route 1`; colour = method, dashes = draining, faint = disabled. */
export const MembershipEdgeView = memo(function MembershipEdgeView(props: EdgeProps<MembershipEdge>) {
  const { id, source, target, data, selected, sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition } = props;
  // the label's objects from the document store by the membership's own ends (in the grouped canvas
  // the edge leaves the service's pool node); not React Flow's useNodesData, whose selectors run for
  // every edge on every pan frame (bench:editor profile)
  const svcNode = useEditor((s) => nodeById(s.nodes, data?.membership.serviceId ?? source));
  const rsNode = useEditor((s) => nodeById(s.nodes, data?.membership.realServerId ?? target));
  const svc = svcNode?.type === "service" ? svcNode.data.service : undefined;
  const rs = rsNode?.type === "realServer" ? rsNode.data.realServer : undefined;
  const [path, labelX, labelY] = getBezierPath({ sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition });
  // live view: thickness follows conns/s, moving dashes while traffic flows, quiesced = dashed
  const traffic = useEdgeTraffic(id);
  // ✓/✗ from the real server's agent (its checks for this membership)
  const mark = useMembershipMark(id);
  if (!data) return null;
  const m = data.membership;
  const color = METHOD_COLOR[m.method];
  const style = {
    stroke: m.state === "disabled" ? "#94a3b8" : color,
    strokeWidth: Math.max(selected ? 3 : 1.75, traffic?.width ?? 0),
    strokeDasharray: m.state === "draining" || traffic?.quiesced ? "6 4" : m.state === "disabled" ? "2 4" : undefined,
    opacity: m.state === "disabled" ? 0.6 : 1,
  };
  return (
    <>
      <BaseEdge id={id} path={path} style={style} interactionWidth={16} />
      {traffic?.animated && !traffic.quiesced && (
        <path d={path} fill="none" stroke="white" strokeOpacity={0.8} strokeWidth={Math.max(1, style.strokeWidth / 2.5)} strokeDasharray="3 9" pointerEvents="none" data-testid={`edge-${id}-flow`}>
          <animate attributeName="stroke-dashoffset" from="24" to="0" dur="1s" repeatCount="indefinite" />
        </path>
      )}
      <EdgeLabelPortal>
        <div
          data-testid={`edge-${id}`}
          data-method={m.method}
          data-state={m.state}
          data-live-cps={traffic?.cps}
          data-live-width={traffic?.width}
          data-live-quiesced={traffic ? String(traffic.quiesced) : undefined}
          className={`nodrag nopan pointer-events-auto absolute flex items-center gap-1 whitespace-nowrap rounded border bg-white/95 px-1 font-mono text-[10px] leading-4 shadow-sm ${selected ? "border-sky-500" : "border-slate-300"}`}
          style={{ transform: `translate(-50%, -50%) translate(${labelX}px, ${labelY}px)`, color: style.stroke }}
        >
          <span data-testid={`edge-${id}-line`}>
            {destinationLine(m, rs, svc)}
          </span>
          {m.state !== "active" && <span className="uppercase text-slate-500">{m.state}</span>}
          {mark && <span data-testid={`edge-${id}-verified`} data-verdict={mark} className={mark === "verified" ? "text-emerald-600" : "font-bold text-red-600"}>{mark === "verified" ? "✓" : "✗"}</span>}
          <IssueBadge objectId={id} />
        </div>
      </EdgeLabelPortal>
    </>
  );
});
