"use client";
/**
 * Directors of one topology and their agents: online state, last seen, applied vs target revision,
 * token state, installed exec checks. Admins enroll an agent (token shown once), rotate its token,
 * revoke it or remove the director (confirmed by name); the UI hides
 * what the role cannot do (useCan), the server refuses it regardless.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useState } from "react";
import { useErrorText } from "../../_shell/useErrorText.ts";
import { useCan } from "../../_shell/useSession.ts";
import { useTRPC } from "../../trpc.ts";
import { TopologyTabs } from "../_ui/TopologyTabs.tsx";
import { buttonClass } from "../_ui/Dialog.tsx";
import { TokenDialog } from "./TokenDialog.tsx";
import { DateTime } from "../_ui/DateTime.tsx";
import { AgentVersionCell } from "./AgentVersionCell.tsx";
import { installBase } from "./installBase.ts";
import { ExecChecksCell } from "./ExecChecksCell.tsx";
import { RemoveDirectorDialog } from "./RemoveDirectorDialog.tsx";
import { PrerequisitesCell } from "./PrerequisitesCell.tsx";

const small = "rounded border border-slate-300 bg-white px-2 py-0.5 text-xs text-slate-800 hover:bg-slate-100 disabled:opacity-40";

export function DirectorsView({ id }: { id: string }) {
  const t = useTranslations("directors");
  const errorText = useErrorText();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const canEnroll = useCan("director.admin");
  const canToken = useCan("token.admin");
  const topo = useQuery(trpc.topology.get.queryOptions({ id }));
  const list = useQuery({ ...trpc.director.list.queryOptions({ topologyId: id }), refetchInterval: 2000 });
  const install = useQuery(trpc.director.install.queryOptions());
  const base = installBase(install.data?.publicUrl ?? null, typeof window === "undefined" ? "" : window.location.origin).url;
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.director.list.queryKey({ topologyId: id }) });
  const [shown, setShown] = useState<{ name: string; token: string } | null>(null);
  const [confirmRevoke, setConfirmRevoke] = useState<{ id: string; name: string } | null>(null);
  const [confirmRemove, setConfirmRemove] = useState<{ key: string; name: string; online: boolean } | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const onError = (err: unknown) => setNotice(errorText(err).text);
  const onToken = (r: { director: { name: string }; token: string }) => (setNotice(null), setShown({ name: r.director.name, token: r.token }), refresh());
  const enroll = useMutation(trpc.director.create.mutationOptions({ onSuccess: onToken, onError }));
  const rotate = useMutation(trpc.director.rotateToken.mutationOptions({ onSuccess: onToken, onError }));
  const revoke = useMutation(trpc.director.revokeToken.mutationOptions({
    onSuccess: (d) => (setConfirmRevoke(null), setNotice(t("revoked", { name: d.name })), refresh()),
    onError: (err) => (setConfirmRevoke(null), onError(err)),
  }));
  const remove = useMutation(trpc.director.remove.mutationOptions({
    onSuccess: (r) => (setConfirmRemove(null), setNotice(t("removed", { name: r.name })), refresh(),
      queryClient.invalidateQueries({ queryKey: trpc.topology.get.queryKey({ id }) })),
    onError: (err) => (setConfirmRemove(null), onError(err)),
  }));
  const busy = enroll.isPending || rotate.isPending || revoke.isPending || remove.isPending;

  if (topo.isPending) return <div className="p-6 text-sm text-slate-500" data-testid="directors-loading">{t("loading")}</div>;
  if (topo.isError) return <div className="p-6 text-sm text-red-700" role="alert" data-testid="directors-load-error">{errorText(topo.error).text}</div>;

  return (
    <div className="flex min-h-0 flex-1 flex-col" data-testid="directors-view">
      <TopologyTabs id={id} active="directors" />
      <div className="mx-auto w-full max-w-6xl space-y-4 overflow-y-auto px-6 py-5">
        <div>
          <h1 className="text-lg font-semibold tracking-tight text-slate-900" data-testid="directors-topology-name">{topo.data.name}</h1>
          <p className="mt-1 text-sm text-slate-500">{t("subtitle")}</p>
        </div>
        {notice && <p role="status" className="text-sm text-slate-700" data-testid="directors-notice">{notice}</p>}
        {list.isError && <p role="alert" className="text-sm text-red-700" data-testid="directors-list-error">{errorText(list.error).text}</p>}
        <div className="overflow-x-auto rounded-md border border-slate-200 bg-white shadow-sm">
          <table className="w-full text-left text-sm" data-testid="directors-table">
            <thead className="border-b border-slate-200 bg-slate-50 text-xs uppercase tracking-wide text-slate-500">
              <tr>
                <th className="px-3 py-2">{t("name")}</th>
                <th className="px-3 py-2">{t("engine")}</th>
                <th className="px-3 py-2">{t("agent")}</th>
                <th className="px-3 py-2">{t("status")}</th>
                <th className="px-3 py-2">{t("lastSeen")}</th>
                <th className="px-3 py-2">{t("revision")}</th>
                <th className="px-3 py-2">{t("prereq.title")}</th>
                <th className="px-3 py-2">{t("token")}</th>
                <th className="px-3 py-2">{t("execChecks")}</th>
                {(canEnroll || canToken) && <th className="px-3 py-2">{t("actions")}</th>}
              </tr>
            </thead>
            <tbody>
              {list.data?.length === 0 && (
                <tr><td colSpan={10} className="px-3 py-3 text-sm text-slate-500" data-testid="directors-empty">{t("empty")}</td></tr>
              )}
              {list.data?.map((d) => {
                const token = !d.enrolled ? "none" : d.revoked ? "revoked" : "enrolled";
                const behind = d.targetRevision != null && d.appliedRevision !== d.targetRevision;
                return (
                  <tr key={d.id} className="border-b border-slate-100 last:border-0" data-testid="director-row" data-key={d.key} data-online={d.online} data-token={token}>
                    <td className="px-3 py-1.5 text-slate-900">{d.name}<span className="ml-1 font-mono text-xs text-slate-400">{d.key}</span></td>
                    <td className="px-3 py-1.5 font-mono text-xs text-slate-600">{d.engine}</td>
                    <AgentVersionCell d={d} served={install.data?.agent?.version ?? null} base={base} />
                    <td className="px-3 py-1.5 text-xs" data-testid="director-online">
                      {d.online ? <span className="text-emerald-700">{t("online")}</span> : <span className="text-slate-500">{t("offline")}</span>}
                    </td>
                    <td className="px-3 py-1.5 font-mono text-xs text-slate-500">{d.lastSeenAt ? <DateTime at={d.lastSeenAt} /> : t("never")}</td>
                    <td className={`px-3 py-1.5 font-mono text-xs ${behind ? "text-amber-700" : "text-slate-600"}`} data-testid="director-revision">
                      {t("revisionValue", { applied: d.appliedRevision ?? "—", target: d.targetRevision ?? "—" })}
                    </td>
                    <PrerequisitesCell p={d.prerequisites} />
                    <td className="px-3 py-1.5 text-xs" data-testid="director-token">{t(`tokenState.${token}`)}</td>
                    <ExecChecksCell checks={d.execChecks} />
                    {(canEnroll || canToken) && (
                      <td className="flex gap-1 px-3 py-1.5">
                        {canEnroll && !d.enrolled && (
                          <button type="button" className={small} disabled={busy} data-testid="director-enroll" onClick={() => enroll.mutate({ topologyId: id, key: d.key })}>{t("enroll")}</button>
                        )}
                        {canToken && d.enrolled && (
                          <button type="button" className={small} disabled={busy} data-testid="director-rotate" onClick={() => rotate.mutate({ id: d.id })}>{t("rotate")}</button>
                        )}
                        {canToken && d.enrolled && !d.revoked && (
                          <button type="button" className={small} disabled={busy} data-testid="director-revoke" onClick={() => setConfirmRevoke({ id: d.id, name: d.name })}>{t("revoke")}</button>
                        )}
                        {canEnroll && (
                          <button type="button" className={small} disabled={busy} data-testid="director-remove" onClick={() => setConfirmRemove({ key: d.key, name: d.name, online: d.online })}>{t("remove")}</button>
                        )}
                      </td>
                    )}
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      </div>
      {shown && <TokenDialog name={shown.name} token={shown.token} onClose={() => setShown(null)} />}
      {confirmRemove && (
        <RemoveDirectorDialog
          name={confirmRemove.name}
          directorKey={confirmRemove.key}
          online={confirmRemove.online}
          pending={remove.isPending}
          onClose={() => setConfirmRemove(null)}
          onConfirm={() => remove.mutate({ topologyId: id, key: confirmRemove.key, expectedRevision: topo.data.revision })}
        />
      )}
      {confirmRevoke && (
        <div className="fixed inset-0 z-50 flex items-center justify-center bg-slate-900/40 p-4">
          <div role="alertdialog" aria-modal="true" aria-label={t("revokeTitle")} data-testid="revoke-confirm" className="w-full max-w-md rounded-lg bg-white p-4 shadow-xl">
            <h2 className="text-sm font-semibold text-slate-900">{t("revokeTitle")}</h2>
            <p className="mt-2 text-sm text-slate-600">{t("revokeText", { name: confirmRevoke.name })}</p>
            <div className="mt-4 flex justify-end gap-2">
              <button type="button" className={buttonClass} data-testid="revoke-cancel" onClick={() => setConfirmRevoke(null)}>{t("cancel")}</button>
              <button type="button" className="rounded bg-red-600 px-3 py-1 text-sm font-medium text-white hover:bg-red-700 disabled:opacity-40" data-testid="revoke-confirm-button" disabled={revoke.isPending} onClick={() => revoke.mutate({ id: confirmRevoke.id })}>
                {t("revoke")}
              </button>
            </div>
          </div>
        </div>
      )}
    </div>
  );
}
