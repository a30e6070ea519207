"use client";
import { useQuery } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useState } from "react";
import { installCommand } from "../../../lvs/protocol/agent.ts";
import { useTRPC } from "../../trpc.ts";
import { buttonClass, Dialog } from "../_ui/Dialog.tsx";
import { installBase } from "./installBase.ts";

/**
 * The agent token, once, with the one command that installs the agent on the director: it downloads
 * the console's agent build, checks its SHA-256, installs lvs-agent.service with the server URL and
 * the token in a root-only file, and starts it. The URL is LVS_PUBLIC_URL, else this browser's origin
 * (with a warning when that is a loopback address a director cannot reach).
 */
export function TokenDialog({ name, token, onClose }: { name: string; token: string; onClose(): void }) {
  const t = useTranslations("directors");
  const trpc = useTRPC();
  const install = useQuery(trpc.director.install.queryOptions());
  const [copied, setCopied] = useState<boolean | null>(null);
  const base = installBase(install.data?.publicUrl ?? null, window.location.origin);
  const command = installCommand(base.url, token);
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
      <textarea id="agent-command" readOnly rows={3} value={command} data-testid="token-command" data-ready={install.isSuccess} onFocus={(e) => e.currentTarget.select()} className="mt-1 w-full resize-none rounded border border-slate-300 bg-slate-50 px-2 py-1 font-mono text-xs text-slate-900" />
      <p className="mt-1 text-xs text-slate-500" data-testid="token-command-help">
        {install.data?.agent ? t("commandHelp", { version: install.data.agent.version }) : install.isSuccess ? null : "…"}
      </p>
      {install.isSuccess && !install.data.agent && <p role="alert" className="mt-2 text-xs text-red-700" data-testid="token-agent-missing">{t("agentMissing")}</p>}
      {install.isSuccess && base.loopback && (
        <p role="alert" className="mt-2 text-xs text-amber-800" data-testid="token-loopback-warning">
          {t(base.configured ? "loopbackConfigured" : "loopbackWarning", { url: base.url })}
        </p>
      )}
      <div className="mt-3 flex items-center justify-end gap-2">
        {copied != null && <span role="status" className="text-xs text-slate-600" data-testid="token-copied">{copied ? t("copied") : t("copyFailed")}</span>}
        <button type="button" className={buttonClass} data-testid="token-copy" onClick={copy}>{t("copy")}</button>
        <button type="button" className={buttonClass} data-testid="token-done" onClick={onClose}>{t("done")}</button>
      </div>
    </Dialog>
  );
}
