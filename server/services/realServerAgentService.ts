/**
 * Real servers' agents (the real-server role of lvs-agent): enrollment (a token shown once, only its
 * SHA-256 stored, prefix `lvsr_` so the agent link knows the role before any frame), revocation, the
 * list with each agent's latest report, the "prepare" action, and the settings each agent is sent.
 *
 * Which revision's settings: the highest revision an operator applied to the topology's directors
 * (what the directors forward by), or the latest saved revision while nothing was applied yet (so
 * real servers can be prepared before the first apply). A real server missing from that revision
 * gets an empty list: an agent in `--apply auto` then removes what it had set.
 */
import { randomUUID } from "node:crypto";
import type { PrismaClient } from "../../generated/prisma/client.ts";
import type { Topology } from "../../lvs/model.ts";
import { REALSERVER_TOKEN_PREFIX, prepareReportSchema, type RealServerReport } from "../../lvs/protocol/realServer.ts";
import { realServerHostSettings } from "../../lvs/realServer/hostSettings.ts";
import { upgradeTopology } from "../../lvs/upgradeTopology.ts";
import { newToken, tokenHash } from "./opaqueToken.ts";
import type { EventBus } from "../events/EventBus.ts";
import type { Logger } from "../log.ts";
import type { RealServerDesired } from "../realtime/realServerHub.ts";
import { loadRevisionDocument } from "./desiredState.ts";
import { refuse } from "./ServiceError.ts";

export interface RealServerAgentSummary {
  id: string;
  topologyId: string;
  /** the real server's lvs id */
  realServerKey: string;
  name: string;
  revoked: boolean;
  online: boolean;
  lastSeenAt: Date | null;
  hostname: string | null;
  agentVersion: string | null;
  /** "auto" | "on-request" (from its hello) */
  applyPolicy: string | null;
  /** the latest report; requestId = the prepare it answered */
  report: (RealServerReport & { requestId: string | null }) | null;
  reportAt: Date | null;
  sentRevision: number | null;
}

export interface RealServerAgentServiceDeps {
  prisma: PrismaClient;
  bus: EventBus;
  log: Logger;
  now?: () => number;
}

type Row = Awaited<ReturnType<PrismaClient["realServerAgent"]["findFirstOrThrow"]>>;

function summary(r: Row): RealServerAgentSummary {
  const parsed = r.report ? prepareReportSchema.safeParse(r.report) : null;
  const requestId = r.report && typeof r.report === "object" && "requestId" in r.report ? ((r.report as { requestId: unknown }).requestId as string | null) : null;
  return {
    id: r.id, topologyId: r.topologyId, realServerKey: r.realServerKey, name: r.name, revoked: r.tokenRevokedAt != null, online: r.online,
    lastSeenAt: r.lastSeenAt, hostname: r.hostname, agentVersion: r.agentVersion, applyPolicy: r.applyPolicy,
    report: parsed?.success ? { ...parsed.data, requestId: typeof requestId === "string" ? requestId : null } : null,
    reportAt: r.reportAt, sentRevision: r.sentRevision,
  };
}

/** The document whose settings real servers get (see the header) and its revision. */
export async function realServerRevision(prisma: PrismaClient, topologyId: string): Promise<{ revision: number; document: Topology } | null> {
  const applied = await prisma.director.aggregate({ where: { topologyId }, _max: { targetRevision: true } });
  const target = applied._max.targetRevision;
  if (target != null) {
    const document = await loadRevisionDocument(prisma, topologyId, target);
    if (document) return { revision: target, document };
  }
  const t = await prisma.topology.findUnique({ where: { id: topologyId }, select: { revision: true, document: true } });
  return t ? { revision: t.revision, document: upgradeTopology(t.document as unknown as Topology) } : null;
}

export async function realServerDesiredFor(prisma: PrismaClient, agent: { topologyId: string; realServerKey: string }): Promise<RealServerDesired | null> {
  const r = await realServerRevision(prisma, agent.topologyId);
  if (!r) return null;
  const rs = r.document.realServers.find((x) => x.id === agent.realServerKey);
  if (!rs) return { revision: r.revision, desired: { rips: [], settings: [], notes: [`real server "${agent.realServerKey}" is not in revision ${r.revision}`] } };
  return { revision: r.revision, desired: realServerHostSettings(r.document, [rs.address]) };
}

export class RealServerAgentService {
  private readonly now: () => number;
  constructor(private readonly deps: RealServerAgentServiceDeps) {
    this.now = deps.now ?? Date.now;
  }

  async list(topologyId: string): Promise<RealServerAgentSummary[]> {
    const rows = await this.deps.prisma.realServerAgent.findMany({ where: { topologyId }, orderBy: { realServerKey: "asc" } });
    return rows.map(summary);
  }

  /** Enrolls the real server `key` (it must be in the latest saved document); the token is returned once. */
  async enroll(input: { topologyId: string; key: string }): Promise<{ agent: RealServerAgentSummary; token: string }> {
    const { prisma } = this.deps;
    const t = await prisma.topology.findUnique({ where: { id: input.topologyId }, select: { document: true } });
    if (!t) throw refuse("NOT_FOUND", "topology.not-found", { id: input.topologyId });
    const rs = upgradeTopology(t.document as unknown as Topology).realServers.find((r) => r.id === input.key);
    if (!rs) throw refuse("NOT_FOUND", "realServer.no-key", { key: input.key, id: input.topologyId });
    const existing = await prisma.realServerAgent.findUnique({ where: { topologyId_realServerKey: { topologyId: input.topologyId, realServerKey: input.key } } });
    if (existing && !existing.tokenRevokedAt) throw refuse("CONFLICT", "realServer.already-enrolled", { key: input.key });
    const token = newToken(REALSERVER_TOKEN_PREFIX);
    const name = rs.name || rs.address;
    const row = existing
      ? await prisma.realServerAgent.update({ where: { id: existing.id }, data: { tokenHash: tokenHash(token), tokenRevokedAt: null, name, online: false } })
      : await prisma.realServerAgent.create({ data: { topologyId: input.topologyId, realServerKey: input.key, name, tokenHash: tokenHash(token) } });
    this.deps.log.info({ realServerAgent: row.id, key: input.key }, "real server enrolled");
    return { agent: summary(row), token };
  }

  /** The token stops working at once; the agent is disconnected (the host keeps its settings). */
  async revoke(id: string): Promise<RealServerAgentSummary> {
    await this.mustExist(id);
    const row = await this.deps.prisma.realServerAgent.update({ where: { id }, data: { tokenRevokedAt: new Date(this.now()), online: false } });
    await this.deps.bus.publish("realserver.status", { agentId: id, topologyId: row.topologyId, online: false, at: this.now() });
    return summary(row);
  }

  /**
   * Tells the agent to apply its settings now and waits (up to `waitMs`) for the report that
   * answers it; `report` null = it did not answer in time (it may still: the list shows it).
   */
  async prepare(id: string, waitMs = 15_000): Promise<{ requestId: string; report: RealServerAgentSummary["report"] }> {
    const a = await this.mustExist(id);
    if (a.tokenRevokedAt) throw refuse("BAD_REQUEST", "realServer.revoked", { name: a.name });
    if (!a.online) throw refuse("CONFLICT", "realServer.agent-offline", { name: a.name });
    const requestId = randomUUID();
    const answered = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => { off(); resolve(false); }, waitMs);
      const off = this.deps.bus.subscribe("realserver.report", (e) => {
        if (e.agentId === id && e.requestId === requestId) { clearTimeout(timer); off(); resolve(true); }
      });
    });
    await this.deps.bus.publish("realserver.prepare", { agentId: id, topologyId: a.topologyId, requestId, at: this.now() });
    const ok = await answered;
    const row = ok ? await this.deps.prisma.realServerAgent.findUnique({ where: { id } }) : null;
    const report = row ? summary(row).report : null;
    return { requestId, report: report?.requestId === requestId ? report : null };
  }

  private async mustExist(id: string): Promise<Row> {
    const a = await this.deps.prisma.realServerAgent.findUnique({ where: { id } });
    if (!a) throw refuse("NOT_FOUND", "realServer.no-agent", { id });
    return a;
  }
}
