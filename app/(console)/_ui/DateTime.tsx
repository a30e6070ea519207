"use client";
/**
 * <DateTime at={…} />: a date written the one way the UI writes dates (dateTime.ts), in the user's
 * locale and browser time zone, with the UTC instant on hover. Rendered on the server in UTC first
 * (the server does not know the zone) and in the local zone once hydrated.
 */
import { useLocale } from "next-intl";
import { useSyncExternalStore } from "react";
import { formatDateTime, toDate, utcText, type DateStyle } from "./dateTime.ts";

const subscribe = () => () => {};
/** true in the browser after hydration, false while rendering on the server */
export function useIsClient(): boolean {
  return useSyncExternalStore(subscribe, () => true, () => false);
}

export function DateTime({ at, style = "full", className, testId }: { at: Date | string | number; style?: DateStyle; className?: string; testId?: string }) {
  const locale = useLocale();
  const client = useIsClient();
  const d = toDate(at);
  return (
    <time dateTime={Number.isNaN(d.getTime()) ? undefined : d.toISOString()} title={utcText(d)} className={className} data-testid={testId}>
      {formatDateTime(d, locale, style, client ? undefined : "UTC")}
    </time>
  );
}
