"use client";
import { useRouter } from "next/navigation";
import { useLocale, useTranslations } from "next-intl";
import { useTransition } from "react";
import { isLocale, LOCALE_COOKIE, LOCALE_COOKIE_MAX_AGE, localeNames, locales } from "../../i18n/locales.ts";

/** Writes the NEXT_LOCALE cookie (read by i18n/request.ts) and re-renders the server components. */
export function LanguageSwitch() {
  const t = useTranslations("language");
  const locale = useLocale();
  const router = useRouter();
  const [pending, startTransition] = useTransition();

  function choose(next: string) {
    if (!isLocale(next) || next === locale) return;
    document.cookie = `${LOCALE_COOKIE}=${next}; Path=/; Max-Age=${LOCALE_COOKIE_MAX_AGE}; SameSite=Lax`;
    startTransition(() => router.refresh());
  }

  return (
    <label className="flex items-center gap-2 text-xs text-slate-400">
      <svg aria-hidden viewBox="0 0 20 20" className="h-4 w-4 fill-none stroke-current" strokeWidth="1.5">
        <circle cx="10" cy="10" r="7.5" />
        <path d="M2.5 10h15M10 2.5c2.2 2.3 2.2 12.7 0 15M10 2.5c-2.2 2.3-2.2 12.7 0 15" />
      </svg>
      <span className="sr-only">{t("label")}</span>
      <select
        data-testid="language-switch"
        aria-label={t("label")}
        value={locale}
        disabled={pending}
        onChange={(e) => choose(e.target.value)}
        className="rounded border border-slate-700 bg-slate-800 px-2 py-1 text-xs text-slate-100 hover:border-slate-500 disabled:opacity-60"
      >
        {locales.map((l) => (
          <option key={l} value={l} lang={l === "zh" ? "zh-CN" : l}>
            {localeNames[l]}
          </option>
        ))}
      </select>
    </label>
  );
}
