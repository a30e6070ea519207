"use client";
/**
 * A real server's agent (the real-server role of lvs-agent) on the inspector: its link and latest
 * report; admins enroll it (the token and the install command, shown once) or revoke it; operators
 * "prepare" it (the agent applies the host settings of the revision in force now, audited). The UI
 * hides what the role cannot do; the server refuses it regardless.
 */
import { useMutation, useQuery } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useState } from "react";
import { installCommand } from "@/lvs/protocol/agent.ts";
import { useTRPC } from "@/app/trpc.ts";
import { useCan } from "@/app/_shell/useSession.ts";
import { useErrorText } from "@/app/_shell/useErrorText.ts";
import { installBase } from "../../directors/installBase.ts";
import { useRealServerAgents } from "./useRealServerAgents.ts";

const small = "rounded border border-slate-300 bg-white px-2 py-0.5 text-xs text-slate-800 hover:bg-slate-100 disabled:opacity-40";

export function RealServerAgentPanel({ realServerKey }: { realServerKey: string }) {
  const t = useTranslations("editor.verify");
  const trpc = useTRPC();
  const errorText = useErrorText();
  const canEnroll = useCan("director.admin");
  const canRevoke = useCan("token.admin");
  const canPrepare = useCan("realServer.prepare");
  const { topologyId, agents, query } = useRealServerAgents();
  const install = useQuery({ ...trpc.director.install.queryOptions(), enabled: canEnroll });
  const agent = agents.find((a) => a.realServerKey === realServerKey && !a.revoked) ?? null;
  const [token, setToken] = useState<string | null>(null);
  const [notice, setNotice] = useState<{ text: string; tone: "ok" | "bad" } | null>(null);
  const onError = (e: unknown) => setNotice({ text: errorText(e).text, tone: "bad" });
  const refresh = () => void query.refetch();
  const enroll = useMutation(trpc.realServer.enroll.mutationOptions({ onSuccess: (r) => (setToken(r.token), setNotice(null), refresh()), onError }));
  const revoke = useMutation(trpc.realServer.revokeToken.mutationOptions({ onSuccess: () => (setToken(null), setNotice(null), refresh()), onError }));
  const prepare = useMutation(trpc.realServer.prepare.mutationOptions({
    onSuccess: (r) => {
      refresh();
      if (!r.report) return setNotice({ text: t("prepareNoAnswer"), tone: "bad" });
      const failing = r.report.checks.filter((c) => !c.ok);
      setNotice(failing.length || r.report.errors.length
        ? { text: t("prepareFailing", { count: failing.length, checks: failing.map((c) => c.id).join(", "), errors: r.report.errors.join("; ") }), tone: "bad" }
        : { text: t("prepareOk", { count: r.report.checks.length, changes: r.report.changes.length }), tone: "ok" });
    },
    onError,
  }));
  if (!topologyId) return null;
  const base = installBase(install.data?.publicUrl ?? null, typeof window === "undefined" ? "" : window.location.origin).url;
  const report = agent?.report ?? null;
  const failing = report ? report.checks.filter((c) => !c.ok).length : 0;
  return (
    <fieldset className="mt-3 space-y-1 rounded border border-slate-200 p-2 text-xs" data-testid="realserver-agent" data-online={agent?.online ? "true" : "false"}>
      <legend className="px-1 font-medium text-slate-600">{t("agentTitle")}</legend>
      {!agent && <p className="text-slate-500" data-testid="realserver-agent-none">{t("noAgent")}</p>}
      {agent && (
        <p className="text-slate-700" data-testid="realserver-agent-status">
          {agent.online ? t("online", { host: agent.hostname ?? "?" }) : t("offline")}
          {agent.applyPolicy && ` · ${t(agent.applyPolicy === "auto" ? "applyAuto" : "applyOnRequest")}`}
          {report && ` · ${failing ? t("reportFailing", { count: failing, total: report.checks.length }) : t("reportOk", { total: report.checks.length })}`}
          {agent.sentRevision != null && ` · ${t("revision", { revision: agent.sentRevision })}`}
        </p>
      )}
      {token && (
        <div className="space-y-1" data-testid="realserver-token">
          <p className="font-medium text-amber-800">{t("tokenOnce")}</p>
          <textarea readOnly rows={3} value={installCommand(base, token)} data-testid="realserver-token-command" onFocus={(e) => e.currentTarget.select()}
            className="w-full resize-none rounded border border-slate-300 bg-slate-50 px-1 font-mono text-[11px]" />
          <p className="text-slate-500">{t("tokenHelp")}</p>
          <code className="block break-all rounded bg-slate-50 px-1 font-mono text-[11px]" data-testid="realserver-token-direct">lvs-agent --role realserver --server {base} --token {token}</code>
        </div>
      )}
      <div className="flex flex-wrap gap-1">
        {!agent && canEnroll && <button type="button" className={small} disabled={enroll.isPending} data-testid="realserver-enroll" onClick={() => enroll.mutate({ topologyId, key: realServerKey })}>{t("enroll")}</button>}
        {agent && canPrepare && (
          <button type="button" className={small} disabled={prepare.isPending || !agent.online} title={agent.online ? t("prepareTitle") : t("offline")} data-testid="realserver-prepare"
            onClick={() => (setNotice(null), prepare.mutate({ id: agent.id }))}>
            {prepare.isPending ? t("preparing") : t("prepare")}
          </button>
        )}
        {agent && canRevoke && <button type="button" className={small} disabled={revoke.isPending} data-testid="realserver-revoke" onClick={() => revoke.mutate({ id: agent.id })}>{t("revoke")}</button>}
      </div>
      {notice && <p role="status" className={notice.tone === "ok" ? "text-emerald-700" : "text-red-700"} data-testid="realserver-agent-notice">{notice.text}</p>}
    </fieldset>
  );
}
