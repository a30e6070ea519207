"use client";
/**
 * What an empty canvas says to a newcomer: the three drags and two connections that make a working
 * virtual service, then save and deploy. It lets drops through (pointer-events none) and disappears
 * with the first node. A viewer is told the topology is empty, not how to edit it.
 */
import { useTranslations } from "next-intl";

export function EmptyCanvasGuide({ readOnly }: { readOnly: boolean }) {
  const t = useTranslations("editor.empty");
  return (
    <div className="pointer-events-none absolute inset-0 z-10 flex items-center justify-center p-6" data-testid="canvas-empty">
      <div className="max-w-md rounded-lg border border-dashed border-slate-300 bg-white/90 p-5 text-sm text-slate-700 shadow-sm dark:bg-slate-900/90 dark:text-slate-200">
        <h2 className="mb-2 text-base font-semibold text-slate-900 dark:text-slate-100">{t("title")}</h2>
        {readOnly ? (
          <p>{t("readOnly")}</p>
        ) : (
          <>
            <ol className="list-decimal space-y-1 pl-5" data-testid="canvas-empty-steps">
              <li>{t("step1")}</li>
              <li>{t("step2")}</li>
              <li>{t("step3")}</li>
              <li>{t("step4")}</li>
            </ol>
            <p className="mt-3 text-xs text-slate-500 dark:text-slate-400">{t("alternative")}</p>
          </>
        )}
      </div>
    </div>
  );
}
