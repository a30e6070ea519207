"use client";
/** Every drain of the topology, newest first, followed live while one is in progress. */
import { useQuery } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useTRPC } from "../../trpc.ts";
import { DrainControls } from "./DrainControls.tsx";
import { card } from "./ui.ts";
import { useLiveEvents } from "./useDeployEvents.ts";
import { DateTime } from "../_ui/DateTime.tsx";

const LIVE = new Set(["draining", "timed-out", "ramping"]);

export function useDrains(topologyId: string) {
  const trpc = useTRPC();
  // drain.changed re-reads them at once where the live socket is open (deploy view): slow fallback poll
  const live = useLiveEvents();
  return useQuery({
    ...trpc.deploy.drains.queryOptions({ topologyId }),
    refetchInterval: (q) => ((q.state.data ?? []).some((d) => LIVE.has(d.status)) ? (live ? 5000 : 1000) : (live ? 30_000 : 5000)),
  });
}

export function DrainsPanel({ topologyId }: { topologyId: string }) {
  const t = useTranslations("deploy.drain");
  const drains = useDrains(topologyId);
  if (!drains.data?.length) return null;
  return (
    <section className={card} data-testid="drains">
      <h2 className="border-b border-slate-200 px-4 py-2 text-sm font-semibold text-slate-900">{t("title")}</h2>
      <ul className="divide-y divide-slate-100">
        {drains.data.map((d) => (
          <li key={d.id} className="px-4 py-2" data-testid="drain-row">
            <div className="mb-1 text-sm text-slate-900">
              {d.label} <span className="text-xs text-slate-500">· {d.author ?? "—"} · <DateTime at={d.startedAt} /> · {t("revision", { revision: d.revision })}</span>
            </div>
            <DrainControls drain={d} topologyId={topologyId} />
          </li>
        ))}
      </ul>
    </section>
  );
}
