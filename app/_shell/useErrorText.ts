"use client";
import { useTranslations } from "next-intl";
import { useCallback } from "react";
import { describeTrpcError, type UiError } from "../trpcError.ts";
import { useCodedText } from "../_i18n/useCodedText.ts";

/**
 * Returns a function that renders any tRPC/network error as a sentence in the UI language: the
 * server's reason (`serverError.<code>`) when it sent one, else the generic text for the tRPC code
 * (namespace `errors`) around the server's English message.
 */
export function useErrorText(): (error: unknown) => { text: string; error: UiError } {
  const t = useTranslations("errors");
  const reasonText = useCodedText("serverError");
  return useCallback(
    (raw: unknown) => {
      const error = describeTrpcError(raw);
      if (error.reason) {
        const text = reasonText({ ...error.reason, message: "" });
        if (text) return { text, error };
      }
      return { text: t(error.code, { message: error.message }), error };
    },
    [t, reasonText],
  );
}
