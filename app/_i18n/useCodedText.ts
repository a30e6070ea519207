"use client";
import { useTranslations } from "next-intl";
import { useCallback } from "react";
import { codedText, type CodedMessage } from "./codedText.ts";

/**
 * `issue` (lvs/validate codes), `parse` (lvs/formats diagnostics) or `serverError` (server error codes):
 * a function that renders such a message in the UI language.
 */
export function useCodedText(namespace: "issue" | "parse" | "serverError"): (m: CodedMessage) => string {
  const t = useTranslations();
  return useCallback(
    (m: CodedMessage) =>
      codedText(
        {
          has: (key) => t.has(key as never),
          format: (key, params) => t(key as never, params as never) as string,
        },
        namespace,
        m,
      ),
    [t, namespace],
  );
}
