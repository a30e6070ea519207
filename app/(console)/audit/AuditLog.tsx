"use client";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useState, type FormEvent } from "react";
import { inputClass } from "../../_shell/AuthCard.tsx";
import { useErrorText } from "../../_shell/useErrorText.ts";
import { useTRPC } from "../../trpc.ts";
import { DateTime } from "../_ui/DateTime.tsx";
import { auditFacts, summaryKey } from "./auditWords.ts";

const OUTCOMES = ["success", "failure", "denied"] as const;
type Outcome = (typeof OUTCOMES)[number];
interface Filters {
  actor: string;
  action: string;
  target: string;
  outcome: Outcome | "";
  from: string;
  to: string;
}
const EMPTY: Filters = { actor: "", action: "", target: "", outcome: "", from: "", to: "" };
const PAGE = 50;
const btn = "h-8 rounded border border-slate-300 bg-white px-3 text-sm text-slate-800 hover:bg-slate-100 disabled:cursor-not-allowed disabled:opacity-40";

/** datetime-local (the browser's zone) -> ms since epoch; "" -> undefined */
const toMs = (v: string) => (v ? new Date(v).getTime() : undefined);

function outcomeClass(o: Outcome): string {
  return o === "success" ? "bg-emerald-50 text-emerald-700" : o === "failure" ? "bg-red-50 text-red-700" : "bg-amber-50 text-amber-800";
}

/**
 * What happened, in words: one translated sentence for the action and outcome, the diff's facts as
 * "label: value" lines, a topology save's readable change lines ("~ TCP 10.0.0.1:80 -> 10.0.0.7:
 * weight 1 → 3"), and the raw JSON one click away.
 */
function Details({ action, outcome, target, diff }: { action: string; outcome: Outcome; target: string; diff: unknown }) {
  const t = useTranslations("auth.audit");
  const key = `summary.${summaryKey(action)}`;
  const sentence = t.has(key as never) ? t(key as never, { target, outcome } as never) : t("summary.other", { action, target, outcome });
  const d = (diff ?? {}) as { changes?: unknown; changeCount?: unknown; message?: unknown };
  const lines = Array.isArray(d.changes) && d.changes.every((c) => typeof c === "string") ? (d.changes as string[]) : null;
  const more = lines && typeof d.changeCount === "number" ? d.changeCount - lines.length : 0;
  const facts = auditFacts(diff);
  return (
    <div data-testid="audit-details">
      <div className="font-sans text-slate-800" data-testid="audit-summary">{sentence}</div>
      {typeof d.message === "string" && d.message && <div className="font-sans italic text-slate-600" data-testid="audit-message">{d.message}</div>}
      {facts.length > 0 && (
        <dl className="mt-0.5 grid grid-cols-[auto_1fr] gap-x-2" data-testid="audit-facts">
          {facts.map((f) => (
            <div key={f.key} className="contents">
              <dt className="text-slate-500">{t.has(`fact.${f.key}` as never) ? t(`fact.${f.key}` as never) : f.key}</dt>
              <dd className="break-all text-slate-700" data-fact={f.key}>{f.value}</dd>
            </div>
          ))}
        </dl>
      )}
      {lines && (
        <div data-testid="audit-changes">
          {lines.slice(0, 8).map((l, i) => (
            <div key={i} className={l.startsWith("-") ? "text-red-700" : l.startsWith("+") ? "text-emerald-700" : "text-slate-700"}>{l}</div>
          ))}
          {lines.length > 8 || more > 0 ? <div>… +{lines.length - Math.min(lines.length, 8) + Math.max(more, 0)}</div> : null}
        </div>
      )}
      {diff != null && (
        <details className="mt-0.5" data-testid="audit-json">
          <summary className="cursor-pointer font-sans text-sky-700">{t("json")}</summary>
          <pre className="max-h-60 overflow-auto whitespace-pre-wrap break-all text-[11px]">{JSON.stringify(diff, null, 1)}</pre>
        </details>
      )}
    </div>
  );
}

/** The audit log: filters (user, action, target, outcome, time), newest first, keyset pages. Read-only. */
export function AuditLog({ initial }: { initial?: { actor: string; action: string; target: string; outcome: string } }) {
  const t = useTranslations("auth.audit");
  const errorText = useErrorText();
  const trpc = useTRPC();
  const start: Filters = initial
    ? { ...EMPTY, actor: initial.actor, action: initial.action, target: initial.target, outcome: (OUTCOMES as readonly string[]).includes(initial.outcome) ? (initial.outcome as Outcome) : "" }
    : EMPTY;
  const [draft, setDraft] = useState<Filters>(start);
  const [applied, setApplied] = useState<Filters>(start);
  /** cursors of the pages before the current one; the current page's cursor is the last */
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors[cursors.length - 1];
  const input = {
    limit: PAGE,
    ...(applied.actor ? { actor: applied.actor } : {}),
    ...(applied.action ? { action: applied.action } : {}),
    ...(applied.target ? { target: applied.target } : {}),
    ...(applied.outcome ? { outcome: applied.outcome } : {}),
    ...(toMs(applied.from) != null ? { from: toMs(applied.from) } : {}),
    ...(toMs(applied.to) != null ? { to: toMs(applied.to) } : {}),
    ...(cursor ? { cursor } : {}),
  };
  const page = useQuery({ ...trpc.audit.list.queryOptions(input), placeholderData: keepPreviousData });
  const set = (k: keyof Filters) => (e: { target: { value: string } }) => setDraft((d) => ({ ...d, [k]: e.target.value }));

  function submit(e: FormEvent) {
    e.preventDefault();
    setApplied(draft);
    setCursors([]);
  }

  const field = (k: "actor" | "action" | "target", label: string, placeholder: string) => (
    <label className="flex flex-col gap-1">
      <span className="text-xs font-medium uppercase tracking-wide text-slate-500">{label}</span>
      <input data-testid={`audit-filter-${k}`} value={draft[k]} onChange={set(k)} placeholder={placeholder} className={inputClass} />
    </label>
  );

  return (
    <div>
      <form onSubmit={submit} className="mb-4 flex flex-wrap items-end gap-3 rounded-md border border-slate-200 bg-white px-4 py-3 shadow-sm" data-testid="audit-filters">
        {field("actor", t("user"), "alice@example.com")}
        {field("action", t("action"), "auth, topology.save")}
        {field("target", t("target"), "user:, topology:")}
        <label className="flex flex-col gap-1">
          <span className="text-xs font-medium uppercase tracking-wide text-slate-500">{t("outcome")}</span>
          <select data-testid="audit-filter-outcome" value={draft.outcome} onChange={set("outcome")} className={inputClass}>
            <option value="">{t("any")}</option>
            {OUTCOMES.map((o) => <option key={o} value={o}>{t(o)}</option>)}
          </select>
        </label>
        <label className="flex flex-col gap-1">
          <span className="text-xs font-medium uppercase tracking-wide text-slate-500">{t("from")}</span>
          <input type="datetime-local" data-testid="audit-filter-from" value={draft.from} onChange={set("from")} className={inputClass} />
        </label>
        <label className="flex flex-col gap-1">
          <span className="text-xs font-medium uppercase tracking-wide text-slate-500">{t("to")}</span>
          <input type="datetime-local" data-testid="audit-filter-to" value={draft.to} onChange={set("to")} className={inputClass} />
        </label>
        <button type="submit" data-testid="audit-apply" className="h-8 rounded bg-sky-600 px-3 text-sm font-medium text-white hover:bg-sky-500">{t("filter")}</button>
        <button type="button" data-testid="audit-clear" className={btn} onClick={() => (setDraft(EMPTY), setApplied(EMPTY), setCursors([]))}>{t("clear")}</button>
      </form>

      {page.error && <p role="alert" className="mb-3 text-sm text-red-600" data-testid="audit-error">{errorText(page.error).text}</p>}
      <div className="overflow-x-auto rounded-md border border-slate-200 bg-white shadow-sm">
        <table className="w-full text-left text-sm" data-testid="audit-table">
          <thead className="border-b border-slate-200 bg-slate-50 text-xs uppercase tracking-wide text-slate-500">
            <tr>
              <th className="px-3 py-2">{t("time")}</th>
              <th className="px-3 py-2">{t("user")}</th>
              <th className="px-3 py-2">{t("address")}</th>
              <th className="px-3 py-2">{t("action")}</th>
              <th className="px-3 py-2">{t("target")}</th>
              <th className="px-3 py-2">{t("outcome")}</th>
              <th className="px-3 py-2">{t("details")}</th>
            </tr>
          </thead>
          <tbody>
            {page.data?.items.map((r) => (
              <tr key={r.id} className="border-b border-slate-100 align-top last:border-0" data-testid="audit-row" data-action={r.action} data-actor={r.actor} data-outcome={r.outcome} data-target={r.target}>
                <td className="whitespace-nowrap px-3 py-1.5 font-mono text-xs text-slate-600"><DateTime at={r.at} /></td>
                <td className="px-3 py-1.5 text-slate-900">{r.actor}</td>
                <td className="px-3 py-1.5 font-mono text-xs text-slate-500">{r.sourceIp ?? ""}</td>
                <td className="px-3 py-1.5 font-mono text-xs text-slate-900">{r.action}</td>
                <td className="max-w-56 truncate px-3 py-1.5 font-mono text-xs text-slate-600" title={r.target} data-testid="audit-target">{r.targetLabel ?? r.target}</td>
                <td className="px-3 py-1.5"><span className={`rounded px-1.5 py-0.5 text-xs ${outcomeClass(r.outcome)}`}>{t(r.outcome)}</span></td>
                <td className="max-w-96 px-3 py-1.5 font-mono text-xs text-slate-500"><Details action={r.action} outcome={r.outcome} target={r.targetLabel ?? r.target} diff={r.diff} /></td>
              </tr>
            ))}
          </tbody>
        </table>
        {page.data && page.data.items.length === 0 && <p className="px-3 py-6 text-center text-sm text-slate-500" data-testid="audit-empty">{t("empty")}</p>}
      </div>
      <div className="mt-3 flex items-center gap-2">
        <button type="button" className={btn} data-testid="audit-newer" disabled={cursors.length === 0} onClick={() => setCursors((c) => c.slice(0, -1))}>{t("newer")}</button>
        <span className="text-xs text-slate-500" data-testid="audit-page-number">{t("page", { page: cursors.length + 1 })}</span>
        <button type="button" className={btn} data-testid="audit-older" disabled={!page.data?.nextCursor} onClick={() => page.data?.nextCursor && setCursors((c) => [...c, page.data!.nextCursor!])}>{t("older")}</button>
      </div>
    </div>
  );
}
