import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { DeployView } from "../DeployView.tsx";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("deploy");
  return { title: t("title") };
}

export default async function DeployPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <DeployView id={id} />;
}
