"use client";
/**
 * Live overlays drawn inside the editor's nodes and edges (nodes/*NodeView.tsx, edges/MembershipEdgeView.tsx
 * render these). Each reads useLiveFigures(); without a live provider they render nothing and the
 * hooks return neutral values, so the plain editor looks as before.
 */
import { useTranslations } from "next-intl";
import type { HealthValue } from "@/lvs/stats/topologyStats.ts";
import { useLiveFigures } from "../../_live/LiveContext.tsx";
import { compact, trafficWidth } from "../../_live/format.ts";
import { drainWord } from "./drainWord.ts";
import { agentState } from "./agentState.ts";

type Kind = "director" | "service" | "realServer";

/** "12 conn/s · 40 active" under a node's title. */
export function LiveNodeStats({ id, kind }: { id: string; kind: Kind }) {
  const live = useLiveFigures();
  const t = useTranslations("live.overlay");
  if (!live) return null;
  const f = kind === "director" ? live.figures.directors[id] : kind === "service" ? live.figures.services[id] : live.figures.realServers[id];
  if (!f) return null;
  const rs = kind === "realServer" ? live.figures.realServers[id] : undefined;
  // a director no agent ever connected for (never enrolled, or not started) is a draft, not a failure
  const agent = kind === "director" ? agentState(live.directors[id]) : undefined;
  const online = agent === undefined ? undefined : agent === "online";
  const drain = rs ? drainWord({ quiesced: rs.quiesced, activeConns: f.activeConns, inactConns: f.inactConns }) : null;
  return (
    <div
      data-testid={`live-node-${id}`}
      data-cps={f.rates.cps}
      data-active={f.activeConns}
      data-inact={f.inactConns}
      data-health={rs?.health}
      data-quiesced={rs ? String(rs.quiesced) : undefined}
      data-drain={drain ?? undefined}
      data-online={online === undefined ? undefined : String(online)}
      data-agent={agent}
      className={`mt-1 flex flex-wrap items-center gap-x-2 rounded px-1 font-mono text-[10px] leading-4 ${kind === "director" ? "bg-slate-700 text-slate-100" : "bg-slate-100 text-slate-700"}`}
    >
      {agent === "none" && (
        <span className="font-sans font-semibold uppercase text-slate-300" data-testid={`live-node-${id}-enrolment`} title={t("notEnrolledHint")}>
          ○ {t("notEnrolled")}
        </span>
      )}
      {agent !== undefined && agent !== "none" && (
        <span className={`font-sans font-semibold uppercase ${online ? "text-emerald-300" : "text-red-300"}`}>
          ● {online ? t("online") : t("offline")}
        </span>
      )}
      <span>{t("cps", { value: compact(f.rates.cps) })}</span>
      <span>{t("active", { value: compact(f.activeConns) })}</span>
      {rs && rs.health !== "unknown" && <span className={`font-sans font-semibold uppercase ${HEALTH_TEXT[rs.health]}`}>{t(`health.${rs.health}`)}</span>}
      {drain && <span className="font-sans font-semibold uppercase text-amber-700" data-testid={`live-node-${id}-drain`}>{t(drain)}</span>}
    </div>
  );
}

const HEALTH_TEXT: Record<HealthValue | "partial", string> = {
  up: "text-emerald-700", down: "text-red-700", partial: "text-amber-700", unknown: "text-slate-500",
};

const HEALTH_BORDER: Record<HealthValue | "partial", string> = {
  up: "border-emerald-500", down: "border-red-600 bg-red-50", partial: "border-amber-500", unknown: "border-emerald-500",
};

/** Border (and background) classes of a real server coloured by health; quiesced ones look faded. */
export function useRealServerTone(id: string, fallback: string): string {
  const live = useLiveFigures();
  const f = live?.figures.realServers[id];
  if (!f) return fallback;
  return `${HEALTH_BORDER[f.health]}${f.quiesced ? " opacity-60 border-dashed" : ""}`;
}

/** Director frame when live: red when its enrolled agent is offline. */
export function useDirectorTone(id: string, fallback: string): string {
  const live = useLiveFigures();
  const d = live?.directors[id];
  if (!live) return fallback;
  const a = agentState(d);
  // no agent ever connected (a draft): the plain frame, not a red error
  return a === "online" ? "border-emerald-400" : a === "offline" ? "border-red-500" : fallback;
}

export interface EdgeTraffic {
  width: number;
  /** stroke dashes that move while traffic flows */
  animated: boolean;
  quiesced: boolean;
  cps: number;
  health: HealthValue;
}

/** How a membership edge follows traffic; null without live data. */
export function useEdgeTraffic(membershipId: string): EdgeTraffic | null {
  const live = useLiveFigures();
  const m = live?.figures.memberships[membershipId];
  if (!live || !m) return null;
  return {
    width: trafficWidth(m.rates.cps, live.maxMemberCps),
    animated: m.rates.cps > 0 || m.activeConns > 0,
    quiesced: m.weight === 0,
    cps: m.rates.cps,
    health: m.health,
  };
}
