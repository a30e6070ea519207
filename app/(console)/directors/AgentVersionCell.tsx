"use client";
/**
 * The Directors table's agent column: the build and protocol the agent's hello reported, compared
 * with the build this console serves (older / another build: the upgrade command), or the reason the
 * console refused its last connection (protocol incompatible: which version to install).
 */
import { useTranslations } from "next-intl";
import { installCommand } from "../../../lvs/protocol/agent.ts";
import { compareAgentVersion } from "../../../lvs/protocol/agentVersion.ts";

export interface AgentInfo {
  online: boolean;
  lastSeenAt: string | null;
  agentVersion: string | null;
  agentProtocol: number | null;
  agentRefusal: string | null;
  agentRefusedAt: string | null;
}

export function AgentVersionCell({ d, served, base }: { d: AgentInfo; served: string | null; base: string }) {
  const t = useTranslations("directors");
  const refused = d.agentRefusal != null && !d.online;
  const state = refused ? "refused" : compareAgentVersion(d.agentVersion, served);
  const upgrade = state === "older" || state === "different" || state === "refused";
  return (
    <td className="px-3 py-1.5 text-xs" data-testid="director-agent" data-agent-state={state}>
      {d.agentVersion ? (
        <span className="font-mono text-slate-700" data-testid="director-agent-version">
          {d.agentVersion}
          {d.agentProtocol != null && <span className="ml-1 text-slate-400">{t("protocolValue", { protocol: d.agentProtocol })}</span>}
        </span>
      ) : (
        <span className="text-slate-400">—</span>
      )}
      {state === "older" && <div className="text-amber-700" data-testid="director-agent-flag">{t("agentOlder", { served: served ?? "" })}</div>}
      {state === "different" && <div className="text-amber-700" data-testid="director-agent-flag">{t("agentDifferent", { served: served ?? "" })}</div>}
      {state === "newer" && <div className="text-slate-500" data-testid="director-agent-flag">{t("agentNewer", { served: served ?? "" })}</div>}
      {refused && <div className="max-w-md whitespace-normal text-red-700" role="alert" data-testid="director-agent-refusal">{t("agentRefused", { reason: d.agentRefusal! })}</div>}
      {upgrade && (
        <details className="mt-0.5">
          <summary className="cursor-pointer text-slate-600">{t("upgradeLabel")}</summary>
          <code className="mt-1 block select-all whitespace-pre-wrap break-all rounded bg-slate-50 px-1 py-0.5 font-mono text-[11px] text-slate-800" data-testid="director-upgrade-command">{installCommand(base)}</code>
        </details>
      )}
    </td>
  );
}
