"use client";
import { useEffect, useRef } from "react";

/** The in-app link a click would follow, or null (new tab, download, modifier keys, same page). */
export function leavingLink(e: Pick<MouseEvent, "button" | "ctrlKey" | "metaKey" | "shiftKey" | "altKey" | "target">, here: string): HTMLAnchorElement | null {
  if (e.button !== 0 || e.ctrlKey || e.metaKey || e.shiftKey || e.altKey) return null;
  const a = e.target instanceof Element ? e.target.closest("a[href]") : null;
  if (!(a instanceof HTMLAnchorElement) || a.hasAttribute("download") || (a.target && a.target !== "_self")) return null;
  const to = new URL(a.href, here);
  const from = new URL(here);
  return to.origin === from.origin && to.pathname === from.pathname && to.search === from.search ? null : a;
}

/**
 * Unsaved changes: closing or reloading the page asks through the browser's beforeunload prompt;
 * following a link inside the console (client-side navigation never fires beforeunload) asks with
 * confirm(message) and stays when the operator says no.
 */
export function useLeaveGuard(dirty: boolean, message: string) {
  const messageRef = useRef(message);
  useEffect(() => {
    messageRef.current = message;
  });
  useEffect(() => {
    if (!dirty) return;
    const onBeforeUnload = (e: BeforeUnloadEvent) => {
      e.preventDefault();
      e.returnValue = "";
    };
    const onClick = (e: MouseEvent) => {
      if (!leavingLink(e, window.location.href)) return;
      if (window.confirm(messageRef.current)) return;
      e.preventDefault();
      e.stopPropagation();
    };
    window.addEventListener("beforeunload", onBeforeUnload);
    document.addEventListener("click", onClick, true);
    return () => {
      window.removeEventListener("beforeunload", onBeforeUnload);
      document.removeEventListener("click", onClick, true);
    };
  }, [dirty]);
}
