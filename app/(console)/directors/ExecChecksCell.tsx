"use client";
import { useTranslations } from "next-intl";

/** The exec checks installed in the director's checks directory, as its agent's hello listed them. */
export function ExecChecksCell({ checks }: { checks: string[] | null }) {
  const t = useTranslations("directors");
  return (
    <td className="px-3 py-1.5 text-xs" data-testid="director-exec-checks" data-checks={checks?.join(" ") ?? ""}>
      {checks === null ? (
        <span className="text-slate-400">{t("execChecksUnknown")}</span>
      ) : checks.length === 0 ? (
        <span className="text-slate-500" title={t("execChecksHelp")}>{t("execChecksNone")}</span>
      ) : (
        <span className="font-mono text-slate-700" title={t("execChecksHelp")}>{checks.join(", ")}</span>
      )}
    </td>
  );
}
