/**
 * What the agent hub needs from storage, as a small interface (tests use an in-memory one), and its
 * Prisma implementation over the Director / HealthTransition models.
 */
import type { HealthTransition } from "../../lvs/protocol/agent.ts";
import type { IpvsTable, StatsSnapshot } from "../../lvs/model.ts";
import { serviceKeyString } from "../../lvs/tableKey.ts";
import { tokenHash } from "../auth/sessionToken.ts";
import { timingSafeEqual } from "node:crypto";
import type { PrismaClient } from "../../generated/prisma/client.ts";
import { observedFromStats } from "../../lvs/deployPlan.ts";
import { currentHealth } from "../live/healthQuery.ts";

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

export interface AgentDirectory {
  /** the director holding this token (hash compared in constant time), revoked or not; null if none */
  authenticate(token: string): Promise<AgentIdentity | null>;
  /** "ok" while `hash` is still the director's live token */
  tokenState(directorId: string, hash: string): Promise<"ok" | "revoked" | "replaced">;
  markOnline(directorId: string, r: { at: number; appliedRevision: number | null; table: IpvsTable }): Promise<void>;
  markOffline(directorId: string): Promise<void>;
  /** this instance lost the director to another (its agent reconnected there): forget its live values, keep it online */
  dropStats?(directorId: string): void;
  recordReport(directorId: string, r: { at: number; appliedRevision: number | null; table: IpvsTable }): Promise<void>;
  touch(directorId: string, at: number): Promise<void>;
  recordTransitions(directorId: string, transitions: HealthTransition[]): Promise<void>;
  /** the latest stored transition's state of each real server of the director (for "health.state") */
  latestHealth(directorId: string): Promise<StoredHealth[]>;
  /** latest stats per director, kept in memory by the instance that receives them */
  recordStats(directorId: string, snapshot: StatsSnapshot): void;
  latestStats(directorId: string): StatsSnapshot | null;
}

export function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, "hex");
  const y = Buffer.from(b, "hex");
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}

export class PrismaAgentDirectory implements AgentDirectory {
  private stats = new Map<string, StatsSnapshot>();
  private lastTouch = new Map<string, number>();

  constructor(private readonly prisma: PrismaClient, private readonly now: () => number = Date.now) {}

  async authenticate(token: string): Promise<AgentIdentity | null> {
    const hash = tokenHash(token);
    const d = await this.prisma.director.findUnique({ where: { agentTokenHash: hash } });
    if (!d || !d.agentTokenHash || !sameHash(d.agentTokenHash, hash)) return null;
    return { id: d.id, topologyId: d.topologyId, key: d.key, name: d.name, tokenHash: hash, revoked: d.tokenRevokedAt != null };
  }

  async tokenState(directorId: string, hash: string): Promise<"ok" | "revoked" | "replaced"> {
    const d = await this.prisma.director.findUnique({ where: { id: directorId }, select: { agentTokenHash: true, tokenRevokedAt: true } });
    if (!d || !d.agentTokenHash || !sameHash(d.agentTokenHash, hash)) return "replaced";
    return d.tokenRevokedAt ? "revoked" : "ok";
  }

  async markOnline(directorId: string, r: { at: number; appliedRevision: number | null; table: IpvsTable }): Promise<void> {
    this.reportedAt.set(directorId, r.at);
    await this.prisma.director.update({
      where: { id: directorId },
      data: { online: true, lastSeenAt: new Date(r.at), appliedRevision: r.appliedRevision, reportedTable: r.table as object, reportedAt: new Date(r.at) },
    });
  }

  dropStats(directorId: string): void {
    this.stats.delete(directorId);
    this.observedText.delete(directorId);
  }

  async markOffline(directorId: string): Promise<void> {
    this.stats.delete(directorId);
    this.observedText.delete(directorId);
    await this.prisma.director.updateMany({ where: { id: directorId }, data: { online: false } });
  }

  async recordReport(directorId: string, r: { at: number; appliedRevision: number | null; table: IpvsTable }): Promise<void> {
    this.reportedAt.set(directorId, r.at);
    await this.prisma.director.update({
      where: { id: directorId },
      data: { lastSeenAt: new Date(r.at), appliedRevision: r.appliedRevision, reportedTable: r.table as object, reportedAt: new Date(r.at) },
    });
  }

  async touch(directorId: string, at: number): Promise<void> {
    // at most one write per director every 5 s
    if (at - (this.lastTouch.get(directorId) ?? 0) < 5000) return;
    this.lastTouch.set(directorId, at);
    await this.prisma.director.update({ where: { id: directorId }, data: { lastSeenAt: new Date(at) } });
  }

  async recordTransitions(directorId: string, transitions: HealthTransition[]): Promise<void> {
    await this.prisma.healthTransition.createMany({
      data: transitions.map((t) => ({
        directorId, serviceKey: serviceKeyString(t.service), rip: t.destination.address, port: t.destination.port,
        from: t.from, to: t.to, at: new Date(t.at), reason: t.message,
      })),
    });
  }

  async latestHealth(directorId: string): Promise<StoredHealth[]> {
    const rows = await currentHealth(this.prisma, [directorId]);
    return rows.map((r) => ({ serviceKey: r.serviceKey, address: r.address, port: r.port, state: r.state, at: r.since }));
  }

  recordStats(directorId: string, snapshot: StatsSnapshot): void {
    this.stats.set(directorId, snapshot);
    this.persistObserved(directorId, snapshot);
  }

  private observedText = new Map<string, { text: string; at: number; writing: boolean }>();
  /** when each director last reported its table: an observation must be newer to count (drain, drift) */
  private reportedAt = new Map<string, number>();

  /**
   * Director.observed: weights and connection counts per destination, for drain and drift (readable
   * by every instance). Written when they change, when the last written one is not newer than the
   * last report, and every 30 s; at most once per second per director.
   */
  private persistObserved(directorId: string, snapshot: StatsSnapshot): void {
    const observed = observedFromStats(snapshot);
    const text = JSON.stringify(observed.services);
    const last = this.observedText.get(directorId);
    // the control plane's clock, comparable with reportedAt (the agent's clock may be skewed)
    const now = this.now();
    const stale = !last || last.at <= (this.reportedAt.get(directorId) ?? 0) || now - last.at >= 30_000;
    if (last && (last.writing || (last.text === text && !stale) || now - last.at < 1000)) return;
    const entry = { text, at: now, writing: true };
    this.observedText.set(directorId, entry);
    void this.prisma.director.updateMany({ where: { id: directorId }, data: { observed: observed as object, observedAt: new Date(now) } })
      .catch(() => { entry.text = ""; })
      .finally(() => { entry.writing = false; });
  }

  latestStats(directorId: string): StatsSnapshot | null {
    return this.stats.get(directorId) ?? null;
  }
}
