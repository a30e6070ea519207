"use client";
import { useTranslations } from "next-intl";
import { useCodedText } from "@/app/_i18n/useCodedText.ts";
import { QuotedCode } from "@/app/_i18n/QuotedCode.tsx";
import { useEditor } from "../../_canvas/store/context.ts";
import { DrainActions } from "../../deploy/DrainActions.tsx";
import { MembershipPanel } from "./MembershipPanel.tsx";
import { PacketPath } from "./PacketPath.tsx";
import { DirectorPanel } from "./DirectorPanel.tsx";
import { HaGroupsPanel } from "./HaGroupsPanel.tsx";
import { RealServerPanel } from "./RealServerPanel.tsx";
import { ServicePanel } from "./ServicePanel.tsx";
import { RealServerAgentPanel } from "./RealServerAgentPanel.tsx";
import { MembershipVerification, useMembershipVerdict } from "./MembershipVerification.tsx";
import { useRealServerAgents } from "./useRealServerAgents.ts";
import { withoutVerifiedHostIssues } from "@/lvs/realServer/membershipVerdict.ts";
import type { Membership } from "@/lvs/model.ts";

/** The selection as one primitive key, so the inspector re-renders only when the selection changes. */
const selectionKey = (s: { nodes: { id: string; selected?: boolean }[]; edges: { id: string; selected?: boolean }[] }) => {
  const ids = [...s.nodes.filter((n) => n.selected), ...s.edges.filter((e) => e.selected)].map((x) => x.id);
  return ids.join("\n");
};

export function Inspector() {
  const t = useTranslations("editor.inspector");
  const key = useEditor(selectionKey);
  const ids = key ? key.split("\n") : [];
  return (
    <section className="p-3" data-testid="inspector">
      <h2 className="mb-2 text-xs font-semibold uppercase tracking-wide text-slate-500">{t("title")}</h2>
      {ids.length === 0 && <p className="text-sm text-slate-500" data-testid="inspector-empty">{t("empty")}</p>}
      {ids.length > 1 && <p className="text-sm text-slate-600" data-testid="inspector-multi">{t("multi", { count: ids.length })}</p>}
      {ids.length === 1 && <SelectedObject id={ids[0]!} />}
    </section>
  );
}

function SelectedObject({ id }: { id: string }) {
  const t = useTranslations("editor.inspector");
  const node = useEditor((s) => s.nodes.find((n) => n.id === id));
  const edge = useEditor((s) => (node ? undefined : s.edges.find((e) => e.id === id)));
  const issues = useEditor((s) => s.issues);
  const issueText = useCodedText("issue");
  // a real server whose agent reported: its observed checks replace the warnings about what was declared
  const { agents } = useRealServerAgents();
  const reported = new Set(agents.filter((a) => a.report && !a.revoked).map((a) => a.realServerKey));
  const mine = withoutVerifiedHostIssues(issues.filter((i) => i.objectId === id), reported);
  const readOnly = useEditor((s) => s.readOnly);
  // a viewer reads the forms: every field disabled (the store refuses edits as well)
  const fields = (panel: React.ReactNode) => (
    <fieldset disabled={readOnly} data-testid="inspector-fields" className="min-w-0">{panel}</fieldset>
  );
  // warnings are amber; red only where an error is
  const mineErrors = mine.some((i) => i.severity === "error");
  let body: React.ReactNode = null;
  let title = "";
  if (node?.type === "director") {
    title = t("director");
    body = (
      <>
        {fields(<DirectorPanel key={id} director={node.data.director} />)}
        {fields(<HaGroupsPanel directorId={node.data.director.id} />)}
        <DrainActions subject={{ kind: "director", key: node.data.director.id }} />
      </>
    );
  } else if (node?.type === "service") {
    title = t("service");
    body = fields(<ServicePanel key={id} service={node.data.service} />);
  } else if (node?.type === "realServer") {
    title = t("realServer");
    body = (
      <>
        {fields(<RealServerPanel key={id} realServer={node.data.realServer} />)}
        <RealServerAgentPanel realServerKey={node.data.realServer.id} />
        <DrainActions subject={{ kind: "realServer", key: node.data.realServer.id }} />
      </>
    );
  } else if (edge?.type === "membership" && edge.data) {
    title = t("membership");
    body = (
      <>
        {fields(<MembershipPanel key={id} membership={edge.data.membership} />)}
        <DrainActions subject={{ kind: "membership", key: edge.data.membership.id }} />
        <VerifiedPath membership={edge.data.membership} />
      </>
    );
  } else return null;
  return (
    <div data-testid="inspector-object" data-object={id}>
      <h3 className="mb-2 text-sm font-semibold text-slate-900">{title}</h3>
      {mine.length > 0 && (
        <ul
          className={`mb-2 space-y-1 rounded border p-2 text-xs ${mineErrors ? "border-red-200 bg-red-50" : "border-amber-200 bg-amber-50"}`}
          data-testid="inspector-issues"
          data-severity={mineErrors ? "error" : "warning"}
          aria-label={t("issuesHere")}
        >
          {mine.map((i, k) => (
            <li key={k} className={i.severity === "error" ? "text-red-700" : "text-amber-700"}>
              <span className="font-mono text-[10px]">{i.code}</span> <QuotedCode text={issueText(i)} />
            </li>
          ))}
        </ul>
      )}
      {body}
    </div>
  );
}

/** The membership's ✓/✗ from the agents' reports, and its packet path with the broken steps marked. */
function VerifiedPath({ membership }: { membership: Membership }) {
  const verdict = useMembershipVerdict(membership);
  return (
    <>
      <MembershipVerification verdict={verdict} />
      <PacketPath membership={membership} failing={verdict.failing} />
    </>
  );
}
