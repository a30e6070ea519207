"use client";
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useTranslations } from "next-intl";
import { useTRPC } from "@/app/trpc.ts";
import { useErrorText } from "@/app/_shell/useErrorText.ts";

/** Every topology with a link to its live view. */
export function LiveIndex() {
  const t = useTranslations("live");
  const trpc = useTRPC();
  const errorText = useErrorText();
  const list = useQuery(trpc.topology.list.queryOptions());
  if (list.isPending) return <p className="text-sm text-slate-500">{t("loading")}</p>;
  if (list.isError) return <p className="text-sm text-red-600">{errorText(list.error).text}</p>;
  if (list.data.length === 0) return <p className="text-sm text-slate-500" data-testid="live-index-empty">{t("index.empty")}</p>;
  return (
    <ul className="divide-y divide-slate-200 rounded-md border border-slate-200 bg-white" data-testid="live-index">
      {list.data.map((x) => (
        <li key={x.id}>
          <Link href={`/live/${x.id}`} className="flex items-center justify-between px-4 py-2 text-sm hover:bg-slate-50" data-testid={`live-open-${x.id}`}>
            <span className="font-medium text-slate-900">{x.name}</span>
            <span className="text-xs text-sky-700">{t("index.open")}</span>
          </Link>
        </li>
      ))}
    </ul>
  );
}
