"use client";
/** The newest audit events (saves, applies, drains, sign-ins), readable and linked to the full log. */
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useTranslations } from "next-intl";
import { useTRPC } from "@/app/trpc.ts";
import { DateTime } from "../_ui/DateTime.tsx";

export function RecentEvents() {
  const t = useTranslations("overview");
  const trpc = useTRPC();
  const events = useQuery({ ...trpc.audit.list.queryOptions({ limit: 12 }), refetchInterval: 15_000, retry: false });
  return (
    <section className="h-fit rounded-md border border-slate-200 bg-white shadow-sm dark:border-slate-700 dark:bg-slate-900" data-testid="overview-events">
      <header className="flex items-baseline border-b border-slate-100 px-4 py-2 dark:border-slate-800">
        <h2 className="font-semibold text-slate-900 dark:text-slate-100">{t("events")}</h2>
        <Link href="/audit" className="ml-auto text-xs text-sky-700 hover:underline dark:text-sky-400">{t("allEvents")}</Link>
      </header>
      <ul className="divide-y divide-slate-100 text-xs dark:divide-slate-800">
        {(events.data?.items ?? []).map((e) => (
          <li key={e.id} className="px-4 py-1.5" data-testid="overview-event" data-action={e.action}>
            <div className="flex gap-2">
              <span className="font-mono text-slate-800 dark:text-slate-200">{e.action}</span>
              <span className={e.outcome === "success" ? "text-emerald-700 dark:text-emerald-400" : "text-red-700 dark:text-red-400"}>{t(`outcome.${e.outcome}`)}</span>
              <DateTime at={e.at} style="time" className="ml-auto text-slate-500" />
            </div>
            <div className="truncate text-slate-500">{e.actor}</div>
          </li>
        ))}
        {events.data && events.data.items.length === 0 && <li className="px-4 py-3 text-slate-500">{t("noEvents")}</li>}
      </ul>
    </section>
  );
}
