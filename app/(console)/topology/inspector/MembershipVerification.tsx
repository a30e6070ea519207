"use client";
import { useTranslations } from "next-intl";
import type { Membership } from "@/lvs/model.ts";
import { membershipVerdict, type MembershipVerdict } from "@/lvs/realServer/membershipVerdict.ts";
import { useRealServerAgents } from "./useRealServerAgents.ts";
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/app/trpc.ts";
import { useEditor } from "../../_canvas/store/context.ts";

/** The membership's verdict from its real server's agent report (and its directors' prerequisites). */
export function useMembershipVerdict(membership: Membership): MembershipVerdict {
  const { topologyId, agents } = useRealServerAgents();
  const trpc = useTRPC();
  const directors = useQuery({ ...trpc.director.list.queryOptions({ topologyId }), enabled: !!topologyId, refetchInterval: 5000 });
  const placed = useEditor((s) => {
    const n = s.nodes.find((x) => x.id === membership.serviceId);
    return n?.type === "service" ? n.data.service.directorIds.join("\n") : "";
  });
  const agent = agents.find((a) => a.realServerKey === membership.realServerId && !a.revoked);
  const keys = new Set(placed ? placed.split("\n") : []);
  const prereqs = (directors.data ?? []).filter((d) => keys.has(d.key) && d.prerequisites).map((d) => ({ name: d.name, checks: d.prerequisites!.checks }));
  return membershipVerdict(membership.id, { hasAgent: !!agent, report: agent?.report ?? null }, prereqs);
}

const MARK = { verified: "✓", failing: "✗", unknown: "?" } as const;
const TONE = { verified: "border-emerald-300 bg-emerald-50 text-emerald-800", failing: "border-red-300 bg-red-50 text-red-800", unknown: "border-slate-200 bg-slate-50 text-slate-600" } as const;

/** ✓ verified / ✗ failing (each failing check named, with observed vs expected) / ? unknown (why). */
export function MembershipVerification({ verdict }: { verdict: MembershipVerdict }) {
  const t = useTranslations("editor.verify");
  return (
    <section className={`mt-3 rounded border p-2 text-xs ${TONE[verdict.state]}`} data-testid="membership-verdict" data-state={verdict.state}>
      <div className="font-semibold">
        <span aria-hidden className="mr-1" data-testid="membership-verdict-mark">{MARK[verdict.state]}</span>
        {t(`state.${verdict.state}`)}
        {verdict.reason && <span className="ml-1 font-normal">({t(`reason.${verdict.reason}`)})</span>}
      </div>
      {verdict.failing.length > 0 && (
        <ul className="mt-1 space-y-0.5" data-testid="membership-verdict-failing">
          {verdict.failing.map((c) => (
            <li key={`${c.on}:${c.id}`} data-check={c.id}>
              <span className="font-mono">{c.id}</span>{c.on === "director" && c.host ? ` (${c.host})` : ""}: {t("observed", { observed: c.observed, expected: c.expected })}
            </li>
          ))}
        </ul>
      )}
      {verdict.state === "verified" && (
        <ul className="mt-1 space-y-0.5" data-testid="membership-verdict-checks">
          {verdict.checks.map((c) => <li key={`${c.on}:${c.id}`} className="font-mono">✓ {c.id}: {c.observed}</li>)}
        </ul>
      )}
    </section>
  );
}
