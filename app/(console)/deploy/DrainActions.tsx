"use client";
/**
 * Drain / enable on the editor's inspector (a real server, a membership or a director). Draining saves
 * and applies a revision at once (weight 0), so it needs the saved topology to be what runs.
 */
import { useMutation } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useParams } from "next/navigation";
import { useEffect, useState } from "react";
import { useCan } from "../../_shell/useSession.ts";
import { useErrorText } from "../../_shell/useErrorText.ts";
import { useTRPC } from "../../trpc.ts";
import { DrainControls } from "./DrainControls.tsx";
import { useDrains } from "./DrainsPanel.tsx";
import { btn, smallInput } from "./ui.ts";
import { useAfterDrainChange } from "./useAfterDrainChange.ts";
import { useLiveFigures } from "../_live/LiveContext.tsx";
import { anyAgent } from "../_canvas/overlays/agentState.ts";

export function DrainActions({ subject }: { subject: { kind: "realServer" | "membership" | "director"; key: string } }) {
  const params = useParams<{ id: string }>();
  const topologyId = params?.id;
  if (!topologyId) return null;
  return <DrainActionsFor topologyId={topologyId} subject={subject} />;
}

function DrainActionsFor({ topologyId, subject }: { topologyId: string; subject: { kind: "realServer" | "membership" | "director"; key: string } }) {
  const t = useTranslations("deploy.drain");
  const errorText = useErrorText();
  const trpc = useTRPC();
  const can = useCan("realServer.drain");
  const after = useAfterDrainChange(topologyId);
  const [timeoutS, setTimeoutS] = useState(300);
  const drains = useDrains(topologyId);
  const mine = (drains.data ?? []).find((d) => d.subject === `${subject.kind}:${subject.key}` || (subject.kind === "membership" && d.membershipKeys.includes(subject.key)));
  const current = mine && mine.status !== "enabled" ? mine : null;
  const drain = useMutation(trpc.deploy.drain.mutationOptions({ onSuccess: () => void after() }));
  // drain follows the connections an agent reports: offered only once an agent ran this topology
  // (before the live snapshot arrives the server stays the judge)
  const live = useLiveFigures();
  const noAgent = live !== null && !anyAgent(live.directors);
  // slow start saves a revision per step in the background: reload when the drain's state moves on
  const status = mine?.status;
  useEffect(() => {
    if (status === "enabled") void after();
  }, [status, after]);
  return (
    <section className="mt-3 space-y-2 rounded border border-slate-200 p-2" data-testid="drain-actions" data-subject={`${subject.kind}:${subject.key}`}>
      <h4 className="text-xs font-semibold text-slate-700">{t("title")}</h4>
      {current ? (
        <>
          <p className="text-xs text-slate-600">{t("savedAs", { revision: current.revision })}</p>
          <DrainControls drain={current} topologyId={topologyId} />
        </>
      ) : can && noAgent ? (
        <p className="text-xs text-slate-500" data-testid="drain-no-agent">{t("noAgent")}</p>
      ) : can ? (
        <div className="flex flex-wrap items-center gap-2 text-xs">
          <button type="button" className={btn} disabled={drain.isPending} data-testid="drain-start"
            onClick={() => drain.mutate({ topologyId, subject, timeoutMs: timeoutS * 1000 })}>
            {t("start")}
          </button>
          <label className="flex items-center gap-1">{t("timeout")}
            <input type="number" min={1} max={86400} className={`${smallInput} w-16`} value={timeoutS} onChange={(e) => setTimeoutS(Math.max(1, Number(e.target.value) || 1))} data-testid="drain-timeout" />
            {t("seconds")}
          </label>
        </div>
      ) : (
        <p className="text-xs text-slate-500">{t("notDrained")}</p>
      )}
      {drain.isError && <p className="text-xs text-red-700" role="alert" data-testid="drain-error">{errorText(drain.error).text}</p>}
    </section>
  );
}
