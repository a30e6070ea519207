import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { ChangePasswordForm } from "./ChangePasswordForm.tsx";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("auth.account");
  return { title: t("title") };
}

export default async function AccountPage() {
  const t = await getTranslations("auth.account");
  return (
    <div className="mx-auto w-full max-w-6xl px-6 py-6" data-testid="account-page">
      <div className="mb-5">
        <h1 className="text-lg font-semibold tracking-tight text-slate-900">{t("title")}</h1>
        <p className="mt-1 max-w-3xl text-sm text-slate-500">{t("subtitle")}</p>
      </div>
      <ChangePasswordForm />
    </div>
  );
}
