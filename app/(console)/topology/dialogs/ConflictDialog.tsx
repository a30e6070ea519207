"use client";
import { useTranslations } from "next-intl";
import { useMemo, useState } from "react";
import { diffTopologies, renderChange } from "@/lvs/diff.ts";
import { usePlanText } from "../../../_i18n/usePlanText.ts";
import type { Topology } from "@/lvs/model.ts";
import { buttonClass, Dialog, primaryClass } from "../../_ui/Dialog.tsx";
import type { Conflict } from "../hooks/useSave.ts";

/**
 * Someone else saved first. Nothing is overwritten silently: reload theirs (dropping ours), compare,
 * or explicitly save ours over theirs.
 */
export function ConflictDialog(props: {
  conflict: Conflict;
  mine: Topology;
  onReload(): void;
  onOverwrite(): void;
  onClose(): void;
}) {
  const t = useTranslations("editor.conflict");
  const planText = usePlanText();
  const [show, setShow] = useState(false);
  const theirs = useMemo(() => diffTopologies(props.conflict.base, props.conflict.server.document), [props.conflict]);
  const ours = useMemo(() => diffTopologies(props.conflict.base, props.mine), [props.conflict, props.mine]);
  return (
    <Dialog title={t("title")} onClose={props.onClose} testId="conflict-dialog">
      <p className="text-sm text-slate-700" data-testid="conflict-message">
        {t("message", { revision: props.conflict.server.revision })}
      </p>
      <div className="mt-3 flex flex-wrap gap-2">
        <button type="button" className={primaryClass} onClick={props.onReload} data-testid="conflict-reload">{t("reload")}</button>
        <button type="button" className={buttonClass} onClick={() => setShow((v) => !v)} data-testid="conflict-show">{t("showChanges")}</button>
        <button type="button" className={buttonClass} onClick={props.onOverwrite} data-testid="conflict-overwrite">{t("overwrite")}</button>
        <button type="button" className={buttonClass} onClick={props.onClose} data-testid="conflict-keep">{t("keepEditing")}</button>
      </div>
      {show && (
        <div className="mt-4 grid grid-cols-2 gap-3 text-xs" data-testid="conflict-changes">
          <ChangeList title={t("theirChanges")} lines={theirs.map((c) => planText.change(c, renderChange(c)))} testId="conflict-theirs" empty={t("noChanges")} />
          <ChangeList title={t("yourChanges")} lines={ours.map((c) => planText.change(c, renderChange(c)))} testId="conflict-yours" empty={t("noChanges")} />
        </div>
      )}
    </Dialog>
  );
}

function ChangeList({ title, lines, testId, empty }: { title: string; lines: string[]; testId: string; empty: string }) {
  return (
    <section>
      <h3 className="mb-1 font-semibold text-slate-700">{title}</h3>
      <pre className="max-h-72 overflow-auto whitespace-pre-wrap rounded bg-slate-50 p-2 font-mono text-[11px]" data-testid={testId}>
        {lines.length ? lines.join("\n") : empty}
      </pre>
    </section>
  );
}
