/**
 * Topology use cases: list, get, create, save (optimistic concurrency on `revision`).
 * A save writes, in ONE transaction: the Topology row (document + revision + 1, only if the revision is
 * still the expected one), a TopologyRevision snapshot and the normalized rows; then it publishes
 * `topology.saved` (ids only) after the commit.
 */
import type { Topology } from "../../lvs/model.ts";
import { emptyTopology } from "../../lvs/defaults.ts";
import { Prisma, type PrismaClient } from "../../generated/prisma/client.ts";
import type { EventBus } from "../events/EventBus.ts";
import type { Logger } from "../log.ts";
import { refuse, ServiceError } from "./ServiceError.ts";
import { indexedPath, storageIssues } from "../../lvs/validate/storageRules.ts";
import { writeTopologyRows } from "./topologyRows.ts";
import { execCheckChanges } from "../../lvs/execCheckChanges.ts";
import { upgradeTopology } from "../../lvs/upgradeTopology.ts";
import { loadRevisionDocument } from "./desiredState.ts";

/**
 * A save never deletes an enrolled director (its row holds the agent token): that is director.remove
 * (admin). Dropping one the previous revision had is refused; one enrolled ahead of the design (not in
 * either document) is simply kept.
 */
async function refuseDroppingEnrolled(tx: Prisma.TransactionClient, topologyId: string, previous: Topology | null, doc: Topology, allowed: string[]): Promise<void> {
  const keep = new Set([...doc.directors.map((d) => d.id), ...allowed]);
  const had = (previous?.directors ?? []).map((d) => d.id).filter((k) => !keep.has(k));
  if (had.length === 0) return;
  const dropped = await tx.director.findMany({
    where: { topologyId, agentTokenHash: { not: null }, key: { in: had } },
    select: { key: true, name: true }, orderBy: { key: "asc" },
  });
  if (dropped.length === 0) return;
  const names = dropped.map((d) => d.name).join(", ");
  throw new ServiceError("CONFLICT", `enrolled director ${names} cannot be removed by a save (its agent token would be deleted); an admin removes it on the Directors tab`,
    dropped.map((d) => ({ path: "document.directors", message: `enrolled director "${d.name}" (${d.key}) is missing` })));
}

export interface TopologySummary {
  id: string;
  name: string;
  revision: number;
  updatedAt: Date;
}

/** A topology in the list, with how many of its directors run an agent (the overview puts those first). */
export interface TopologyListItem extends TopologySummary {
  /** directors with an agent token (enrolled) */
  enrolledDirectors: number;
  /** of those, connected now */
  onlineDirectors: number;
}

export interface StoredTopology extends TopologySummary {
  document: Topology;
  createdAt: Date;
}

export interface SaveTopologyInput {
  id: string;
  expectedRevision: number;
  document: Topology;
  message: string;
  /** who saves (user email); null until auth lands */
  author: string | null;
  /** may attach or change exec health checks (admins): they run a program on every director */
  mayChangeExecChecks?: boolean;
  /** keys of enrolled directors this save may delete (director.remove, admin); others are refused */
  removeEnrolled?: string[];
}

export interface TopologyServiceDeps {
  prisma: PrismaClient;
  bus: EventBus;
  log: Logger;
  /** injected clock (ms) for event timestamps */
  now?: () => number;
}

/** a refused save names at most this many problems */
const MAX_ISSUES = 50;
const TX = { maxWait: 10_000, timeout: 120_000 } as const;
const summary = { id: true, name: true, revision: true, updatedAt: true } as const;

function isUniqueViolation(err: unknown, field: string): boolean {
  if (!(err instanceof Prisma.PrismaClientKnownRequestError) || err.code !== "P2002") return false;
  // the driver adapters report the constraint's fields differently; look at both shapes
  const meta = JSON.stringify(err.meta ?? {});
  return meta.includes(field) || err.message.includes(field);
}

export class TopologyService {
  private readonly now: () => number;
  constructor(private readonly deps: TopologyServiceDeps) {
    this.now = deps.now ?? Date.now;
  }

  async list(): Promise<TopologyListItem[]> {
    const [rows, agents] = await Promise.all([
      this.deps.prisma.topology.findMany({ select: summary, orderBy: { name: "asc" } }),
      this.deps.prisma.director.groupBy({ by: ["topologyId", "online"], where: { agentTokenHash: { not: null } }, _count: { _all: true } }),
    ]);
    const enrolled = new Map<string, number>();
    const online = new Map<string, number>();
    for (const a of agents) {
      enrolled.set(a.topologyId, (enrolled.get(a.topologyId) ?? 0) + a._count._all);
      if (a.online) online.set(a.topologyId, (online.get(a.topologyId) ?? 0) + a._count._all);
    }
    return rows.map((r) => ({ ...r, enrolledDirectors: enrolled.get(r.id) ?? 0, onlineDirectors: online.get(r.id) ?? 0 }));
  }

  async get(id: string): Promise<StoredTopology> {
    const row = await this.deps.prisma.topology.findUnique({ where: { id } });
    if (!row) throw refuse("NOT_FOUND", "topology.not-found", { id });
    return { ...row, document: upgradeTopology(row.document as unknown as Topology) };
  }

  async create(name: string, author: string | null): Promise<StoredTopology> {
    const document = emptyTopology(name);
    let row;
    try {
      row = await this.deps.prisma.$transaction(async (tx) => {
        const t = await tx.topology.create({ data: { name, revision: 1, document: document as unknown as Prisma.InputJsonValue } });
        await tx.topologyRevision.create({
          data: { topologyId: t.id, revision: 1, snapshot: document as unknown as Prisma.InputJsonValue, author, message: "created" },
        });
        return t;
      }, TX);
    } catch (err) {
      if (isUniqueViolation(err, "name")) throw refuse("CONFLICT", "topology.name-taken", { name }, [{ path: "name", message: "already used" }]);
      throw err;
    }
    await this.publishSaved(row.id, row.revision, author);
    return { ...row, document };
  }

  async save(input: SaveTopologyInput): Promise<TopologySummary> {
    const issues = storageIssues(input.document).slice(0, MAX_ISSUES).map((i) => ({ path: `document.${indexedPath(input.document, i)}`, message: i.message }));
    if (issues.length) throw refuse("BAD_REQUEST", "topology.inconsistent", { path: issues[0]!.path, detail: issues[0]!.message }, issues);
    // the revision this save replaces is immutable: a successful save replaces exactly this snapshot
    const previous = await loadRevisionDocument(this.deps.prisma, input.id, input.expectedRevision);
    if (!input.mayChangeExecChecks) {
      const changed = execCheckChanges(previous, input.document);
      if (changed.length) {
        throw new ServiceError("FORBIDDEN", `only an admin may attach or change an exec health check (${changed.map((c) => `${c.path}: ${c.check}`).slice(0, 3).join(", ")})`,
          changed.slice(0, 50).map((c) => ({ path: `document.${c.path}`, message: `exec check "${c.check}" needs the admin role` })));
      }
    }
    const doc = input.document as unknown as Prisma.InputJsonValue;
    let saved: TopologySummary;
    try {
      saved = await this.deps.prisma.$transaction(async (tx) => {
        // conditional UPDATE: takes the row lock; a concurrent writer re-checks `revision` after our commit
        const hit = await tx.topology.updateMany({
          where: { id: input.id, revision: input.expectedRevision },
          data: { revision: { increment: 1 }, document: doc, name: input.document.name },
        });
        if (hit.count === 0) {
          const cur = await tx.topology.findUnique({ where: { id: input.id }, select: { revision: true } });
          if (!cur) throw refuse("NOT_FOUND", "topology.not-found", { id: input.id });
          throw refuse("CONFLICT", "topology.stale-revision", { revision: cur.revision }, [
            { path: "expectedRevision", message: `is ${input.expectedRevision}, current revision is ${cur.revision}` },
          ]);
        }
        await refuseDroppingEnrolled(tx, input.id, previous, input.document, input.removeEnrolled ?? []);
        const revision = input.expectedRevision + 1;
        await tx.topologyRevision.create({
          data: { topologyId: input.id, revision, snapshot: doc, author: input.author, message: input.message },
        });
        await writeTopologyRows(tx, input.id, input.document, input.removeEnrolled ?? []);
        return tx.topology.findUniqueOrThrow({ where: { id: input.id }, select: summary });
      }, TX);
    } catch (err) {
      if (isUniqueViolation(err, "name")) {
        throw refuse("CONFLICT", "topology.name-taken", { name: input.document.name }, [{ path: "document.name", message: "already used" }]);
      }
      throw err;
    }
    await this.publishSaved(saved.id, saved.revision, input.author);
    return saved;
  }

  /**
   * Removes director `key` from the topology (a new revision without it, its placements and its canvas
   * position) and deletes its row with the agent token; the agent is disconnected. Admin only (the
   * router checks); the revision must be the one the admin confirmed.
   */
  async removeDirector(input: { id: string; key: string; expectedRevision: number; author: string | null }): Promise<TopologySummary & { name: string }> {
    const current = await this.get(input.id);
    const director = current.document.directors.find((d) => d.id === input.key);
    const row = await this.deps.prisma.director.findUnique({ where: { topologyId_key: { topologyId: input.id, key: input.key } }, select: { id: true, name: true } });
    if (!director && !row) throw new ServiceError("NOT_FOUND", `topology ${current.name} has no director ${input.key}`);
    const { [input.key]: _gone, ...layout } = current.document.layout;
    const document: Topology = {
      ...current.document,
      directors: current.document.directors.filter((d) => d.id !== input.key),
      services: current.document.services.map((s) => (s.directorIds.includes(input.key) ? { ...s, directorIds: s.directorIds.filter((d) => d !== input.key) } : s)),
      layout,
    };
    const name = director?.name ?? row?.name ?? input.key;
    const saved = await this.save({
      id: input.id, expectedRevision: input.expectedRevision, document, author: input.author, message: `removed director ${name}`,
      mayChangeExecChecks: true, removeEnrolled: [input.key],
    });
    if (row) {
      // rows enrolled ahead of the design are not in the document: delete them here
      await this.deps.prisma.director.deleteMany({ where: { id: row.id } });
      await this.deps.bus.publish("director.status", { directorId: row.id, topologyId: input.id, online: false, at: this.now() })
        .catch((err: unknown) => this.deps.log.error({ err, directorId: row.id }, "could not publish director.status"));
    }
    return { ...saved, name };
  }

  private async publishSaved(topologyId: string, revision: number, author: string | null): Promise<void> {
    try {
      await this.deps.bus.publish("topology.saved", { topologyId, revision, author, at: this.now() });
    } catch (err) {
      // the save is committed; a lost notification only delays other views
      this.deps.log.error({ err, topologyId, revision }, "could not publish topology.saved");
    }
  }
}
