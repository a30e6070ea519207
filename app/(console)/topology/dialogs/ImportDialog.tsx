"use client";
import { useReactFlow } from "@xyflow/react";
import { useTranslations } from "next-intl";
import { useCodedText } from "@/app/_i18n/useCodedText.ts";
import { useEffect, useMemo, useState } from "react";
import { useEditor, useEditorStore } from "../../_canvas/store/context.ts";
import { buttonClass, Dialog, primaryClass } from "../../_ui/Dialog.tsx";
import { detectFormat, parseImport, type ImportFormat } from "./formats.ts";
import { topologyToGraph } from "../../_canvas/graph.ts";
import { applyPlan, importCounts, planImport, uniqueDirectorName, type Placement } from "./importMerge.ts";
import { autoLayout, loadElk } from "../layout/autoLayout.ts";
import { FIT_VIEW } from "../../_canvas/spacing.ts";

/**
 * Paste or upload ipvsadm rules or a keepalived.conf, see what was found (services, real servers,
 * warnings, errors with line numbers), then merge with automatic layout. A file with errors changes
 * nothing.
 */
export function ImportDialog({ onClose }: { onClose(): void }) {
  const t = useTranslations("editor.import");
  const parseText = useCodedText("parse");
  const store = useEditorStore();
  const directorKey = useEditor((s) =>
    s.nodes.flatMap((n) => (n.type === "director" ? [`${n.id}\t${n.data.director.name}`] : [])).join("\n"),
  );
  const directors = directorKey ? directorKey.split("\n").map((l) => ({ id: l.split("\t")[0]!, name: l.split("\t")[1] ?? "" })) : [];
  const { fitView } = useReactFlow();
  const [format, setFormat] = useState<ImportFormat | "auto">("auto");
  const [text, setText] = useState("");
  const [placement, setPlacement] = useState("new");
  const [directorName, setDirectorName] = useState(() => uniqueDirectorName(store.getState().topology(), "imported"));
  const existingNamed = directors.find((d) => d.name.trim() === directorName.trim());
  const [busy, setBusy] = useState(false);
  useEffect(() => void loadElk().catch(() => {}), []); // the merge lays out what it adds (and reports a failed load)

  const parsed = useMemo(
    () => (text.trim() ? parseImport(text, format === "auto" ? detectFormat(text) : format) : null),
    [text, format],
  );
  const counts = useMemo(() => (parsed ? importCounts(store.getState().topology(), parsed) : null), [parsed, store]);
  const ok = !!parsed && parsed.errors.length === 0 && ((counts?.services ?? 0) > 0 || (parsed.vrrp.length > 0 && placement !== "none"));

  const place = (): Placement =>
    placement === "new" ? { kind: "new", name: directorName } : placement === "none" ? { kind: "none" } : { kind: "existing", directorId: placement };

  const merge = async () => {
    if (!ok || !parsed) return;
    setBusy(true);
    try {
      const s = store.getState();
      const current = s.topology();
      const plan = planImport(current, parsed.table, place(), s.newId, parsed.meta, parsed.vrrp);
      const merged = applyPlan(current, plan);
      const created = new Set(plan.created);
      const g = topologyToGraph(merged);
      const maxY = Math.max(0, ...s.nodes.map((n) => n.position.y + (n.measured?.height ?? 80)));
      const positions = await autoLayout(
        g.nodes.filter((n) => created.has(n.id)),
        g.edges.filter((e) => created.has(e.source) && created.has(e.target)),
        { x: 0, y: s.nodes.length ? maxY + 120 : 0 },
      );
      s.replaceDocument({ ...merged, layout: { ...merged.layout, ...positions } });
      s.select(plan.created);
      onClose();
      requestAnimationFrame(() => void fitView({ ...FIT_VIEW, duration: 300 }));
    } finally {
      setBusy(false);
    }
  };

  const onFile = async (f: File | undefined) => {
    if (!f) return;
    setText(await f.text());
  };

  return (
    <Dialog title={t("title")} onClose={onClose} testId="import-dialog" wide>
      <div className="grid grid-cols-2 gap-3">
        <label className="text-xs text-slate-600">
          {t("format")}
          <select className="mt-0.5 block w-full rounded border px-2 py-1 text-sm" value={format} onChange={(e) => setFormat(e.target.value as ImportFormat | "auto")} data-testid="import-format">
            <option value="auto">{t("auto")}</option>
            <option value="ipvsadm">{t("ipvsadm")}</option>
            <option value="keepalived">{t("keepalived")}</option>
          </select>
        </label>
        <label className="text-xs text-slate-600">
          {t("upload")}
          <input type="file" className="mt-0.5 block w-full text-sm" data-testid="import-file" onChange={(e) => void onFile(e.target.files?.[0])} />
        </label>
      </div>
      <textarea
        className="mt-3 h-48 w-full rounded border border-slate-300 p-2 font-mono text-xs"
        placeholder={t("paste")}
        value={text}
        spellCheck={false}
        onChange={(e) => setText(e.target.value)}
        data-testid="import-text"
      />
      {parsed && counts && (
        <div className="mt-3 space-y-2 text-sm" data-testid="import-preview">
          <div className="flex gap-3 text-slate-700">
            <span className="rounded bg-slate-100 px-1.5 text-xs" data-testid="import-detected" data-format={parsed.format}>{t(parsed.format)}</span>
            <span data-testid="import-count-services">{t("services", { count: counts.services })}</span>
            <span data-testid="import-count-memberships">{t("memberships", { count: counts.memberships })}</span>
            {parsed.vrrp.length > 0 && <span data-testid="import-count-vrrp">{t("vrrp", { count: parsed.vrrp.length })}</span>}
            <span data-testid="import-count-realServers" data-new={counts.newRealServers} data-reused={counts.reusedRealServers}>
              {t("realServerNodes", { count: counts.realServers, created: counts.newRealServers, reused: counts.reusedRealServers })}
            </span>
            {counts.interfaces > 0 && <span data-testid="import-count-interfaces">{t("interfaces", { count: counts.interfaces })}</span>}
          </div>
          {parsed.vrrp.length > 0 && placement === "none" && <p className="text-xs text-amber-800" data-testid="import-vrrp-needs-director">{t("vrrpNeedsDirector")}</p>}
          {counts.services === 0 && parsed.vrrp.length === 0 && parsed.errors.length === 0 && <p className="text-slate-500">{t("empty")}</p>}
          {parsed.errors.length > 0 && (
            <div className="rounded border border-red-200 bg-red-50 p-2" data-testid="import-errors">
              <div className="text-xs font-semibold text-red-800">{t("errors")}</div>
              <ul className="font-mono text-xs text-red-700">
                {parsed.errors.map((e, i) => <li key={i} data-testid="import-error">{t("line", { line: e.line })}: {parseText(e)}</li>)}
              </ul>
              <p className="mt-1 text-xs text-red-800">{t("invalid")}</p>
            </div>
          )}
          {parsed.warnings.length > 0 && (
            <div className="rounded border border-amber-200 bg-amber-50 p-2" data-testid="import-warnings">
              <div className="text-xs font-semibold text-amber-800">{t("warnings")}</div>
              <ul className="font-mono text-xs text-amber-800">
                {parsed.warnings.map((e, i) => <li key={i}>{t("line", { line: e.line })}: {parseText(e)}</li>)}
              </ul>
            </div>
          )}
          {parsed.table.services.length > 0 && (
            <pre className="max-h-40 overflow-auto rounded bg-slate-50 p-2 font-mono text-[11px]" data-testid="import-found">
              {parsed.summary}
            </pre>
          )}
        </div>
      )}
      <div className="mt-3 flex flex-wrap items-end gap-3">
        <label className="text-xs text-slate-600">
          {t("placement")}
          <select className="mt-0.5 block rounded border px-2 py-1 text-sm" value={placement} onChange={(e) => setPlacement(e.target.value)} data-testid="import-placement">
            <option value="new">{t("newDirector")}</option>
            {directors.map((d) => <option key={d.id} value={d.id}>{t("existingDirector", { name: d.name })}</option>)}
            <option value="none">{t("noDirector")}</option>
          </select>
        </label>
        {placement === "new" && (
          <label className="text-xs text-slate-600">
            {t("newDirectorName")}
            <input className="mt-0.5 block rounded border px-2 py-1 text-sm" value={directorName} onChange={(e) => setDirectorName(e.target.value)} data-testid="import-director-name" />
            {existingNamed && <span className="mt-0.5 block text-[11px] text-slate-500" data-testid="import-adds-to-existing">{t("addsToExisting", { name: existingNamed.name })}</span>}
          </label>
        )}
        <div className="ml-auto flex gap-2">
          <button type="button" className={buttonClass} onClick={onClose}>×</button>
          <button type="button" className={primaryClass} disabled={!ok || busy} onClick={() => void merge()} data-testid="import-merge">
            {t("merge")}
          </button>
        </div>
      </div>
    </Dialog>
  );
}
