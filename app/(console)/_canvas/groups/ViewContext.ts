"use client";
import { createContext, useContext } from "react";
import { useStore } from "zustand";
import type { ViewState, ViewStore } from "./viewStore.ts";

export const ViewContext = createContext<ViewStore | null>(null);

export function useViewStore(): ViewStore {
  const store = useContext(ViewContext);
  if (!store) throw new Error("useView outside <ViewContext>");
  return store;
}

export function useView<T>(selector: (s: ViewState) => T): T {
  return useStore(useViewStore(), selector);
}
