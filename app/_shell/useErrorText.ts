"use client";
import { useTranslations } from "next-intl";
import { useCallback } from "react";
import { describeTrpcError, type UiError } from "../trpcError.ts";

/** Returns a function that renders any tRPC/network error as a translated sentence (namespace `errors`). */
export function useErrorText(): (error: unknown) => { text: string; error: UiError } {
  const t = useTranslations("errors");
  return useCallback(
    (raw: unknown) => {
      const error = describeTrpcError(raw);
      return { text: t(error.code, { message: error.message }), error };
    },
    [t],
  );
}
