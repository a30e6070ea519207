"use client";
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useTranslations } from "next-intl";
import { useTRPC } from "@/app/trpc.ts";
import { useErrorText } from "@/app/_shell/useErrorText.ts";
import { TopologyHealth } from "./TopologyHealth.tsx";
import { RecentEvents } from "./RecentEvents.tsx";
import { overviewOrder } from "./overviewOrder.ts";

/** At most this many topologies get live cards (running ones first; the rest are listed by name). */
const CARDS = 12;

export function OverviewView() {
  const t = useTranslations("overview");
  const trpc = useTRPC();
  const errorText = useErrorText();
  const list = useQuery({ ...trpc.topology.list.queryOptions(), refetchInterval: 30_000 });
  if (list.isPending) return <p className="text-sm text-slate-500">{t("loading")}</p>;
  if (list.isError) return <p className="text-sm text-red-600" role="alert">{errorText(list.error).text}</p>;
  if (list.data.length === 0)
    return (
      <p className="text-sm text-slate-500" data-testid="overview-empty">
        {t("empty")} <Link href="/topologies" className="text-sky-700 hover:underline dark:text-sky-400">{t("create")}</Link>
      </p>
    );
  const ordered = overviewOrder(list.data);
  const rest = ordered.slice(CARDS).sort((a, b) => a.name.localeCompare(b.name));
  return (
    <div className="grid grid-cols-1 gap-4 xl:grid-cols-3">
      <div className="space-y-4 xl:col-span-2">
        {ordered.slice(0, CARDS).map((x) => <TopologyHealth key={x.id} id={x.id} name={x.name} revision={x.revision} />)}
        {rest.length > 0 && (
          <div className="text-xs text-slate-500" data-testid="overview-more">
            {t("more", { count: rest.length })}:{" "}
            {rest.map((x, i) => (
              <span key={x.id}>
                {i > 0 && ", "}
                <Link href={`/topology/${x.id}`} className="text-sky-700 hover:underline dark:text-sky-400">{x.name}</Link>
              </span>
            ))}{" "}
            · <Link href="/topologies" className="text-sky-700 hover:underline dark:text-sky-400">{t("all")}</Link>
          </div>
        )}
      </div>
      <RecentEvents />
    </div>
  );
}
