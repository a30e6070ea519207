"use client";
import { useReactFlow } from "@xyflow/react";
import { useTranslations } from "next-intl";
import { useState } from "react";
import { useCan, useSession } from "../../../_shell/useSession.ts";
import { useEditor, useEditorStore, useTemporal } from "../../_canvas/store/context.ts";
import { autoLayout } from "../layout/autoLayout.ts";
import { FIT_VIEW } from "../../_canvas/spacing.ts";
import { SearchBox } from "./SearchBox.tsx";
import { ViewSwitch } from "./ViewSwitch.tsx";

const btn =
  "rounded border border-slate-300 bg-white px-2.5 py-1 text-sm text-slate-800 hover:bg-slate-100 disabled:cursor-not-allowed disabled:opacity-40";

export interface ToolbarProps {
  onSave(): void;
  /** the optional revision message typed next to Save */
  message: string;
  onMessage(message: string): void;
  /** the last save stored a revision that still has validation errors */
  savedWithErrors: { revision: number; errors: number } | null;
  saving: boolean;
  saveError: string | null;
  onExport(): void;
  onImport(): void;
  focus(id: string): void;
  /** viewer: no edit controls at all (undo, layout, delete, import, save) */
  readOnly: boolean;
}

export function Toolbar({ onSave, message, onMessage, savedWithErrors, saving, saveError, onExport, onImport, focus, readOnly }: ToolbarProps) {
  const t = useTranslations("editor.toolbar");
  const store = useEditorStore();
  const name = useEditor((s) => s.name);
  const revision = useEditor((s) => s.revision);
  const dirty = useEditor((s) => s.dirty);
  const canUndo = useTemporal((s) => s.pastStates.length > 0);
  const canRedo = useTemporal((s) => s.futureStates.length > 0);
  const { fitView } = useReactFlow();
  const [laying, setLaying] = useState(false);
  const tAuth = useTranslations("auth");
  const { session } = useSession();
  const canSave = useCan("topology.save") && !readOnly;

  const layoutAll = async () => {
    setLaying(true);
    try {
      const s = store.getState();
      s.setPositions(await autoLayout(s.nodes, s.edges));
      void fitView({ ...FIT_VIEW, duration: 300 });
    } finally {
      setLaying(false);
    }
  };

  return (
    <div className="flex shrink-0 flex-wrap items-center gap-2 border-b border-slate-200 bg-white px-3 py-2" data-testid="editor-toolbar">
      <h1 className="mr-1 text-sm font-semibold text-slate-900" data-testid="topology-name">{name}</h1>
      <span className="text-xs text-slate-500" data-testid="revision">{t("revision", { revision })}</span>
      {!readOnly && (
        <span
          data-testid="dirty-flag"
          data-dirty={dirty}
          className={`rounded px-1.5 text-xs ${dirty ? "bg-amber-100 text-amber-800" : "text-slate-400"}`}
        >
          {dirty ? t("unsaved") : t("saved")}
        </span>
      )}
      <div className="mx-2 h-5 w-px bg-slate-200" />
      {!readOnly && (
        <>
          <button type="button" className={btn} data-testid="undo" disabled={!canUndo} onClick={() => store.temporal.getState().undo()} title="Ctrl+Z">
            {t("undo")}
          </button>
          <button type="button" className={btn} data-testid="redo" disabled={!canRedo} onClick={() => store.temporal.getState().redo()} title="Ctrl+Shift+Z">
            {t("redo")}
          </button>
          <button type="button" className={btn} data-testid="auto-layout" disabled={laying} onClick={() => void layoutAll()}>
            {t("autoLayout")}
          </button>
        </>
      )}
      <button type="button" className={btn} data-testid="fit-view" onClick={() => void fitView({ ...FIT_VIEW, duration: 300 })}>
        {t("fitView")}
      </button>
      {!readOnly && (
        <>
          <button type="button" className={btn} data-testid="delete-selected" onClick={() => store.getState().deleteSelected()} title="Delete">
            {t("delete")}
          </button>
          <div className="mx-2 h-5 w-px bg-slate-200" />
          <button type="button" className={btn} data-testid="open-import" onClick={onImport}>{t("import")}</button>
        </>
      )}
      <button type="button" className={btn} data-testid="open-export" onClick={onExport}>{t("export")}</button>
      <SearchBox focus={focus} />
      <ViewSwitch />
      <div className="ml-auto flex items-center gap-2">
        {saveError && <span className="text-xs text-red-600" data-testid="save-error">{saveError}</span>}
        {!saveError && savedWithErrors && savedWithErrors.revision === revision && (
          <span className="text-xs text-red-700" data-testid="saved-with-errors" role="status">
            {t("savedWithErrors", { revision: savedWithErrors.revision, count: savedWithErrors.errors })}
          </span>
        )}
        {canSave && (
          <input
            className="w-48 rounded border border-slate-300 px-2 py-1 text-xs"
            data-testid="save-message"
            placeholder={t("messagePlaceholder")}
            aria-label={t("messagePlaceholder")}
            value={message}
            maxLength={500}
            onChange={(e) => onMessage(e.target.value)}
            onKeyDown={(e) => { if (e.key === "Enter") onSave(); }}
          />
        )}
        {session && readOnly && (
          <span className="text-xs text-slate-500" data-testid="read-only">{tAuth("readOnly", { role: tAuth(`roles.${session.role}`) })}</span>
        )}
        {canSave && <button
          type="button"
          data-testid="save"
          disabled={saving}
          onClick={onSave}
          title="Ctrl+S"
          className="rounded bg-sky-600 px-3 py-1 text-sm font-medium text-white hover:bg-sky-700 disabled:opacity-50"
        >
          {saving ? t("saving") : t("save")}
        </button>}
      </div>
    </div>
  );
}
