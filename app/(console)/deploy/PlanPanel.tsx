"use client";
/** Plan before apply: per director, the exact ipvsadm operations; then apply (or roll back) with a rollout mode. */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useState } from "react";
import { useCan } from "../../_shell/useSession.ts";
import { usePlanText } from "../../_i18n/usePlanText.ts";
import { useErrorText } from "../../_shell/useErrorText.ts";
import { useTRPC } from "../../trpc.ts";
import { btn, card, dangerBtn, primaryBtn, smallInput } from "./ui.ts";

const RISK_ROW: Record<string, string> = {
  none: "",
  deletion: "bg-amber-50",
  "drops-connections": "bg-red-50",
};

export function PlanPanel(props: { topologyId: string; revision: number; latest: number; onPickLatest(): void; onRollout(id: string): void }) {
  const t = useTranslations("deploy");
  const errorText = useErrorText();
  const planText = usePlanText();
  const trpc = useTRPC();
  const qc = useQueryClient();
  const canPlan = useCan("topology.plan");
  const canApply = useCan(props.revision === props.latest ? "topology.apply" : "topology.rollback");
  const [mode, setMode] = useState<"sequential" | "parallel">("sequential");
  /** directors left out of this apply (by key); default: all */
  const [skip, setSkip] = useState<ReadonlySet<string>>(new Set());
  const plan = useMutation(trpc.deploy.plan.mutationOptions());
  const onStarted = (r: { id: string }) => {
    props.onRollout(r.id);
    // the plan is spent: it was computed against tables that the apply is changing now
    plan.reset();
    void qc.invalidateQueries({ queryKey: trpc.deploy.pathKey() });
  };
  const apply = useMutation(trpc.deploy.applyRevision.mutationOptions({ onSuccess: onStarted }));
  const rollback = useMutation(trpc.deploy.rollback.mutationOptions({ onSuccess: onStarted }));
  const isRollback = props.revision !== props.latest;
  const go = () => {
    const keys = (data?.directors ?? []).map((d) => d.key);
    const input = { topologyId: props.topologyId, revision: props.revision, mode, ...(skip.size ? { directors: keys.filter((k) => !skip.has(k)) } : {}) };
    if (isRollback) rollback.mutate(input);
    else apply.mutate(input);
  };
  const started = isRollback ? rollback : apply;
  const data = plan.data;
  /** every director already runs this revision and nothing differs: nothing to apply */
  const current = !!data && data.totals.ops === 0 && data.directors.every((d) => d.appliedRevision === props.revision);

  return (
    <section className={card} data-testid="plan-panel" data-revision={props.revision}>
      <header className="flex flex-wrap items-center gap-2 border-b border-slate-200 px-4 py-2">
        <h2 className="text-sm font-semibold text-slate-900">
          {isRollback ? t("plan.rollbackTitle", { revision: props.revision }) : t("plan.title", { revision: props.revision })}
        </h2>
        {isRollback && <button type="button" className={btn} onClick={props.onPickLatest} data-testid="plan-latest">{t("plan.backToLatest")}</button>}
        <div className="ml-auto flex items-center gap-2">
          <button type="button" className={btn} disabled={!canPlan || plan.isPending} data-testid="plan-button"
            onClick={() => plan.mutate({ topologyId: props.topologyId, revision: props.revision })}>
            {plan.isPending ? t("plan.planning") : t("plan.plan")}
          </button>
          <label className="flex items-center gap-1 text-xs text-slate-600">
            {t("plan.mode")}
            <select className={smallInput} value={mode} onChange={(e) => setMode(e.target.value as typeof mode)} data-testid="apply-mode">
              <option value="sequential">{t("plan.sequential")}</option>
              <option value="parallel">{t("plan.parallel")}</option>
            </select>
          </label>
          <button type="button" className={isRollback ? dangerBtn : primaryBtn} disabled={!canApply || !data || current || started.isPending || skip.size === data.directors.length} onClick={go} data-testid="apply-button"
            title={current ? t("plan.upToDate") : data ? undefined : t("plan.planFirst")}>
            {isRollback ? t("plan.rollback", { revision: props.revision }) : t("plan.apply", { revision: props.revision })}
          </button>
        </div>
      </header>
      {(plan.isError || started.isError) && (
        <p className="px-4 py-2 text-sm text-red-700" role="alert" data-testid="plan-error">{errorText(plan.error ?? started.error).text}</p>
      )}
      {!data && !plan.isError && <p className="px-4 py-3 text-sm text-slate-500" data-testid="plan-hint">{t("plan.hint")}</p>}
      {current && <p className="px-4 py-2 text-sm text-emerald-700" data-testid="plan-up-to-date">{t("plan.upToDate")}</p>}
      {data && (
        <div className="divide-y divide-slate-100">
          <p className="px-4 py-2 text-xs text-slate-600" data-testid="plan-totals">
            {t("plan.totals", { ops: data.totals.ops, deletions: data.totals.deletions, drops: data.totals.dropsConnections })}
          </p>
          {data.directors[0] && data.directors[0].diffFrom != null && data.directors[0].changeLines.length > 0 && (
            <div className="px-4 py-2" data-testid="plan-changes">
              <p className="mb-1 text-xs font-medium text-slate-600">{t("plan.changesFrom", { revision: data.directors[0].diffFrom })}</p>
              <ul className="space-y-0.5">
                {data.directors[0].changeLines.map((line, i) => <li key={i} className="font-mono text-xs text-slate-700" data-testid="plan-change">{planText.change(data.directors[0]!.changes[i]!, line)}</li>)}
              </ul>
            </div>
          )}
          {data.directors.map((d) => (
            <div key={d.key} className="px-4 py-2" data-testid="plan-director" data-director={d.key}>
              <div className="mb-1 flex flex-wrap items-center gap-2 text-sm">
                {data.directors.length > 1 && (
                  <input type="checkbox" aria-label={t("plan.include", { director: d.name })} data-testid="plan-include" checked={!skip.has(d.key)}
                    onChange={(e) => setSkip((cur) => { const next = new Set(cur); if (e.target.checked) next.delete(d.key); else next.add(d.key); return next; })} />
                )}
                <span className="font-medium text-slate-900">{d.name}</span>
                <span className={`rounded px-1.5 py-0.5 text-xs ${d.online ? "bg-emerald-100 text-emerald-800" : "bg-slate-100 text-slate-500"}`}>{d.online ? t("online") : t("offline")}</span>
                <span className="text-xs text-slate-500">
                  {d.basis === "reported" ? t("plan.basisReported", { revision: d.appliedRevision ?? "—" }) : t("plan.basisNone")}
                </span>
              </div>
              {d.ops.length === 0 ? (
                <p className="text-xs text-slate-500" data-testid="plan-noop">{t("plan.noChanges")}</p>
              ) : (
                <ul className="space-y-0.5">
                  {d.ops.map((o, i) => (
                    <li key={i} className={`rounded px-2 py-0.5 ${RISK_ROW[o.risk]}`} data-testid="plan-op" data-risk={o.risk}>
                      <code className="block font-mono text-xs text-slate-900">{o.command}</code>
                      <span className="text-xs text-slate-600">{planText.op(o.op, o.text)}</span>
                      {o.risk !== "none" && (
                        <span className={`ml-2 text-xs font-medium ${o.risk === "drops-connections" ? "text-red-700" : "text-amber-800"}`}>
                          {o.risk === "drops-connections" ? t("plan.dropsConnections") : t("plan.deletion")}
                          {o.activeConns != null && ` · ${t("plan.conns", { active: o.activeConns, inactive: o.inactConns ?? 0 })}`}
                        </span>
                      )}
                    </li>
                  ))}
                </ul>
              )}
            </div>
          ))}
        </div>
      )}
    </section>
  );
}
