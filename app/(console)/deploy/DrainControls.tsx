"use client";
/** One drain: status, connections left, force, and re-enable (at once or slow start in steps). */
import { useMutation } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useState } from "react";
import { useCan } from "../../_shell/useSession.ts";
import { useErrorText } from "../../_shell/useErrorText.ts";
import { useTRPC } from "../../trpc.ts";
import { btn, smallInput, tone } from "./ui.ts";
import { useAfterDrainChange } from "./useAfterDrainChange.ts";

export type DrainStatus = "draining" | "drained" | "timed-out" | "forced" | "ramping" | "enabled";

export interface DrainRow {
  id: string;
  label: string;
  status: DrainStatus;
  activeConns: number | null;
  inactConns: number | null;
}

export function DrainControls({ drain, topologyId }: { drain: DrainRow; topologyId: string }) {
  const t = useTranslations("deploy.drain");
  const ts = useTranslations("deploy.status");
  const errorText = useErrorText();
  const trpc = useTRPC();
  const can = useCan("realServer.drain");
  const [steps, setSteps] = useState(1);
  const [seconds, setSeconds] = useState(30);
  const after = useAfterDrainChange(topologyId);
  const refresh = () => void after();
  const force = useMutation(trpc.deploy.forceDrain.mutationOptions({ onSuccess: refresh }));
  const enable = useMutation(trpc.deploy.enable.mutationOptions({ onSuccess: refresh }));
  const open = drain.status === "draining" || drain.status === "timed-out";
  // "ramping": the server refuses unless that slow start was interrupted (its instance stopped)
  const enableable = open || drain.status === "drained" || drain.status === "forced" || drain.status === "ramping";
  return (
    <div className="space-y-1" data-testid="drain" data-drain={drain.id} data-status={drain.status}>
      <div className="flex flex-wrap items-center gap-2 text-xs">
        <span className={tone(drain.status)} data-testid="drain-status">{ts(drain.status)}</span>
        <span className="text-slate-600" data-testid="drain-conns">
          {drain.activeConns == null ? t("connsUnknown") : t("conns", { active: drain.activeConns, inactive: drain.inactConns ?? 0 })}
        </span>
      </div>
      {can && (
        <div className="flex flex-wrap items-center gap-2 text-xs">
          {open && (
            <button type="button" className={btn} disabled={force.isPending} data-testid="drain-force" onClick={() => force.mutate({ drainId: drain.id })}>{t("force")}</button>
          )}
          {enableable && (
            <>
              <button type="button" className={btn} disabled={enable.isPending} data-testid="drain-enable"
                onClick={() => enable.mutate({ drainId: drain.id, ...(steps > 1 ? { ramp: { steps, durationMs: seconds * 1000 } } : {}) })}>
                {t("enable")}
              </button>
              <label className="flex items-center gap-1">{t("steps")}
                <input type="number" min={1} max={20} className={`${smallInput} w-12`} value={steps} onChange={(e) => setSteps(Math.max(1, Number(e.target.value) || 1))} data-testid="drain-steps" />
              </label>
              {steps > 1 && (
                <label className="flex items-center gap-1">{t("over")}
                  <input type="number" min={1} max={3600} className={`${smallInput} w-14`} value={seconds} onChange={(e) => setSeconds(Math.max(1, Number(e.target.value) || 1))} data-testid="drain-seconds" />
                  {t("seconds")}
                </label>
              )}
            </>
          )}
        </div>
      )}
      {(force.isError || enable.isError) && <p className="text-xs text-red-700" role="alert">{errorText(force.error ?? enable.error).text}</p>}
    </div>
  );
}
