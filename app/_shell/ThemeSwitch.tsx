"use client";
import { useTranslations } from "next-intl";
import { useEffect, useState } from "react";
import { isDark, isTheme, THEME_KEY, THEMES, type Theme } from "./theme.ts";

/** System / light / dark; "system" follows the OS preference as it changes. */
export function ThemeSwitch() {
  const t = useTranslations("theme");
  const [theme, setTheme] = useState<Theme>("system");
  useEffect(() => {
    const saved = localStorage.getItem(THEME_KEY);
    if (isTheme(saved)) setTheme(saved);
  }, []);
  useEffect(() => {
    const media = window.matchMedia("(prefers-color-scheme: dark)");
    const apply = () => {
      document.documentElement.classList.toggle("dark", isDark(theme, media.matches));
      document.documentElement.dataset.theme = theme;
    };
    apply();
    media.addEventListener("change", apply);
    return () => media.removeEventListener("change", apply);
  }, [theme]);
  return (
    <label className="flex items-center gap-1 text-xs text-slate-400">
      <span className="sr-only">{t("label")}</span>
      <select
        data-testid="theme-switch"
        aria-label={t("label")}
        value={theme}
        onChange={(e) => {
          const next = e.target.value;
          if (!isTheme(next)) return;
          localStorage.setItem(THEME_KEY, next);
          setTheme(next);
        }}
        className="rounded border border-slate-700 bg-slate-800 px-2 py-1 text-xs text-slate-100 hover:border-slate-500"
      >
        {THEMES.map((x) => <option key={x} value={x}>{t(x)}</option>)}
      </select>
    </label>
  );
}
