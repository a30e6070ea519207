"use client";
/**
 * HA groups of the topology (ha.overview, re-read on every `ha.changed` notice of the live socket:
 * a VRRP transition, a status report, a switchover; a slow poll only as a fallback, a 2 s one while
 * the socket is not open): who is MASTER now and since when,
 * each director's VRRP state, split brain (two MASTERs) as an error, connection sync health (what the
 * MASTER holds vs what each backup mirrors; not available on the userspace engine), recent
 * transitions, and the planned switchover / hand-back (recorded as planned downtime).
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useEffect } from "react";
import { useTRPC } from "@/app/trpc.ts";
import { useLiveClient, useLiveStatus } from "../_live/LiveContext.tsx";
import { applyHaTransition } from "./haTransition.ts";

const time = (ms: number | null) => (ms === null ? "—" : new Date(ms).toLocaleTimeString());

export function HaPanel({ topologyId }: { topologyId: string }) {
  const t = useTranslations("live.ha");
  const trpc = useTRPC();
  const qc = useQueryClient();
  const client = useLiveClient();
  const open = useLiveStatus((s) => s.status === "open");
  const q = useQuery({ ...trpc.ha.overview.queryOptions({ topologyId }), refetchInterval: open ? 30_000 : 2000, placeholderData: (p) => p });
  const done = () => void qc.invalidateQueries({ queryKey: trpc.ha.overview.queryKey({ topologyId }) });
  useEffect(() => {
    if (!client) return;
    // the live view holds a subscription of this topology: its ha.changed notices come to this client
    return client.onEvent((e) => {
      if (e.type !== "ha.changed" || e.topologyId !== topologyId) return;
      const key = trpc.ha.overview.queryKey({ topologyId });
      if (e.kind === "transition" && e.to) {
        // shown at once; the status report that follows re-reads (a re-read now could still see the old status)
        qc.setQueryData(key, (old) => (old ? applyHaTransition(old, e) : old));
      } else void qc.invalidateQueries({ queryKey: key });
      void qc.invalidateQueries({ queryKey: trpc.ha.availability.pathKey() });
    });
  }, [client, qc, trpc, topologyId]);
  const switchover = useMutation(trpc.ha.switchover.mutationOptions({ onSettled: done }));
  const handBack = useMutation(trpc.ha.handBack.mutationOptions({ onSettled: done }));
  if (!q.data || q.data.length === 0) return null;
  return (
    <section className="rounded-md border border-slate-200 bg-white" data-testid="ha-panel">
      <h2 className="border-b border-slate-200 px-3 py-2 text-sm font-semibold text-slate-900">{t("title")}</h2>
      {(switchover.error ?? handBack.error) && <p className="px-3 py-2 text-xs text-red-600" data-testid="ha-error">{(switchover.error ?? handBack.error)!.message}</p>}
      {q.data.map((g) => (
        <div key={g.id} className="border-b border-slate-100 px-3 py-2 text-xs" data-testid={`ha-group-${g.id}`}>
          <div className="flex flex-wrap items-center gap-2">
            <span className="font-semibold">{g.name}</span>
            <span className="font-mono text-slate-500">{g.vips.join(", ")} · VRID {g.routerId ?? "—"} · advert_int {g.advertIntMs / 1000}s · VRRPv{g.vrrpVersion}</span>
          </div>
          {g.splitBrain ? (
            <p className="mt-1 font-semibold text-red-700" data-testid="ha-split-brain">{t("splitBrain", { directors: g.masters.join(", ") })}</p>
          ) : (
            <p className="mt-1" data-testid="ha-master" data-master={g.masters[0] ?? ""}>
              {g.masters[0] ? t("master", { director: g.members.find((m) => m.key === g.masters[0])?.name ?? g.masters[0], since: time(g.masterSince) }) : <span className="text-red-700">{t("noMaster")}</span>}
            </p>
          )}
          <table className="mt-1 w-full font-mono">
            <tbody>
              {g.members.map((m) => (
                <tr key={m.key} data-testid={`ha-member-${m.key}`} data-state={m.state}>
                  <td className="py-0.5 pr-2">{m.name}</td>
                  <td className={`pr-2 font-semibold ${m.state === "MASTER" ? "text-emerald-700" : m.state === "BACKUP" ? "text-slate-700" : "text-amber-700"}`}>{m.state}</td>
                  <td className="pr-2 text-slate-500">{t("since", { at: time(m.since) })}</td>
                  <td className="pr-2 text-slate-500">prio {m.priority}</td>
                  <td className="pr-2">
                    {m.keepalived?.error && <span className="text-red-700">{m.keepalived.error}</span>}
                    {m.engine === "userspace" && g.connectionSync && <span className="text-slate-500">{t("syncUnavailable")}</span>}
                    {m.awaitingAddress.length > 0 && (
                      <span className="block text-slate-500" data-testid={`ha-awaiting-${m.key}`}>{t("awaitingAddress", { listeners: m.awaitingAddress.join(", ") })}</span>
                    )}
                  </td>
                  <td className="text-right">
                    {m.maintenance ? (
                      <button type="button" className="rounded border border-slate-300 px-2 py-0.5" data-testid={`ha-handback-${m.key}`}
                        onClick={() => handBack.mutate({ topologyId, directorKey: m.key })}>{t("handBack")}</button>
                    ) : (
                      <button type="button" className="rounded border border-slate-300 px-2 py-0.5" data-testid={`ha-switchover-${m.key}`}
                        onClick={() => switchover.mutate({ topologyId, directorKey: m.key })}>{t("switchover")}</button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {g.sync && (
            <p className={`mt-1 ${g.sync.healthy ? "text-slate-600" : "text-red-700"}`} data-testid="ha-sync">
              {t("sync", { master: g.sync.masterConnections ?? "—", backups: g.sync.backups.map((b) => `${b.key} ${b.connections}`).join(", ") || "—" })}
              {!g.sync.healthy && ` · ${t("syncUnhealthy")}`}
            </p>
          )}
          {g.transitions.length > 0 && (
            <ul className="mt-1 text-slate-500" data-testid="ha-transitions">
              {g.transitions.slice(0, 5).map((e, i) => (
                <li key={i}>{time(e.at)} {e.key} {e.from} → {e.to}{e.planned ? ` (${t("planned")})` : ""}</li>
              ))}
            </ul>
          )}
        </div>
      ))}
    </section>
  );
}
