/**
 * Health from the HealthTransition history: the current state of every real server of some
 * directors (the latest transition of each), and availability over a range (lvs/availability.ts).
 */
import type { PrismaClient } from "../../generated/prisma/client.ts";
import { availability, serviceAvailability, type Availability, type HealthState, type Transition } from "../../lvs/availability.ts";
import { ipvsTableSchema } from "../../lvs/schemas.ts";
import { serviceKeyString } from "../../lvs/tableKey.ts";
import type { AvailabilityFigures, AvailabilityInput, AvailabilityResult } from "./liveApi.ts";
import { currentHealth, type HealthNow } from "../services/currentHealth.ts";

export { currentHealth, type HealthNow };

export function figures(a: Availability): AvailabilityFigures {
  return { ...a, nines: Number.isFinite(a.nines) ? a.nines : null };
}

interface Timeline {
  initial: HealthState | null;
  transitions: Transition[];
  /** the first time the state is known inside the range */
  knownFrom: number;
}

/**
 * Availability per real server and per service over [from, to). A real server whose state is not
 * known at `from` (no transition before it) starts in the `from` state of its first transition in the
 * range (measured from its first transition when that is "unknown"); one the director runs (its
 * reported table) with no transition at all is up the whole range. Services follow serviceAvailability
 * (up while >= quorum members are up) over the span where all their members are known.
 */
export async function availabilityQuery(prisma: PrismaClient, input: AvailabilityInput): Promise<AvailabilityResult> {
  const { topologyId, from, to, quorum } = input;
  const directors = await prisma.director.findMany({ where: { topologyId, ...(input.directorId ? { id: input.directorId } : {}) }, select: { id: true, reportedTable: true } });
  const ids = directors.map((d) => d.id);
  const svcFilter = input.serviceKey ? { serviceKey: input.serviceKey } : {};
  const [inRange, before] = await Promise.all([
    prisma.healthTransition.findMany({
      where: { directorId: { in: ids }, ...svcFilter, at: { gte: new Date(from), lt: new Date(to) } },
      orderBy: [{ at: "asc" }, { id: "asc" }],
      select: { directorId: true, serviceKey: true, rip: true, port: true, from: true, to: true, at: true },
      take: 200_000,
    }),
    currentHealthBefore(prisma, ids, from, input.serviceKey),
  ]);

  const timelines = new Map<string, Timeline & { directorId: string; serviceKey: string; address: string; port: number }>();
  const keyOf = (d: string, s: string, a: string, p: number) => `${d}\u0000${s}\u0000${a}\u0000${p}`;
  for (const b of before) {
    if (b.state === "unknown") continue;
    timelines.set(keyOf(b.directorId, b.serviceKey, b.address, b.port), { directorId: b.directorId, serviceKey: b.serviceKey, address: b.address, port: b.port, initial: b.state, transitions: [], knownFrom: from });
  }
  for (const t of inRange) {
    const k = keyOf(t.directorId, t.serviceKey, t.rip, t.port);
    let tl = timelines.get(k);
    if (!tl) {
      tl = { directorId: t.directorId, serviceKey: t.serviceKey, address: t.rip, port: t.port, initial: null, transitions: [], knownFrom: t.at.getTime() };
      timelines.set(k, tl);
    }
    if (t.to === "unknown") continue;
    if (tl.initial === null && (t.from === "up" || t.from === "down")) {
      // the transition says what the state was before it: known since the start of the range
      tl.initial = t.from;
      tl.knownFrom = from;
    }
    if (tl.initial === null) {
      tl.initial = t.to;
      tl.knownFrom = t.at.getTime();
    } else tl.transitions.push({ at: t.at.getTime(), to: t.to });
  }
  // real servers the directors run with no transition on record: agents report changes only, and a
  // destination without a health check (or never failing one) is up the whole time
  for (const d of directors) {
    for (const svc of tableServices(d.reportedTable)) {
      if (input.serviceKey && svc.key !== input.serviceKey) continue;
      for (const dest of svc.destinations) {
        const k = keyOf(d.id, svc.key, dest.address, dest.port);
        if (!timelines.has(k)) timelines.set(k, { directorId: d.id, serviceKey: svc.key, address: dest.address, port: dest.port, initial: "up", transitions: [], knownFrom: from });
      }
    }
  }

  const services = new Map<string, AvailabilityResult["services"][number] & { members: Timeline[] }>();
  for (const tl of timelines.values()) {
    if (tl.initial === null || tl.knownFrom >= to) continue;
    const sk = `${tl.directorId}\u0000${tl.serviceKey}`;
    let s = services.get(sk);
    if (!s) {
      s = { directorId: tl.directorId, serviceKey: tl.serviceKey, availability: figures(availability("up", [], from, to)), realServers: [], members: [] };
      services.set(sk, s);
    }
    s.realServers.push({ address: tl.address, port: tl.port, availability: figures(availability(tl.initial, tl.transitions, tl.knownFrom, to)) });
    s.members.push(tl);
  }
  const out: AvailabilityResult["services"] = [];
  for (const s of services.values()) {
    const start = Math.max(...s.members.map((m) => m.knownFrom));
    // a member's state at `start`: its initial state followed by its transitions up to start
    const members = s.members.map((m) => ({ initial: m.initial as HealthState, transitions: m.transitions }));
    s.availability = figures(start < to ? serviceAvailability(members, start, to, quorum) : availability("up", [], from, to));
    s.realServers.sort((a, b) => (a.address === b.address ? a.port - b.port : a.address < b.address ? -1 : 1));
    out.push({ directorId: s.directorId, serviceKey: s.serviceKey, availability: s.availability, realServers: s.realServers });
  }
  out.sort((a, b) => (a.directorId + a.serviceKey < b.directorId + b.serviceKey ? -1 : 1));
  return { from, to, services: out };
}

/** The services and destinations of a reported table (Director.reportedTable JSON), leniently. */
function tableServices(json: unknown): Array<{ key: string; destinations: Array<{ address: string; port: number }> }> {
  const parsed = ipvsTableSchema.safeParse(json);
  if (!parsed.success) return [];
  return parsed.data.services.map((s) => ({ key: serviceKeyString(s), destinations: s.destinations.map((d) => ({ address: d.address, port: d.port })) }));
}

/** The state of each real server at `at`: its latest transition before it. */
async function currentHealthBefore(prisma: PrismaClient, directorIds: string[], at: number, serviceKey?: string): Promise<HealthNow[]> {
  if (!directorIds.length) return [];
  const rows = await prisma.$queryRawUnsafe<Array<{ directorId: string; serviceKey: string; rip: string; port: number; to: string; at: Date }>>(
    `SELECT DISTINCT ON ("directorId", "serviceKey", "rip", "port") "directorId", "serviceKey", "rip", "port", "to"::text AS "to", "at"
       FROM "HealthTransition" WHERE "directorId" = ANY($1::text[]) AND "at" < (to_timestamp($2::float8 / 1000.0) AT TIME ZONE 'UTC') ${serviceKey ? `AND "serviceKey" = $3` : ""}
       ORDER BY "directorId", "serviceKey", "rip", "port", "at" DESC, "id" DESC`,
    directorIds, at, ...(serviceKey ? [serviceKey] : []),
  );
  return rows.map((r) => ({ directorId: r.directorId, serviceKey: r.serviceKey, address: r.rip, port: Number(r.port), state: r.to as HealthNow["state"], since: r.at.getTime() }));
}
