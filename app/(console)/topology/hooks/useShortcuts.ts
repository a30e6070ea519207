"use client";
import { useEffect, useRef } from "react";
import type { EditorStore } from "../../_canvas/store/store.ts";

const typing = (t: EventTarget | null) =>
  t instanceof HTMLElement && (t.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(t.tagName));

/**
 * Ctrl/Cmd+Z undo, Ctrl/Cmd+Shift+Z (or Ctrl+Y) redo, Ctrl/Cmd+C copy, Ctrl/Cmd+V paste,
 * Delete/Backspace delete the selection, Ctrl/Cmd+S save. Form fields keep their own keys
 * (except Ctrl+S, which saves from anywhere).
 */
export function useShortcuts(store: EditorStore, save: () => void) {
  const saveRef = useRef(save);
  useEffect(() => {
    saveRef.current = save;
  });
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const mod = e.ctrlKey || e.metaKey;
      const key = e.key.toLowerCase();
      if (mod && key === "s") {
        e.preventDefault();
        saveRef.current();
        return;
      }
      if (typing(e.target) || document.querySelector("[role=dialog]")) return;
      const s = store.getState();
      const t = store.temporal.getState();
      if (mod && key === "z" && !e.shiftKey) t.undo();
      else if (mod && ((key === "z" && e.shiftKey) || key === "y")) t.redo();
      else if (mod && key === "c") s.copySelection();
      else if (mod && key === "v") s.paste();
      else if (!mod && (e.key === "Delete" || e.key === "Backspace")) s.deleteSelected();
      else return;
      e.preventDefault();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [store]);
}
