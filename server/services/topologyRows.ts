/**
 * Writes the normalized rows of one topology from its document, inside the caller's transaction.
 * Directors are upserted by key (their agent state survives saves; unchanged rows are not touched);
 * services, placements, real servers, memberships and canvas positions are replaced. The bulk inserts
 * are single `INSERT ... SELECT FROM unnest($arrays)` statements: Prisma's createMany costs ~0.5 ms a
 * row, which made a 20 000-membership save take 15 s.
 */
import { randomUUID } from "node:crypto";
import type { Director, Topology } from "../../lvs/model.ts";
import type { Prisma } from "../../generated/prisma/client.ts";

type Tx = Prisma.TransactionClient;

/** JSON with sorted keys, to compare documents with jsonb values (jsonb reorders keys) */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (v && typeof v === "object") {
    return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(",")}}`;
  }
  return JSON.stringify(v ?? null);
}

const jsonOrNull = (v: unknown) => (v === null || v === undefined ? null : JSON.stringify(v));

async function insertUnnest(tx: Tx, table: string, columns: Array<[name: string, sqlType: string, cast: string | null]>, rows: unknown[][]): Promise<void> {
  if (rows.length === 0) return;
  const arrays = columns.map((_, i) => rows.map((r) => r[i]));
  const alias = columns.map((_, i) => `c${i}`);
  const select = columns.map(([, , cast], i) => (cast ? cast.replace("$", `u.c${i}`) : `u.c${i}`));
  const sql =
    `INSERT INTO "${table}" (${columns.map(([n]) => `"${n}"`).join(", ")}) ` +
    `SELECT ${select.join(", ")} FROM unnest(${columns.map(([, t], i) => `$${i + 1}::${t}[]`).join(", ")}) AS u(${alias.join(", ")})`;
  await tx.$executeRawUnsafe(sql, ...arrays);
}

async function syncDirectors(tx: Tx, topologyId: string, directors: Director[], removeEnrolled: string[]): Promise<Map<string, string>> {
  const existing = await tx.director.findMany({
    where: { topologyId },
    select: { id: true, key: true, name: true, managementAddress: true, interfaces: true, engine: true, agentTokenHash: true },
  });
  const byKey = new Map(existing.map((d) => [d.key, d]));
  const keep = new Set(directors.map((d) => d.id));
  const removable = new Set(removeEnrolled);
  // an enrolled director's row (its agent token) goes only through director.remove
  const gone = existing.filter((d) => !keep.has(d.key) && (d.agentTokenHash === null || removable.has(d.key))).map((d) => d.id);
  if (gone.length) await tx.director.deleteMany({ where: { id: { in: gone } } });
  const idByKey = new Map<string, string>();
  const fresh: unknown[][] = [];
  for (const d of directors) {
    const row = byKey.get(d.id);
    if (!row) {
      const id = randomUUID();
      idByKey.set(d.id, id);
      fresh.push([id, d.id, d.name, d.managementAddress, JSON.stringify(d.interfaces), d.engine]);
      continue;
    }
    idByKey.set(d.id, row.id);
    const same = row.name === d.name && row.managementAddress === d.managementAddress && row.engine === d.engine && canonical(row.interfaces) === canonical(d.interfaces);
    if (!same) {
      await tx.director.update({
        where: { id: row.id },
        data: { name: d.name, managementAddress: d.managementAddress, interfaces: d.interfaces as unknown as Prisma.InputJsonValue, engine: d.engine },
      });
    }
  }
  await insertUnnest(
    tx,
    "Director",
    [["id", "text", null], ["key", "text", null], ["name", "text", null], ["managementAddress", "text", null], ["interfaces", "text", "$::jsonb"], ["engine", "text", `$::"EngineKind"`], ["topologyId", "text", null], ["updatedAt", "text", "now()"]],
    fresh.map((r) => [...r, topologyId, null]),
  );
  return idByKey;
}

export async function writeTopologyRows(tx: Tx, topologyId: string, doc: Topology, removeEnrolled: string[] = []): Promise<void> {
  const directorId = await syncDirectors(tx, topologyId, doc.directors, removeEnrolled);

  // the rest is replaced (cascades remove placements and memberships)
  await tx.virtualService.deleteMany({ where: { topologyId } });
  await tx.realServer.deleteMany({ where: { topologyId } });
  await tx.canvasPosition.deleteMany({ where: { topologyId } });

  const serviceId = new Map(doc.services.map((s) => [s.id, randomUUID()]));
  await insertUnnest(
    tx,
    "VirtualService",
    [
      ["id", "text", null], ["topologyId", "text", null], ["key", "text", null], ["protocol", "text", `$::"ServiceProtocol"`],
      ["family", "text", `$::"AddressFamily"`], ["vip", "text", null], ["port", "int4", null], ["fwmark", "int8", null],
      ["scheduler", "text", null], ["flags", "text", "ARRAY(SELECT jsonb_array_elements_text($::jsonb))"],
      ["persistenceTimeout", "int4", null], ["persistenceNetmask", "text", null], ["persistenceEngine", "text", null],
      ["onePacket", "bool", null], ["proxyProtocol", "bool", null], ["description", "text", null],
      ["healthCheck", "text", "$::jsonb"], ["sorryServer", "text", "$::jsonb"],
    ],
    doc.services.map((s) => [
      serviceId.get(s.id), topologyId, s.id, s.protocol, s.family, s.address, s.port, s.fwmark === null ? null : String(s.fwmark),
      s.scheduler, JSON.stringify(s.flags), s.persistence?.timeout ?? null, s.persistence?.netmask ?? null, s.persistenceEngine,
      s.onePacket, s.proxyProtocol, s.description, jsonOrNull(s.healthCheck), jsonOrNull(s.sorryServer),
    ]),
  );
  await insertUnnest(
    tx,
    "ServicePlacement",
    [["serviceId", "text", null], ["directorId", "text", null]],
    doc.services.flatMap((s) => s.directorIds.map((d) => [serviceId.get(s.id), directorId.get(d)])),
  );

  const realServerId = new Map(doc.realServers.map((r) => [r.id, randomUUID()]));
  await insertUnnest(
    tx,
    "RealServer",
    [["id", "text", null], ["topologyId", "text", null], ["key", "text", null], ["name", "text", null], ["rip", "text", null], ["port", "int4", null], ["host", "text", "$::jsonb"]],
    doc.realServers.map((r) => [realServerId.get(r.id), topologyId, r.id, r.name, r.address, r.port, JSON.stringify(r.host)]),
  );
  await insertUnnest(
    tx,
    "Membership",
    [
      ["id", "text", null], ["topologyId", "text", null], ["key", "text", null], ["serviceId", "text", null], ["realServerId", "text", null],
      ["method", "text", `$::"ForwardingMethod"`], ["weight", "int4", null], ["upperThreshold", "int4", null], ["lowerThreshold", "int4", null],
      ["tunnel", "text", "$::jsonb"], ["state", "text", `$::"MembershipState"`], ["healthCheck", "text", "$::jsonb"],
    ],
    doc.memberships.map((m) => [
      randomUUID(), topologyId, m.id, serviceId.get(m.serviceId), realServerId.get(m.realServerId), m.method, m.weight,
      m.upperThreshold, m.lowerThreshold, jsonOrNull(m.tunnel), m.state, jsonOrNull(m.healthCheck),
    ]),
  );
  await insertUnnest(
    tx,
    "CanvasPosition",
    [["topologyId", "text", null], ["objectKey", "text", null], ["x", "float8", null], ["y", "float8", null]],
    Object.entries(doc.layout).map(([k, p]) => [topologyId, k, p.x, p.y]),
  );
}
