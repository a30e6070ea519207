"use client";
import { useTranslations } from "next-intl";
import { useMemo } from "react";
import type { Op } from "@/lvs/ops.ts";
import type { Catalogue } from "./codedText.ts";
import { changeText, opText, type ChangeLike } from "./planText.ts";

/** Plan operations and revision changes in the UI language (see planText.ts). */
export function usePlanText(): { op(o: Op, fallback: string): string; change(c: ChangeLike, fallback: string): string } {
  const t = useTranslations();
  return useMemo(() => {
    const cat: Catalogue = {
      has: (key) => t.has(key as never),
      format: (key, params) => t(key as never, params as never) as string,
    };
    return { op: (o, fallback) => opText(cat, o, fallback), change: (c, fallback) => changeText(cat, c, fallback) };
  }, [t]);
}
