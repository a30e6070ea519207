/** The current health of each checked real server: its latest stored transition (read by the agent hub's storage and the live runtime). */
import type { PrismaClient } from "../../generated/prisma/client.ts";

export interface HealthNow {
  directorId: string;
  serviceKey: string;
  address: string;
  port: number;
  state: "unknown" | "up" | "down";
  since: number;
}

/** The latest transition of each (director, service, real server). */
export async function currentHealth(prisma: PrismaClient, directorIds: readonly string[]): Promise<HealthNow[]> {
  if (!directorIds.length) return [];
  const rows = await prisma.$queryRawUnsafe<Array<{ directorId: string; serviceKey: string; rip: string; port: number; to: string; at: Date }>>(
    `SELECT DISTINCT ON ("directorId", "serviceKey", "rip", "port") "directorId", "serviceKey", "rip", "port", "to"::text AS "to", "at"
       FROM "HealthTransition" WHERE "directorId" = ANY($1::text[])
       ORDER BY "directorId", "serviceKey", "rip", "port", "at" DESC, "id" DESC`,
    [...directorIds],
  );
  return rows.map((r) => ({ directorId: r.directorId, serviceKey: r.serviceKey, address: r.rip, port: Number(r.port), state: r.to as HealthNow["state"], since: r.at.getTime() }));
}
