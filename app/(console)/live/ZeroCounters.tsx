"use client";
/**
 * `ipvsadm -Z`: zero the counters of one virtual service (and its real servers) or of the whole
 * director, after a confirmation. Operators and admins only (the server checks stats.zero and audits
 * it); the charts and rollups take the drop as a counter reset, not as negative traffic.
 */
import { useMutation } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useState } from "react";
import { useTRPC } from "@/app/trpc.ts";
import { useCan } from "@/app/_shell/useSession.ts";
import { useErrorText } from "@/app/_shell/useErrorText.ts";

export interface ZeroTarget {
  /** null = every service of the director */
  serviceKey: string | null;
  /** "TCP 10.0.0.1:80" or the director's name */
  label: string;
}

const small = "rounded border border-slate-300 bg-white px-2 py-0.5 text-xs text-slate-700 hover:bg-slate-50 disabled:opacity-40";

/** The director-wide button plus the confirmation for whatever target was asked for (also per service). */
export function ZeroCounters({ directorId, directorName, target, onTarget }: {
  directorId: string; directorName: string; target: ZeroTarget | null; onTarget(t: ZeroTarget | null): void;
}) {
  const t = useTranslations("live.zero");
  const allowed = useCan("stats.zero");
  const trpc = useTRPC();
  const errorText = useErrorText();
  const [done, setDone] = useState<string | null>(null);
  const zero = useMutation(trpc.live.zero.mutationOptions({
    onSuccess: (_r, v) => { setDone(v.serviceKey ? t("doneService", { service: target?.label ?? "" }) : t("doneAll", { director: directorName })); onTarget(null); },
  }));
  if (!allowed) return null;
  return (
    <>
      <button type="button" className={small} data-testid="zero-all" onClick={() => { setDone(null); zero.reset(); onTarget({ serviceKey: null, label: directorName }); }}>
        {t("all")}
      </button>
      {target && (
        <div className="basis-full rounded border border-amber-300 bg-amber-50 px-3 py-2 text-xs text-amber-900" role="alertdialog" data-testid="zero-confirm">
          <p>{target.serviceKey ? t("confirmService", { service: target.label }) : t("confirmAll", { director: directorName })}</p>
          <div className="mt-1 flex gap-2">
            <button type="button" className="rounded bg-amber-600 px-2 py-0.5 font-medium text-white hover:bg-amber-500 disabled:opacity-40" data-testid="zero-confirm-yes" disabled={zero.isPending}
              onClick={() => zero.mutate({ directorId, ...(target.serviceKey ? { serviceKey: target.serviceKey } : {}) })}>
              {t("confirm")}
            </button>
            <button type="button" className={small} data-testid="zero-confirm-no" onClick={() => onTarget(null)}>{t("cancel")}</button>
          </div>
          {zero.error && <p className="mt-1 text-red-700" role="alert" data-testid="zero-error">{errorText(zero.error).text}</p>}
        </div>
      )}
      {done && !target && <span className="text-xs text-emerald-700" data-testid="zero-done">{done}</span>}
    </>
  );
}

/** The per-service "-Z" button in a stats row. */
export function ZeroServiceButton({ serviceKey, label, onTarget }: { serviceKey: string; label: string; onTarget(t: ZeroTarget): void }) {
  const t = useTranslations("live.zero");
  if (!useCan("stats.zero")) return null;
  return (
    <button type="button" className="ml-2 rounded border border-slate-300 px-1 font-mono text-[10px] font-normal text-slate-600 hover:bg-slate-100" title={t("service")}
      data-testid={`zero-service-${serviceKey}`} onClick={() => onTarget({ serviceKey, label })}>
      -Z
    </button>
  );
}
