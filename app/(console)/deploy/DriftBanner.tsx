"use client";
/** Drift: a director's actual table differs from the revision it applied. Re-apply it, or import the actual table. */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useCan } from "../../_shell/useSession.ts";
import { useErrorText } from "../../_shell/useErrorText.ts";
import { useTRPC } from "../../trpc.ts";
import { btn } from "./ui.ts";
import { useLiveEvents } from "./useDeployEvents.ts";

export function DriftBanner({ topologyId, onRollout }: { topologyId: string; onRollout(id: string): void }) {
  const t = useTranslations("deploy");
  const errorText = useErrorText();
  const trpc = useTRPC();
  const qc = useQueryClient();
  const canApply = useCan("topology.apply");
  const canSave = useCan("topology.save");
  // acks re-read it at once (useDeployEvents); hand-made changes only show in the poll
  const live = useLiveEvents();
  const drift = useQuery({ ...trpc.deploy.drift.queryOptions({ topologyId }), refetchInterval: live ? 5000 : 2000 });
  const refresh = () => void qc.invalidateQueries({ queryKey: trpc.pathKey() });
  const reapply = useMutation(trpc.deploy.reapply.mutationOptions({ onSuccess: (r) => { onRollout(r.id); refresh(); } }));
  const importActual = useMutation(trpc.deploy.importActual.mutationOptions({ onSuccess: refresh }));
  const drifted = (drift.data ?? []).filter((d) => d.drifted);
  const behind = (drift.data ?? []).filter((d) => d.behind && !d.drifted);
  if (drifted.length === 0 && behind.length === 0 && !importActual.data) return null;
  return (
    <div className="space-y-2" data-testid="drift">
      {importActual.data && (
        <p className="rounded border border-sky-200 bg-sky-50 px-3 py-2 text-sm text-sky-900" data-testid="import-done">
          {t("drift.imported", { revision: importActual.data.revision })}
        </p>
      )}
      {drifted.map((d) => (
        <div key={d.key} role="alert" className="rounded-md border border-amber-300 bg-amber-50 px-4 py-3" data-testid="drift-banner" data-director={d.key}>
          <p className="text-sm font-medium text-amber-900">{t("drift.title", { director: d.name, revision: d.appliedRevision ?? "—" })}</p>
          <ul className="mt-1 space-y-0.5">
            {d.ops.map((o, i) => <li key={i} className="font-mono text-xs text-amber-900" data-testid="drift-op">{o.command}</li>)}
            {d.observed.map((line, i) => <li key={`o${i}`} className="text-xs text-amber-900" data-testid="drift-observed">{line}</li>)}
          </ul>
          <div className="mt-2 flex gap-2">
            <button type="button" className={btn} disabled={!canApply || reapply.isPending} data-testid="drift-reapply"
              onClick={() => reapply.mutate({ topologyId, directors: [d.key], ...(d.appliedRevision ? { revision: d.appliedRevision } : {}) })}>
              {t("drift.reapply", { revision: d.appliedRevision ?? "—" })}
            </button>
            <button type="button" className={btn} disabled={!canSave || importActual.isPending} data-testid="drift-import"
              onClick={() => importActual.mutate({ topologyId, directorKey: d.key })}>
              {t("drift.import")}
            </button>
          </div>
        </div>
      ))}
      {behind.map((d) => (
        <p key={d.key} className="rounded border border-slate-200 bg-slate-50 px-3 py-2 text-xs text-slate-700" data-testid="drift-behind" data-director={d.key}>
          {t("drift.behind", { director: d.name, applied: d.appliedRevision ?? "—", target: d.targetRevision ?? "—" })}
        </p>
      ))}
      {(reapply.isError || importActual.isError) && <p className="text-sm text-red-700" role="alert">{errorText(reapply.error ?? importActual.error).text}</p>}
    </div>
  );
}
