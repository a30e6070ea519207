"use client";
import { useTranslations } from "next-intl";
import { useState } from "react";
import { buttonClass, Dialog } from "../_ui/Dialog.tsx";

/** The agent token, once: the command line to start the agent with it, a copy button, and the warning. */
export function TokenDialog({ name, token, onClose }: { name: string; token: string; onClose(): void }) {
  const t = useTranslations("directors");
  const [copied, setCopied] = useState<boolean | null>(null);
  const command = `npx lvs-agent --server ${window.location.origin} --token ${token} --engine auto`;
  const copy = () => {
    if (!navigator.clipboard) return setCopied(false);
    navigator.clipboard.writeText(command).then(() => setCopied(true), () => setCopied(false));
  };
  return (
    <Dialog title={t("tokenTitle", { name })} onClose={onClose} testId="token-dialog">
      <p className="text-sm font-medium text-amber-800" data-testid="token-once">{t("tokenOnce")}</p>
      <label className="mt-3 block text-xs font-medium uppercase tracking-wide text-slate-500" htmlFor="agent-token">{t("tokenLabel")}</label>
      <input id="agent-token" readOnly value={token} data-testid="token-value" onFocus={(e) => e.currentTarget.select()} className="mt-1 w-full rounded border border-slate-300 bg-slate-50 px-2 py-1 font-mono text-xs text-slate-900" />
      <label className="mt-3 block text-xs font-medium uppercase tracking-wide text-slate-500" htmlFor="agent-command">{t("commandLabel")}</label>
      <textarea id="agent-command" readOnly rows={3} value={command} data-testid="token-command" onFocus={(e) => e.currentTarget.select()} className="mt-1 w-full resize-none rounded border border-slate-300 bg-slate-50 px-2 py-1 font-mono text-xs text-slate-900" />
      <div className="mt-3 flex items-center justify-end gap-2">
        {copied != null && <span role="status" className="text-xs text-slate-600" data-testid="token-copied">{copied ? t("copied") : t("copyFailed")}</span>}
        <button type="button" className={buttonClass} data-testid="token-copy" onClick={copy}>{t("copy")}</button>
        <button type="button" className={buttonClass} data-testid="token-done" onClick={onClose}>{t("done")}</button>
      </div>
    </Dialog>
  );
}
