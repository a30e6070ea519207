import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { OverviewView } from "./OverviewView.tsx";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("overview");
  return { title: t("title") };
}

/** The landing page: every topology and director at a glance (health, traffic, failing real servers, recent events). */
export default async function OverviewPage() {
  const t = await getTranslations("overview");
  return (
    <div className="mx-auto w-full max-w-7xl px-6 py-6" data-testid="overview-page">
      <h1 className="text-lg font-semibold tracking-tight text-slate-900 dark:text-slate-100">{t("title")}</h1>
      <p className="mb-5 mt-1 max-w-3xl text-sm text-slate-500 dark:text-slate-400">{t("subtitle")}</p>
      <OverviewView />
    </div>
  );
}
