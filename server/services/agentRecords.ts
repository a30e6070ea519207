/**
 * The agent hub's storage (realtime/agentDirectory.ts) over Prisma: token lookup, the director's row
 * (online, lastSeen, applied revision, reported table) and its health transitions.
 */
import type { HealthTransition } from "../../lvs/protocol/agent.ts";
import type { IpvsTable } from "../../lvs/model.ts";
import { serviceKeyString } from "../../lvs/tableKey.ts";
import { Prisma, type PrismaClient } from "../../generated/prisma/client.ts";
import { sameHash, tokenHash } from "./opaqueToken.ts";
import type { AgentBuildInfo, AgentDirectory, AgentIdentity, AgentRefusal, StoredHealth } from "../realtime/agentDirectory.ts";
import { currentHealth } from "./currentHealth.ts";

export class PrismaAgentDirectory implements AgentDirectory {
  private lastTouch = new Map<string, number>();

  constructor(private readonly prisma: PrismaClient) {}

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

  async markOnline(directorId: string, r: { at: number; appliedRevision: number | null; table: IpvsTable; agent?: AgentBuildInfo }): Promise<void> {
    await this.prisma.director.update({
      where: { id: directorId },
      data: {
        online: true, lastSeenAt: new Date(r.at), appliedRevision: r.appliedRevision, reportedTable: r.table as object, reportedAt: new Date(r.at),
        ...(r.agent ? { agentVersion: r.agent.version, agentProtocol: r.agent.protocol, agentExecChecks: r.agent.execChecks ?? Prisma.DbNull, agentRefusal: null, agentRefusedAt: null } : {}),
      },
    });
  }

  async markRefused(directorId: string, r: AgentRefusal): Promise<void> {
    await this.prisma.director.updateMany({
      where: { id: directorId },
      data: { agentRefusal: r.reason.slice(0, 4096), agentRefusedAt: new Date(r.at), agentVersion: r.agentVersion, agentProtocol: r.agentProtocol },
    });
  }

  async markOffline(directorId: string): Promise<void> {
    await this.prisma.director.updateMany({ where: { id: directorId }, data: { online: false } });
  }

  async markOnlineAgain(directorId: string): Promise<void> {
    await this.prisma.director.updateMany({ where: { id: directorId }, data: { online: true, lastSeenAt: new Date() } });
  }

  async recordReport(directorId: string, r: { at: number; appliedRevision: number | null; table: IpvsTable }): Promise<void> {
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
}
