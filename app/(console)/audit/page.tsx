import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { AuditLog } from "./AuditLog.tsx";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("auth.audit");
  return { title: t("title") };
}

/** `/audit?target=topology:<id>&actor=...&action=...&outcome=...` opens the log pre-filtered. */
export default async function AuditPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const t = await getTranslations("auth.audit");
  const params = await searchParams;
  const one = (k: string) => (typeof params[k] === "string" ? (params[k] as string) : "");
  return (
    <div className="mx-auto w-full max-w-6xl px-6 py-6" data-testid="audit-page">
      <div className="mb-5">
        <h1 className="text-lg font-semibold tracking-tight text-slate-900">{t("title")}</h1>
        <p className="mt-1 max-w-3xl text-sm text-slate-500">{t("subtitle")}</p>
      </div>
      <AuditLog initial={{ actor: one("actor"), action: one("action"), target: one("target"), outcome: one("outcome") }} />
    </div>
  );
}
