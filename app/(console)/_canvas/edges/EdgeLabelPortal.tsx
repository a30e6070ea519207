"use client";
import { useStore, type ReactFlowState } from "@xyflow/react";
import { useLayoutEffect, useState, type ReactNode } from "react";
import { createPortal } from "react-dom";

const domNodeOf = (s: ReactFlowState) => s.domNode;
const layers = new WeakMap<Element, Element>();

/** The flow's HTML label layer, looked up once per flow (and again only if it was replaced). */
function labelLayer(domNode: Element): Element | null {
  let layer = layers.get(domNode);
  if (!layer?.isConnected) {
    layer = domNode.querySelector(".react-flow__edgelabel-renderer") ?? undefined;
    if (layer) layers.set(domNode, layer);
  }
  return layer ?? null;
}

/**
 * React Flow's <EdgeLabelRenderer> without its cost at scale: that component's store selector runs
 * `domNode.querySelector(".react-flow__edgelabel-renderer")` on every store update, once per label,
 * so a pan frame with ~700 membership labels searched the DOM ~700 times (bench:editor CPU profile:
 * querySelector was the largest single cost of panning). Here a label finds the layer when it mounts.
 */
export function EdgeLabelPortal({ children }: { children: ReactNode }) {
  const domNode = useStore(domNodeOf);
  const [layer, setLayer] = useState<Element | null>(null);
  // after commit: the layer div is rendered by React Flow in the same tree
  useLayoutEffect(() => setLayer(domNode ? labelLayer(domNode) : null), [domNode]);
  return layer ? createPortal(children, layer) : null;
}
