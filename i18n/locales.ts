// Supported UI locales. No locale routing: the choice lives in the NEXT_LOCALE cookie.
export const locales = ["en", "zh"] as const;
export type Locale = (typeof locales)[number];
export const defaultLocale: Locale = "en";
export const LOCALE_COOKIE = "NEXT_LOCALE";
/** one year, in seconds */
export const LOCALE_COOKIE_MAX_AGE = 60 * 60 * 24 * 365;

/** Each language names itself, so the switch reads the same in every locale. */
export const localeNames: Record<Locale, string> = { en: "English", zh: "简体中文" };

/** BCP 47 tag for <html lang>. */
export const localeTags: Record<Locale, string> = { en: "en", zh: "zh-CN" };

export function isLocale(value: unknown): value is Locale {
  return typeof value === "string" && (locales as readonly string[]).includes(value);
}

export function resolveLocale(value: string | undefined | null): Locale {
  return isLocale(value) ? value : defaultLocale;
}
