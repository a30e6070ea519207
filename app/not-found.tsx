import Link from "next/link";
import { getTranslations } from "next-intl/server";

export default async function NotFound() {
  const t = await getTranslations("common");
  return (
    <div className="mx-auto flex w-full max-w-6xl flex-col items-start gap-3 px-6 py-16" data-testid="not-found">
      <p className="font-mono text-xs text-slate-400">404</p>
      <h1 className="text-lg font-semibold text-slate-900">{t("notFound")}</h1>
      <Link href="/topologies" className="text-sm text-sky-700 hover:underline">
        {t("backHome")}
      </Link>
    </div>
  );
}
