"use client";
/**
 * Deploy view of one topology: drift banner, plan (per director ipvsadm ops) → apply (sequential or
 * parallel) with live progress and per-director results, revisions with rollback and a readable diff,
 * drains. Saving in the editor changes nothing on the directors; this page is where changes go live.
 * Progress, acks and drain changes arrive over `/api/live` (useDeployEvents); polls are the fallback.
 */
import { useQuery } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useState } from "react";
import { useErrorText } from "../../_shell/useErrorText.ts";
import { useTRPC } from "../../trpc.ts";
import { LiveProvider } from "../_live/LiveContext.tsx";
import { TopologyTabs } from "../_ui/TopologyTabs.tsx";
import { DiffPanel } from "./DiffPanel.tsx";
import { DrainsPanel } from "./DrainsPanel.tsx";
import { DriftBanner } from "./DriftBanner.tsx";
import { PlanPanel } from "./PlanPanel.tsx";
import { RevisionsPanel } from "./RevisionsPanel.tsx";
import { RolloutPanel } from "./RolloutPanel.tsx";
import { DeployEventsContext, useDeployEvents } from "./useDeployEvents.ts";

export function DeployView({ id }: { id: string }) {
  return (
    <LiveProvider>
      <DeployEventsContext.Provider value={true}>
        <DeployPage id={id} />
      </DeployEventsContext.Provider>
    </LiveProvider>
  );
}

function DeployPage({ id }: { id: string }) {
  useDeployEvents(id);
  const t = useTranslations("deploy");
  const errorText = useErrorText();
  const trpc = useTRPC();
  const topo = useQuery(trpc.topology.get.queryOptions({ id }));
  /** the revision to plan and apply; null = the latest saved */
  const [target, setTarget] = useState<number | null>(null);
  const [rolloutId, setRolloutId] = useState<string | null>(null);

  if (topo.isPending) return <div className="p-6 text-sm text-slate-500" data-testid="deploy-loading">{t("loading")}</div>;
  if (topo.isError) return <div className="p-6 text-sm text-red-700" role="alert" data-testid="deploy-load-error">{errorText(topo.error).text}</div>;
  const latest = topo.data.revision;
  const revision = target ?? latest;

  return (
    <div className="flex min-h-0 flex-1 flex-col" data-testid="deploy-view">
      <TopologyTabs id={id} active="deploy" />
      <div className="mx-auto w-full max-w-6xl space-y-4 overflow-y-auto px-6 py-5">
        <div>
          <h1 className="text-lg font-semibold tracking-tight text-slate-900" data-testid="deploy-topology-name">{topo.data.name}</h1>
          <p className="mt-1 text-sm text-slate-500">{t("subtitle", { revision: latest })}</p>
        </div>
        <DriftBanner topologyId={id} onRollout={setRolloutId} />
        <PlanPanel
          key={revision}
          topologyId={id}
          revision={revision}
          latest={latest}
          onPickLatest={() => setTarget(null)}
          onRollout={(rid) => setRolloutId(rid)}
        />
        <RolloutPanel topologyId={id} rolloutId={rolloutId} />
        <RevisionsPanel topologyId={id} latest={latest} selected={revision} onPlan={(rev) => { setTarget(rev === latest ? null : rev); window.scrollTo({ top: 0 }); }} />
        <DiffPanel topologyId={id} latest={latest} />
        <DrainsPanel topologyId={id} />
      </div>
    </div>
  );
}
