"use client";
import { createContext, useContext, type ReactNode } from "react";
import { createPortal } from "react-dom";

/** The flow's HTML edge-label layer, provided once per canvas by FlowCanvas (null until mounted). */
export const EdgeLabelLayerContext = createContext<Element | null>(null);

/**
 * React Flow's <EdgeLabelRenderer> without its cost at scale: that component's store selector runs
 * `domNode.querySelector(".react-flow__edgelabel-renderer")` on every store update, once per label,
 * so a pan frame with ~700 membership labels searched the DOM ~700 times (bench:editor CPU profile).
 * Here the canvas finds the layer once and hands it down by context: a label subscribes to nothing
 * that changes while panning.
 */
export function EdgeLabelPortal({ children }: { children: ReactNode }) {
  const layer = useContext(EdgeLabelLayerContext);
  return layer ? createPortal(children, layer) : null;
}
