import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { AuthCard } from "../_shell/AuthCard.tsx";
import { SetupForm } from "./SetupForm.tsx";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("auth.setup");
  return { title: t("title") };
}

/** First run only: the server redirects here while no user exists, and away once one does. */
export default async function SetupPage() {
  const t = await getTranslations("auth.setup");
  return (
    <AuthCard title={t("title")} subtitle={t("subtitle")} testId="setup-page">
      <SetupForm />
    </AuthCard>
  );
}
