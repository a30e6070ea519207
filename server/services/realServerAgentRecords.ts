/**
 * The real-server hub's storage (realtime/realServerHub.ts) over Prisma: token lookup, online state
 * and the latest report of each real server's agent.
 */
import type { PrismaClient } from "../../generated/prisma/client.ts";
import type { RealServerReport } from "../../lvs/protocol/realServer.ts";
import { sameHash, tokenHash } from "./opaqueToken.ts";
import type { RealServerAgentIdentity, RealServerAgentStore } from "../realtime/realServerHub.ts";

export class PrismaRealServerAgentStore implements RealServerAgentStore {
  private lastTouch = new Map<string, number>();

  constructor(private readonly prisma: PrismaClient) {}

  async authenticate(token: string): Promise<RealServerAgentIdentity | null> {
    const hash = tokenHash(token);
    const a = await this.prisma.realServerAgent.findUnique({ where: { tokenHash: hash } });
    if (!a || !sameHash(a.tokenHash, hash)) return null;
    return { id: a.id, topologyId: a.topologyId, realServerKey: a.realServerKey, name: a.name, tokenHash: hash, revoked: a.tokenRevokedAt != null };
  }

  async tokenState(id: string, hash: string): Promise<"ok" | "revoked" | "replaced"> {
    const a = await this.prisma.realServerAgent.findUnique({ where: { id }, select: { tokenHash: true, tokenRevokedAt: true } });
    if (!a || !sameHash(a.tokenHash, hash)) return "replaced";
    return a.tokenRevokedAt ? "revoked" : "ok";
  }

  async markOnline(id: string, r: { at: number; hostname: string; agentVersion: string; apply: string }): Promise<void> {
    await this.prisma.realServerAgent.update({
      where: { id }, data: { online: true, lastSeenAt: new Date(r.at), hostname: r.hostname.slice(0, 255), agentVersion: r.agentVersion, applyPolicy: r.apply },
    });
  }

  async markOffline(id: string): Promise<void> {
    await this.prisma.realServerAgent.updateMany({ where: { id }, data: { online: false } });
  }

  async touch(id: string, at: number): Promise<void> {
    if (at - (this.lastTouch.get(id) ?? 0) < 5000) return;
    this.lastTouch.set(id, at);
    await this.prisma.realServerAgent.updateMany({ where: { id }, data: { lastSeenAt: new Date(at) } });
  }

  async recordReport(id: string, r: { at: number; requestId: string | null; report: RealServerReport }): Promise<void> {
    await this.prisma.realServerAgent.update({
      where: { id }, data: { report: { ...r.report, requestId: r.requestId } as object, reportAt: new Date(r.at), lastSeenAt: new Date(r.at) },
    });
  }

  async recordSent(id: string, revision: number | null): Promise<void> {
    await this.prisma.realServerAgent.updateMany({ where: { id }, data: { sentRevision: revision } });
  }
}
