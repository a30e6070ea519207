import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { AuthCard } from "../_shell/AuthCard.tsx";
import { LoginForm } from "./LoginForm.tsx";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("auth.login");
  return { title: t("title") };
}

export default async function LoginPage({ searchParams }: { searchParams: Promise<{ next?: string | string[] }> }) {
  const t = await getTranslations("auth.login");
  const { next } = await searchParams;
  return (
    <AuthCard title={t("title")} subtitle={t("subtitle")} testId="login-page">
      <LoginForm next={typeof next === "string" ? next : null} />
    </AuthCard>
  );
}
