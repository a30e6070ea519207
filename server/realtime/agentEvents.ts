/**
 * What the agent hub tells the rest of the control plane, as typed events. The hub owns the agent
 * sockets and emits these; it keeps no state beyond its connections. Subscribers own state:
 * LiveRuntime (server/live) keeps the stats store, rings, rollups and Director.observed; a future
 * cross-instance relay (issue 16) can forward them. Listeners run synchronously, in the order a
 * connection's frames arrived, after the hub stored what it persists itself (the director row:
 * online, applied revision, reported table, health transitions). A listener that throws is logged
 * and does not affect the socket or the other listeners.
 *
 *   connected  a bearer token was accepted and the WebSocket is open (no hello yet)
 *   hello      the agent said hello: what it runs now (appliedRevision, table); it is online
 *   stats      one statistics frame (about 1 Hz): the snapshot as the agent reported it
 *   health     health transitions stored (reported live, or implied by a health.state on reconnect)
 *   applied    the agent's ack of a desired revision: what it runs now and whether it applied
 *   gone       the connection closed (or was replaced); the director is offline on this instance
 */
import type { HealthTransition } from "../../lvs/protocol/agent.ts";
import type { IpvsTable, StatsSnapshot } from "../../lvs/model.ts";

/** The director an event is about. */
export interface AgentRef {
  id: string;
  topologyId: string;
  key: string;
  name: string;
}

/** `at`: the control plane's clock (ms) when the hub handled the frame. */
export type AgentEvent =
  | { type: "connected"; director: AgentRef; at: number }
  | { type: "hello"; director: AgentRef; appliedRevision: number | null; table: IpvsTable; at: number }
  | { type: "stats"; director: AgentRef; snapshot: StatsSnapshot; at: number }
  | { type: "health"; director: AgentRef; transitions: HealthTransition[]; at: number }
  | { type: "applied"; director: AgentRef; revision: number; ok: boolean; appliedRevision: number | null; table: IpvsTable; at: number }
  | { type: "gone"; director: AgentRef; at: number };

export type AgentEventType = AgentEvent["type"];

export interface AgentEventSource {
  /** subscribe to every agent event of this instance; returns the unsubscribe function */
  onAgentEvent(listener: (e: AgentEvent) => void): () => void;
}

/** The tiny synchronous emitter the hub uses. */
export class AgentEvents implements AgentEventSource {
  private readonly listeners = new Set<(e: AgentEvent) => void>();

  constructor(private readonly onError: (e: AgentEvent, err: Error) => void) {}

  onAgentEvent(listener: (e: AgentEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(e: AgentEvent): void {
    for (const l of this.listeners) {
      try {
        l(e);
      } catch (err) {
        this.onError(e, err as Error);
      }
    }
  }
}
