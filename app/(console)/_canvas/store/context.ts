"use client";
import { createContext, useContext } from "react";
import { useStore } from "zustand";
import type { EditorState, EditorStore } from "./store.ts";

export const EditorContext = createContext<EditorStore | null>(null);

export function useEditorStore(): EditorStore {
  const store = useContext(EditorContext);
  if (!store) throw new Error("useEditor outside <EditorContext>");
  return store;
}

export function useEditor<T>(selector: (s: EditorState) => T): T {
  return useStore(useEditorStore(), selector);
}

export function useTemporal<T>(selector: (s: ReturnType<EditorStore["temporal"]["getState"]>) => T): T {
  return useStore(useEditorStore().temporal, selector);
}

