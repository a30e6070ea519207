"use client";
import { useTranslations } from "next-intl";
import { useMemo, useState } from "react";
import { useEditor, useEditorStore } from "../../_canvas/store/context.ts";
import { buttonClass, Dialog } from "../../_ui/Dialog.tsx";
import { exportTexts, type ExportTexts } from "./formats.ts";

type Tab = keyof ExportTexts;
const FILE: Record<Tab, string> = { rules: "ipvsadm.rules", commands: "ipvsadm.sh", keepalived: "keepalived.conf" };

/** ipvsadm-save rules, the command script and keepalived.conf, per director or for the whole topology. */
export function ExportDialog({ onClose }: { onClose(): void }) {
  const t = useTranslations("editor.export");
  const store = useEditorStore();
  const errors = useEditor((s) => s.issues.filter((i) => i.severity === "error").length);
  const directorKey = useEditor((s) =>
    s.nodes.flatMap((n) => (n.type === "director" ? [`${n.id}\t${n.data.director.name}`] : [])).join("\n"),
  );
  const directors = directorKey ? directorKey.split("\n").map((l) => ({ id: l.split("\t")[0]!, name: l.split("\t")[1] ?? "" })) : [];
  const [scope, setScope] = useState<string>("");
  const [tab, setTab] = useState<Tab>("rules");
  const [copied, setCopied] = useState(false);

  const result = useMemo(() => {
    try {
      return { ok: true as const, texts: exportTexts(store.getState().topology(), scope || null) };
    } catch (e) {
      return { ok: false as const, message: e instanceof Error ? e.message : String(e) };
    }
  }, [store, scope]);
  const text = result.ok ? result.texts[tab] : null;

  const copy = async () => {
    if (text == null) return;
    await navigator.clipboard.writeText(text);
    setCopied(true);
    setTimeout(() => setCopied(false), 1500);
  };
  const download = () => {
    if (text == null) return;
    const url = URL.createObjectURL(new Blob([text], { type: "text/plain" }));
    const a = document.createElement("a");
    a.href = url;
    a.download = FILE[tab];
    a.click();
    URL.revokeObjectURL(url);
  };

  return (
    <Dialog title={t("title")} onClose={onClose} testId="export-dialog" wide>
      <div className="flex flex-wrap items-end gap-3">
        <label className="text-xs text-slate-600">
          {t("scope")}
          <select className="mt-0.5 block rounded border px-2 py-1 text-sm" value={scope} onChange={(e) => setScope(e.target.value)} data-testid="export-scope">
            <option value="">{t("wholeTopology")}</option>
            {directors.map((d) => <option key={d.id} value={d.id}>{t("director", { name: d.name })}</option>)}
          </select>
        </label>
        <div className="flex rounded border border-slate-300 text-sm" role="tablist">
          {(["rules", "commands", "keepalived"] as const).map((k) => (
            <button
              key={k}
              type="button"
              role="tab"
              aria-selected={tab === k}
              data-testid={`export-tab-${k}`}
              onClick={() => setTab(k)}
              className={`px-3 py-1 ${tab === k ? "bg-sky-600 text-white" : "bg-white text-slate-700 hover:bg-slate-100"}`}
            >
              {t(k)}
            </button>
          ))}
        </div>
        <div className="ml-auto flex gap-2">
          <button type="button" className={buttonClass} onClick={() => void copy()} disabled={text == null} data-testid="export-copy">
            {copied ? t("copied") : t("copy")}
          </button>
          <button type="button" className={buttonClass} onClick={download} disabled={text == null} data-testid="export-download">
            {t("download")} {FILE[tab]}
          </button>
        </div>
      </div>
      {errors > 0 && <p className="mt-2 text-xs text-amber-700" data-testid="export-has-errors">{t("hasErrors", { count: errors })}</p>}
      {!result.ok && <p className="mt-2 text-sm text-red-700" data-testid="export-error">{t("compileError", { message: result.message })}</p>}
      {text != null && (
        <pre className="mt-3 max-h-[55vh] overflow-auto rounded bg-slate-900 p-3 font-mono text-xs text-slate-100" data-testid="export-text">{text}</pre>
      )}
    </Dialog>
  );
}
