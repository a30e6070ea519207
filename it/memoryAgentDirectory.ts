/** An in-memory AgentDirectory for hub tests; `watch(hub)` also keeps the latest stats the hub emits. */
import type { HealthTransition } from "../lvs/protocol/agent.ts";
import type { IpvsTable, StatsSnapshot } from "../lvs/model.ts";
import { newToken, sameHash, tokenHash } from "../server/auth/sessionToken.ts";
import type { AgentBuildInfo, AgentDirectory, AgentIdentity, AgentRefusal, StoredHealth } from "../server/realtime/agentDirectory.ts";
import { serviceKeyString } from "../lvs/tableKey.ts";
import type { AgentEventSource } from "../server/realtime/agentEvents.ts";

export interface MemoryDirectorRow {
  id: string;
  topologyId: string;
  key: string;
  name: string;
  tokenHash: string | null;
  revokedAt: number | null;
  online: boolean;
  lastSeenAt: number | null;
  appliedRevision: number | null;
  reportedTable: IpvsTable | null;
  transitions: HealthTransition[];
  agent?: AgentBuildInfo;
  refusal?: AgentRefusal | null;
}

export class MemoryAgentDirectory implements AgentDirectory {
  rows = new Map<string, MemoryDirectorRow>();
  private stats = new Map<string, StatsSnapshot>();

  /** creates a director and returns its token */
  add(id: string, name = id): string {
    const token = newToken("lvsa_");
    this.rows.set(id, {
      id, topologyId: "t1", key: id, name, tokenHash: tokenHash(token), revokedAt: null, online: false,
      lastSeenAt: null, appliedRevision: null, reportedTable: null, transitions: [],
    });
    return token;
  }

  revoke(id: string, at = 1): void {
    this.rows.get(id)!.revokedAt = at;
  }

  async authenticate(token: string): Promise<AgentIdentity | null> {
    const h = tokenHash(token);
    for (const r of this.rows.values()) {
      if (r.tokenHash && sameHash(r.tokenHash, h)) {
        return { id: r.id, topologyId: r.topologyId, key: r.key, name: r.name, tokenHash: h, revoked: r.revokedAt != null };
      }
    }
    return null;
  }
  async tokenState(id: string, hash: string) {
    const r = this.rows.get(id);
    if (!r || !r.tokenHash || !sameHash(r.tokenHash, hash)) return "replaced" as const;
    return r.revokedAt != null ? ("revoked" as const) : ("ok" as const);
  }
  async markRefused(id: string, r: AgentRefusal) {
    this.rows.get(id)!.refusal = r;
  }
  async markOnline(id: string, x: { at: number; appliedRevision: number | null; table: IpvsTable; agent?: AgentBuildInfo }) {
    if (x.agent) Object.assign(this.rows.get(id)!, { agent: x.agent, refusal: null });
    Object.assign(this.rows.get(id)!, { online: true, lastSeenAt: x.at, appliedRevision: x.appliedRevision, reportedTable: x.table });
  }
  async markOffline(id: string) {
    this.rows.get(id)!.online = false;
  }
  async recordReport(id: string, x: { at: number; appliedRevision: number | null; table: IpvsTable }) {
    Object.assign(this.rows.get(id)!, { lastSeenAt: x.at, appliedRevision: x.appliedRevision, reportedTable: x.table });
  }
  async touch(id: string, at: number) {
    this.rows.get(id)!.lastSeenAt = at;
  }
  async recordTransitions(id: string, t: HealthTransition[]) {
    this.rows.get(id)!.transitions.push(...t);
  }
  async latestHealth(id: string): Promise<StoredHealth[]> {
    const latest = new Map<string, StoredHealth>();
    for (const t of this.rows.get(id)!.transitions) {
      const serviceKey = serviceKeyString(t.service);
      const k = `${serviceKey}|${t.destination.address}|${t.destination.port}`;
      const prev = latest.get(k);
      if (!prev || t.at >= prev.at) latest.set(k, { serviceKey, address: t.destination.address, port: t.destination.port, state: t.to, at: t.at });
    }
    return [...latest.values()];
  }
  /** keeps each director's latest stats from the hub's agent events (what LiveRuntime does for real) */
  watch(hub: AgentEventSource): () => void {
    return hub.onAgentEvent((e) => {
      if (e.type === "stats") this.stats.set(e.director.id, e.snapshot);
    });
  }
  latestStats(id: string) {
    return this.stats.get(id) ?? null;
  }
}
