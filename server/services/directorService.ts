/**
 * Director enrollment and agent tokens. A token is shown once (create / rotate); only its SHA-256 is
 * stored (Director.agentTokenHash). Revoking or rotating disconnects the agent at once on whichever
 * instance holds its socket: the `director.status` event makes that hub re-check the token and close.
 */
import type { PrismaClient } from "../../generated/prisma/client.ts";
import type { EventBus } from "../events/EventBus.ts";
import type { Logger } from "../log.ts";
import { newToken, tokenHash } from "./opaqueToken.ts";
import { refuse } from "./ServiceError.ts";
import { z } from "zod";
import { hostCheckSchema } from "../../lvs/protocol/realServer.ts";
import type { HostCheck } from "../../lvs/realServer/hostChecks.ts";

export const AGENT_TOKEN_PREFIX = "lvsa_";

export interface DirectorSummary {
  id: string;
  topologyId: string;
  key: string;
  name: string;
  engine: string;
  enrolled: boolean;
  revoked: boolean;
  online: boolean;
  lastSeenAt: Date | null;
  appliedRevision: number | null;
  /** the revision the last apply asked this director for */
  targetRevision: number | null;
  reportedAt: Date | null;
  tokenRotatedAt: Date | null;
  /** what the agent's last hello said: its build (`0.1.0+g<commit>`) and protocol version */
  agentVersion: string | null;
  agentProtocol: number | null;
  /** the exec checks installed on the director (its agent's hello); null when its agent never said */
  execChecks: string[] | null;
  /** why its last connection was refused (protocol incompatible: the version to install) */
  agentRefusal: string | null;
  agentRefusedAt: Date | null;
  /** the director's own prerequisites as its agent last observed them (ip_forward, modules, DIPs, VIP) */
  prerequisites: { revision: number | null; checks: HostCheck[]; errors: string[] } | null;
  prerequisitesAt: Date | null;
}

export interface DirectorServiceDeps {
  prisma: PrismaClient;
  bus: EventBus;
  log: Logger;
  now?: () => number;
}

const summarySelect = {
  id: true, topologyId: true, key: true, name: true, engine: true, agentTokenHash: true, tokenRevokedAt: true,
  online: true, lastSeenAt: true, appliedRevision: true, targetRevision: true, reportedAt: true, tokenRotatedAt: true,
  agentVersion: true, agentProtocol: true, agentExecChecks: true, agentRefusal: true, agentRefusedAt: true, prerequisites: true, prerequisitesAt: true,
} as const;

type Row = { id: string; topologyId: string; key: string; name: string; engine: string; agentTokenHash: string | null; tokenRevokedAt: Date | null; online: boolean; lastSeenAt: Date | null; appliedRevision: number | null; targetRevision: number | null; reportedAt: Date | null; tokenRotatedAt: Date | null; agentVersion: string | null; agentProtocol: number | null; agentExecChecks: unknown; agentRefusal: string | null; agentRefusedAt: Date | null; prerequisites: unknown; prerequisitesAt: Date | null };

function summary(r: Row): DirectorSummary {
  return {
    id: r.id, topologyId: r.topologyId, key: r.key, name: r.name, engine: r.engine,
    enrolled: r.agentTokenHash != null, revoked: r.tokenRevokedAt != null, online: r.online,
    lastSeenAt: r.lastSeenAt, appliedRevision: r.appliedRevision, targetRevision: r.targetRevision, reportedAt: r.reportedAt, tokenRotatedAt: r.tokenRotatedAt,
    agentVersion: r.agentVersion, agentProtocol: r.agentProtocol, agentRefusal: r.agentRefusal, agentRefusedAt: r.agentRefusedAt,
    execChecks: Array.isArray(r.agentExecChecks) ? r.agentExecChecks.filter((c): c is string => typeof c === "string") : null,
    prerequisites: parsePrerequisites(r.prerequisites), prerequisitesAt: r.prerequisitesAt,
  };
}

const storedPrerequisites = z.object({ revision: z.number().int().nullable(), checks: z.array(hostCheckSchema), errors: z.array(z.string()) });

function parsePrerequisites(raw: unknown): DirectorSummary["prerequisites"] {
  const p = raw == null ? null : storedPrerequisites.safeParse(raw);
  return p?.success ? p.data : null;
}

export class DirectorService {
  private readonly now: () => number;
  constructor(private readonly deps: DirectorServiceDeps) {
    this.now = deps.now ?? Date.now;
  }

  async list(topologyId?: string): Promise<DirectorSummary[]> {
    const rows = await this.deps.prisma.director.findMany({ where: topologyId ? { topologyId } : {}, select: summarySelect, orderBy: [{ topologyId: "asc" }, { key: "asc" }] });
    return rows.map(summary);
  }

  /** Enrolls the director `key` of a topology (creating its row if the topology was not saved with it yet); returns the token once. */
  async create(input: { topologyId: string; key: string; name?: string }): Promise<{ director: DirectorSummary; token: string }> {
    const { prisma } = this.deps;
    const topology = await prisma.topology.findUnique({ where: { id: input.topologyId }, select: { id: true } });
    if (!topology) throw refuse("NOT_FOUND", "director.topology-missing", { id: input.topologyId });
    const existing = await prisma.director.findUnique({ where: { topologyId_key: { topologyId: input.topologyId, key: input.key } }, select: summarySelect });
    if (existing?.agentTokenHash) throw refuse("CONFLICT", "director.already-enrolled", { key: input.key });
    const token = newToken(AGENT_TOKEN_PREFIX);
    const row = existing
      ? await prisma.director.update({ where: { id: existing.id }, data: { agentTokenHash: tokenHash(token), tokenRevokedAt: null, tokenRotatedAt: new Date(this.now()) }, select: summarySelect })
      : await prisma.director.create({
          data: { topologyId: input.topologyId, key: input.key, name: input.name ?? input.key, interfaces: [], agentTokenHash: tokenHash(token), tokenRotatedAt: new Date(this.now()) },
          select: summarySelect,
        });
    this.deps.log.info({ directorId: row.id, key: row.key }, "director enrolled");
    return { director: summary(row), token };
  }

  /** New token, shown once; the old one stops working and its connection is closed. */
  async rotate(directorId: string): Promise<{ director: DirectorSummary; token: string }> {
    await this.mustExist(directorId);
    const token = newToken(AGENT_TOKEN_PREFIX);
    const row = await this.deps.prisma.director.update({
      where: { id: directorId },
      data: { agentTokenHash: tokenHash(token), tokenRevokedAt: null, tokenRotatedAt: new Date(this.now()) },
      select: summarySelect,
    });
    this.deps.log.info({ directorId }, "agent token rotated");
    await this.kick(row);
    return { director: summary(row), token };
  }

  /** The token stops working at once; the agent is disconnected and refused with "token revoked". */
  async revoke(directorId: string): Promise<DirectorSummary> {
    const existing = await this.mustExist(directorId);
    if (!existing.agentTokenHash) throw refuse("BAD_REQUEST", "director.no-token", { key: existing.key });
    const row = await this.deps.prisma.director.update({
      where: { id: directorId }, data: { tokenRevokedAt: new Date(this.now()), online: false }, select: summarySelect,
    });
    this.deps.log.warn({ directorId }, "agent token revoked");
    await this.kick(row);
    return summary(row);
  }

  private async mustExist(directorId: string) {
    const d = await this.deps.prisma.director.findUnique({ where: { id: directorId }, select: summarySelect });
    if (!d) throw refuse("NOT_FOUND", "director.not-found", { id: directorId });
    return d;
  }

  private async kick(row: Row): Promise<void> {
    await this.deps.bus.publish("director.status", { directorId: row.id, topologyId: row.topologyId, online: false, at: this.now() });
  }
}
