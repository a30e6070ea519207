"use client";
/**
 * One topology on the overview: each director with its health (not enrolled / down / behind / drift /
 * up), conns/s and bytes/s now with a 15-minute sparkline, and the real servers whose checks fail.
 */
import { useQueries, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useTranslations } from "next-intl";
import { useTRPC } from "@/app/trpc.ts";
import { describeServiceKey, parseServiceKeyString } from "@/lvs/tableKey.ts";
import type { LiveDirectorState } from "@/lvs/protocol/live.ts";
import { bytesPerSecond, compact } from "../_live/format.ts";
import { DateTime } from "../_ui/DateTime.tsx";
import { directorHealth, HEALTH_CLASS, sumSeries } from "./directorHealth.ts";
import { Sparkline } from "./Sparkline.tsx";

const SPARK_MS = 15 * 60_000;
const SPARK_SERVICES = 8;

function serviceName(key: string): string {
  const k = parseServiceKeyString(key);
  return k ? describeServiceKey(k) : key;
}

export function TopologyHealth({ id, name, revision }: { id: string; name: string; revision: number }) {
  const t = useTranslations("overview");
  const trpc = useTRPC();
  const directors = useQuery({ ...trpc.director.list.queryOptions({ topologyId: id }), refetchInterval: 10_000 });
  const drift = useQuery({ ...trpc.deploy.drift.queryOptions({ topologyId: id }), refetchInterval: 15_000 });
  const snapshot = useQuery({ ...trpc.live.snapshot.queryOptions({ topologyId: id }), refetchInterval: 5_000, retry: false });
  const live = new Map((snapshot.data ?? []).map((s) => [s.directorId, s]));
  const drifted = new Map((drift.data ?? []).map((d) => [d.directorId, d.drifted]));
  const failing = (snapshot.data ?? []).flatMap((s) => s.health.filter((h) => h.state === "down").map((h) => ({ ...h, director: s.name })));
  const rows = directors.data ?? [];
  return (
    <section className="rounded-md border border-slate-200 bg-white shadow-sm dark:border-slate-700 dark:bg-slate-900" data-testid="overview-topology" data-topology={name}>
      <header className="flex flex-wrap items-baseline gap-x-3 gap-y-1 border-b border-slate-100 px-4 py-2 dark:border-slate-800">
        <Link href={`/topology/${id}`} className="font-semibold text-slate-900 hover:text-sky-700 dark:text-slate-100">{name}</Link>
        <span className="text-xs text-slate-500">{t("revision", { revision })}</span>
        <span className="ml-auto flex gap-3 text-xs">
          <Link href={`/live/${id}`} className="text-sky-700 hover:underline dark:text-sky-400" data-testid="overview-open-live">{t("live")}</Link>
          <Link href={`/deploy/${id}`} className="text-sky-700 hover:underline dark:text-sky-400">{t("deploy")}</Link>
        </span>
      </header>
      {rows.length === 0 ? (
        <p className="px-4 py-3 text-sm text-slate-500" data-testid="overview-no-directors">{directors.isPending ? t("loading") : t("noDirectors")}</p>
      ) : (
        <table className="w-full text-sm">
          <thead className="text-left text-xs uppercase tracking-wide text-slate-500">
            <tr>
              <th className="px-4 py-1.5 font-medium">{t("director")}</th>
              <th className="px-2 py-1.5 font-medium">{t("state")}</th>
              <th className="px-2 py-1.5 text-right font-medium">{t("cps")}</th>
              <th className="px-2 py-1.5 font-medium" />
              <th className="px-2 py-1.5 text-right font-medium">{t("bps")}</th>
              <th className="px-2 py-1.5 font-medium" />
            </tr>
          </thead>
          <tbody>
            {rows.map((d) => {
              const state = live.get(d.id);
              const health = directorHealth({ enrolled: d.enrolled, online: state?.online ?? d.online, appliedRevision: d.appliedRevision, targetRevision: d.targetRevision, drifted: drifted.get(d.id) ?? false });
              const cps = (state?.services ?? []).reduce((n, s) => n + s.rates.cps, 0);
              const bps = (state?.services ?? []).reduce((n, s) => n + s.rates.inBps + s.rates.outBps, 0);
              return (
                <tr key={d.id} className="border-t border-slate-100 dark:border-slate-800" data-testid="overview-director" data-director={d.name} data-health={health} data-cps={cps}>
                  <td className="px-4 py-1.5 font-medium text-slate-800 dark:text-slate-200">{d.name}</td>
                  <td className="px-2 py-1.5">
                    <span className={`rounded px-1.5 py-0.5 text-xs ${HEALTH_CLASS[health]}`} data-testid="overview-health">{t(`health.${health}`)}</span>
                  </td>
                  <td className="px-2 py-1.5 text-right font-mono tabular-nums" data-testid="overview-cps">{compact(cps)}</td>
                  <td className="px-2 py-1.5"><DirectorSpark state={state} field="cps" testId="overview-spark-cps" /></td>
                  <td className="px-2 py-1.5 text-right font-mono tabular-nums">{bytesPerSecond(bps)}</td>
                  <td className="px-2 py-1.5"><DirectorSpark state={state} field="bps" testId="overview-spark-bps" /></td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {failing.length > 0 && (
        <div className="border-t border-slate-100 px-4 py-2 dark:border-slate-800" data-testid="overview-failing">
          <h3 className="mb-1 text-xs font-semibold uppercase tracking-wide text-red-700 dark:text-red-400">{t("failing", { count: failing.length })}</h3>
          <ul className="space-y-0.5 font-mono text-xs">
            {failing.slice(0, 10).map((h) => (
              <li key={`${h.director}-${h.serviceKey}-${h.address}-${h.port}`} data-testid="overview-failing-server">
                <span className="text-red-700 dark:text-red-400">{h.address.includes(":") ? `[${h.address}]` : h.address}:{h.port}</span>{" "}
                <span className="text-slate-500">{serviceName(h.serviceKey)} · {h.director} · {t("since")} <DateTime at={h.since} style="time" /></span>
              </li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}

/** The director's total over its (first few) services, last 15 minutes, from live.history. */
function DirectorSpark({ state, field, testId }: { state: LiveDirectorState | undefined; field: "cps" | "bps"; testId: string }) {
  const trpc = useTRPC();
  const keys = (state?.services ?? []).slice(0, SPARK_SERVICES).map((s) => s.key);
  const now = Math.floor(Date.now() / 30_000) * 30_000;
  const results = useQueries({
    queries: keys.map((serviceKey) => ({
      ...trpc.live.history.queryOptions({ directorId: state!.directorId, serviceKey, from: now - SPARK_MS, to: now, maxPoints: 60 }),
      refetchInterval: 30_000,
      retry: false,
    })),
  });
  const series = results.map((r) => (r.data?.points ?? []).map((p) => ({ at: p.at, value: field === "cps" ? p.cps : p.inBps + p.outBps })));
  return <Sparkline values={sumSeries(series).map((p) => p.value)} testId={testId} />;
}
