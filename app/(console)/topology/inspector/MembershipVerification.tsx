"use client";
import { useTranslations } from "next-intl";
import type { Membership } from "@/lvs/model.ts";
import { membershipVerdict, type MembershipVerdict } from "@/lvs/realServer/membershipVerdict.ts";
import { useRealServerAgents } from "./useRealServerAgents.ts";

/** The membership's verdict from its real server's agent report (and its directors' prerequisites). */
export function useMembershipVerdict(membership: Membership): MembershipVerdict {
  const { agents } = useRealServerAgents();
  const agent = agents.find((a) => a.realServerKey === membership.realServerId && !a.revoked);
  return membershipVerdict(membership.id, { hasAgent: !!agent, report: agent?.report ?? null });
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
