import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { LiveIndex } from "./LiveIndex.tsx";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("live");
  return { title: t("title") };
}

export default async function LiveIndexPage() {
  const t = await getTranslations("live");
  return (
    <div className="mx-auto w-full max-w-6xl px-6 py-6" data-testid="live-index-page">
      <h1 className="text-lg font-semibold tracking-tight text-slate-900">{t("title")}</h1>
      <p className="mb-5 mt-1 max-w-3xl text-sm text-slate-500">{t("index.subtitle")}</p>
      <LiveIndex />
    </div>
  );
}
