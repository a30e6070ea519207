"use client";
import { useTranslations } from "next-intl";
import { buttonClass, Dialog } from "../_ui/Dialog.tsx";

/**
 * Confirms `director.remove` (admin): the director leaves the topology in a new revision, its row and
 * agent token are deleted and its agent is refused from then on. Names the director so a click on the
 * wrong row is caught; the kernel table on the host is left as it is (the agent's fail-static).
 */
export function RemoveDirectorDialog({ name, directorKey, online, pending, onConfirm, onClose }: {
  name: string; directorKey: string; online: boolean; pending: boolean; onConfirm(): void; onClose(): void;
}) {
  const t = useTranslations("directors");
  return (
    <Dialog title={t("removeTitle", { name })} onClose={onClose} testId="remove-director-dialog">
      <p className="text-sm text-slate-700" data-testid="remove-director-text">{t("removeText", { name, key: directorKey })}</p>
      {online && <p className="mt-2 text-sm font-medium text-amber-800" data-testid="remove-director-online">{t("removeOnline", { name })}</p>}
      <div className="mt-4 flex justify-end gap-2">
        <button type="button" className={buttonClass} data-testid="remove-director-cancel" onClick={onClose}>{t("cancel")}</button>
        <button
          type="button"
          className="rounded bg-red-600 px-3 py-1 text-sm font-medium text-white hover:bg-red-700 disabled:opacity-40"
          data-testid="remove-director-confirm"
          disabled={pending}
          onClick={onConfirm}
        >
          {t("removeConfirm", { name })}
        </button>
      </div>
    </Dialog>
  );
}
