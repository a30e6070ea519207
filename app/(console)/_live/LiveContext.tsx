"use client";
/**
 * React side of the live client: <LiveProvider> owns the page's one LiveClient (one /api/live
 * socket); useLiveTopic subscribes while mounted; <LiveFiguresProvider> maps a topology's live state
 * onto its objects for the canvas overlays (nodes and edges read useLiveFigures(); outside a provider
 * it is null and they draw nothing extra).
 */
import { createContext, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import { useStore } from "zustand";
import type { Topology } from "@/lvs/model.ts";
import { topologyFigures, type TopologyFigures } from "@/lvs/stats/topologyStats.ts";
import type { LiveTopic } from "@/lvs/protocol/live.ts";
import { LiveClient, liveUrl, type LiveStoreState } from "./liveClient.ts";
import type { TopicState } from "./liveState.ts";

const LiveClientContext = createContext<LiveClient | null>(null);

export function LiveProvider({ children }: { children: ReactNode }) {
  const [client] = useState(() => (typeof window === "undefined" ? null : new LiveClient({ url: liveUrl(window.location) })));
  useEffect(() => {
    if (!client) return;
    client.start();
    // a browser that comes back online reconnects at once instead of waiting for the backoff
    const online = () => client.reconnectNow();
    window.addEventListener("online", online);
    return () => {
      window.removeEventListener("online", online);
      client.stop();
    };
  }, [client]);
  return <LiveClientContext.Provider value={client}>{children}</LiveClientContext.Provider>;
}

export function useLiveClient(): LiveClient | null {
  return useContext(LiveClientContext);
}

const idle: LiveStoreState = { status: "closed", attempt: 0, opens: 0, topics: {}, tick: 0, lastError: null, saved: {} };
const noStore = { getState: () => idle, subscribe: () => () => {}, getInitialState: () => idle, setState: () => {} };

export function useLiveStatus<T>(select: (s: LiveStoreState) => T): T {
  const client = useLiveClient();
  return useStore(client?.store ?? noStore, select);
}

/** Subscribes to `topic` while mounted; returns its state (re-rendered on every applied message). */
export function useLiveTopic(topic: LiveTopic | null): { state: TopicState | null; tick: number } {
  const client = useLiveClient();
  const topologyId = topic?.topologyId;
  const directorId = topic?.directorId;
  const serviceKey = topic?.serviceKey;
  const [sub, setSub] = useState<string | null>(null);
  useEffect(() => {
    if (!client || !topologyId) return;
    const t: LiveTopic = { topologyId, ...(directorId ? { directorId } : {}), ...(serviceKey ? { serviceKey } : {}) };
    setSub(client.subscribe(t));
    return () => client.unsubscribe(t);
  }, [client, topologyId, directorId, serviceKey]);
  const tick = useLiveStatus((s) => s.tick);
  const state = useLiveStatus((s) => (sub ? (s.topics[sub] ?? null) : null));
  return { state, tick };
}

export interface LiveFiguresValue {
  figures: TopologyFigures;
  /** by the topology's director id */
  directors: Record<string, { online: boolean; name: string; /** null: no agent ever connected (a draft, not a failure) */ lastSeenAt: number | null }>;
  /** largest conns/s of any membership: edge thickness is relative to it */
  maxMemberCps: number;
}

const LiveFiguresContext = createContext<LiveFiguresValue | null>(null);

export function useLiveFigures(): LiveFiguresValue | null {
  return useContext(LiveFiguresContext);
}

/** Provides already computed figures (the live view computes them once for canvas and panels). */
export function LiveFiguresValueProvider({ value, children }: { value: LiveFiguresValue | null; children: ReactNode }) {
  return <LiveFiguresContext.Provider value={value}>{children}</LiveFiguresContext.Provider>;
}

/** Computes the per-object figures of `topology` from a live state (1 Hz). */
export function useTopologyFigures(topology: Topology, state: TopicState | null, tick: number): LiveFiguresValue | null {
  return useMemo(() => {
    if (!state || state.seq < 0) return null;
    const figures = topologyFigures(topology, state.snapshotsByKey(), state.healthMap());
    const directors: LiveFiguresValue["directors"] = {};
    for (const d of state.directors.values()) directors[d.key] = { online: d.online, name: d.name, lastSeenAt: d.lastSeenAt };
    // a loop, not Math.max(...all): tens of thousands of arguments overflow the call stack
    let maxMemberCps = 0;
    for (const m of Object.values(figures.memberships)) if (m.rates.cps > maxMemberCps) maxMemberCps = m.rates.cps;
    return { figures, directors, maxMemberCps };
    // tick: the state object is mutated in place and versioned by the store's tick
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [topology, state, tick]);
}

/** Canvas overlays for one topology: subscribes to it and provides its live figures. */
export function LiveFiguresProvider({ topologyId, topology, children }: { topologyId: string; topology: Topology; children: ReactNode }) {
  const { state, tick } = useLiveTopic({ topologyId });
  const value = useTopologyFigures(topology, state, tick);
  return <LiveFiguresContext.Provider value={value}>{children}</LiveFiguresContext.Provider>;
}

/** Standalone overlay for a page without a LiveProvider of its own (the editor). */
export function LiveOverlay({ topologyId, topology, children }: { topologyId: string; topology: Topology; children: ReactNode }) {
  return (
    <LiveProvider>
      <LiveFiguresProvider topologyId={topologyId} topology={topology}>{children}</LiveFiguresProvider>
    </LiveProvider>
  );
}
