/**
 * What the agent hub needs from storage (authentication and the director's row), as a small interface:
 * the Prisma implementation is server/services/agentRecords.ts, tests use it/memoryAgentDirectory.ts.
 * Statistics are not stored through it: the hub emits them as agent events (agentEvents.ts).
 */
import type { HealthTransition } from "../../lvs/protocol/agent.ts";
import type { IpvsTable } from "../../lvs/model.ts";

/** The latest stored health of one real server of a director (its latest transition). */
export interface StoredHealth {
  serviceKey: string;
  address: string;
  port: number;
  state: "unknown" | "up" | "down";
  /** ms since epoch of that transition */
  at: number;
}

export interface AgentIdentity {
  id: string;
  topologyId: string;
  key: string;
  name: string;
  tokenHash: string;
  revoked: boolean;
}

export interface AgentBuildInfo {
  version: string;
  protocol: number;
  /** hello.execChecks: the programs in the agent's checks directory (absent from older agents) */
  execChecks?: string[];
}

export interface AgentRefusal {
  at: number;
  agentVersion: string | null;
  agentProtocol: number;
  reason: string;
}

export interface AgentDirectory {
  /** the director holding this token (hash compared in constant time), revoked or not; null if none */
  authenticate(token: string): Promise<AgentIdentity | null>;
  /** "ok" while `hash` is still the director's live token */
  tokenState(directorId: string, hash: string): Promise<"ok" | "revoked" | "replaced">;
  /** `agent`: what its hello said (build and protocol version); clears a recorded refusal */
  markOnline(directorId: string, r: { at: number; appliedRevision: number | null; table: IpvsTable; agent?: AgentBuildInfo }): Promise<void>;
  /** an agent refused before welcome (protocol incompatible), with the message that says what to install */
  markRefused(directorId: string, r: AgentRefusal): Promise<void>;
  markOffline(directorId: string): Promise<void>;
  /** a lease that expired under a stalled instance was taken back: the director is online again */
  markOnlineAgain?(directorId: string): Promise<void>;
  recordReport(directorId: string, r: { at: number; appliedRevision: number | null; table: IpvsTable }): Promise<void>;
  touch(directorId: string, at: number): Promise<void>;
  recordTransitions(directorId: string, transitions: HealthTransition[]): Promise<void>;
  /** the latest stored transition's state of each real server of the director (for "health.state") */
  latestHealth(directorId: string): Promise<StoredHealth[]>;
}
