import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { CreateTopologyForm } from "./CreateTopologyForm.tsx";
import { TopologyTable } from "./TopologyTable.tsx";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("topologies");
  return { title: t("title") };
}

export default async function TopologiesPage() {
  const t = await getTranslations("topologies");
  return (
    <div className="mx-auto w-full max-w-6xl px-6 py-6" data-testid="topologies-page">
      <div className="mb-5">
        <h1 className="text-lg font-semibold tracking-tight text-slate-900">{t("title")}</h1>
        <p className="mt-1 max-w-3xl text-sm text-slate-500">{t("subtitle")}</p>
      </div>
      <CreateTopologyForm />
      <TopologyTable />
    </div>
  );
}
