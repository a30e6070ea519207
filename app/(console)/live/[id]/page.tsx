import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { LiveLoader } from "../LiveLoader.tsx";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("live");
  return { title: t("title") };
}

export default async function LivePage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <LiveLoader id={id} />;
}
