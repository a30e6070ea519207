import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { DirectorsView } from "../DirectorsView.tsx";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("directors");
  return { title: t("title") };
}

export default async function DirectorsPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <DirectorsView id={id} />;
}
