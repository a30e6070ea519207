import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { UsersAdmin } from "./UsersAdmin.tsx";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("auth.users");
  return { title: t("title") };
}

export default async function UsersPage() {
  const t = await getTranslations("auth.users");
  return (
    <div className="mx-auto w-full max-w-6xl px-6 py-6" data-testid="users-page">
      <div className="mb-5">
        <h1 className="text-lg font-semibold tracking-tight text-slate-900">{t("title")}</h1>
        <p className="mt-1 max-w-3xl text-sm text-slate-500">{t("subtitle")}</p>
      </div>
      <UsersAdmin />
    </div>
  );
}
