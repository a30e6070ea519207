/**
 * The one way the UI writes a date and time: the user's locale and time zone (the browser's), with
 * the UTC instant for a tooltip. Styles: "full" (date + time to the second), "time" (time of day),
 * "date". Pure: the zone and locale are arguments, so tests pin them.
 */
export type DateStyle = "full" | "time" | "date";

const OPTIONS: Record<DateStyle, Intl.DateTimeFormatOptions> = {
  full: { year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" },
  time: { hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" },
  date: { year: "numeric", month: "2-digit", day: "2-digit" },
};

const cache = new Map<string, Intl.DateTimeFormat>();
function formatter(locale: string, style: DateStyle, timeZone: string | undefined): Intl.DateTimeFormat {
  const key = `${locale}|${style}|${timeZone ?? ""}`;
  let f = cache.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, { ...OPTIONS[style], timeZone });
    cache.set(key, f);
  }
  return f;
}

export function toDate(v: Date | string | number): Date {
  return v instanceof Date ? v : new Date(v);
}

/** e.g. "12/06/2026, 08:37:12" (en) or "2026/12/06 08:37:12" (zh) in the given (default: local) zone */
export function formatDateTime(v: Date | string | number, locale: string, style: DateStyle = "full", timeZone?: string): string {
  const d = toDate(v);
  return Number.isNaN(d.getTime()) ? "—" : formatter(locale, style, timeZone).format(d);
}

/** "2026-12-06 08:37:12 UTC": the tooltip */
export function utcText(v: Date | string | number): string {
  const d = toDate(v);
  return Number.isNaN(d.getTime()) ? "" : `${d.toISOString().replace("T", " ").slice(0, 19)} UTC`;
}
