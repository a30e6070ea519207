"use client";
import { useReactFlow } from "@xyflow/react";
import { useCallback } from "react";

/** Nodes shown after opening a group or pool: the opened node and the first few it draws. */
const SHOW = 4;

/**
 * After a group or pool is opened, bring what it drew into view: the new nodes sit beside or below
 * it (real servers to the right of their pool, services in a long column), often off-screen, where
 * the canvas does not even render them. Waits until React Flow has measured them (a few frames).
 */
export function useShowOpened() {
  const { fitView, getInternalNode } = useReactFlow();
  return useCallback(
    (openedId: string, childIds: readonly string[]) => {
      const ids = [openedId, ...childIds.slice(0, SHOW)];
      const fit = (tries: number) => {
        const drawn = ids.filter((id) => getInternalNode(id));
        const ready = drawn.length > 1 && drawn.every((id) => getInternalNode(id)?.measured.width);
        if (!ready && tries > 0) return void setTimeout(() => fit(tries - 1), 50);
        if (drawn.length) void fitView({ nodes: drawn.map((id) => ({ id })), duration: 300, maxZoom: 1, padding: 0.3 });
      };
      requestAnimationFrame(() => fit(40));
    },
    [fitView, getInternalNode],
  );
}
