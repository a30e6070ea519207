/**
 * Writes the normalized rows of one topology from its document, inside the caller's transaction.
 * Directors are upserted by key (their agent state survives saves); services, real servers,
 * memberships, placements and canvas positions are replaced.
 */
import type { Topology } from "../../lvs/model.ts";
import { Prisma } from "../../generated/prisma/client.ts";

type Tx = Prisma.TransactionClient;
const CHUNK = 1000;

function chunks<T>(rows: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += CHUNK) out.push(rows.slice(i, i + CHUNK));
  return out;
}

const json = <T>(v: T | null): Prisma.InputJsonValue | typeof Prisma.DbNull =>
  v === null ? Prisma.DbNull : (v as unknown as Prisma.InputJsonValue);

export async function writeTopologyRows(tx: Tx, topologyId: string, doc: Topology): Promise<void> {
  // directors: upsert by key, delete the ones gone from the document
  const existing = await tx.director.findMany({ where: { topologyId }, select: { id: true, key: true } });
  const dirIdByKey = new Map(existing.map((d) => [d.key, d.id]));
  const keep = new Set(doc.directors.map((d) => d.id));
  const gone = existing.filter((d) => !keep.has(d.key)).map((d) => d.id);
  if (gone.length) await tx.director.deleteMany({ where: { id: { in: gone } } });
  const fresh = [];
  for (const d of doc.directors) {
    const data = { name: d.name, managementAddress: d.managementAddress, interfaces: d.interfaces as unknown as Prisma.InputJsonValue, engine: d.engine };
    const id = dirIdByKey.get(d.id);
    if (id) await tx.director.update({ where: { id }, data });
    else fresh.push({ topologyId, key: d.id, ...data });
  }
  for (const part of chunks(fresh)) {
    for (const row of await tx.director.createManyAndReturn({ data: part, select: { id: true, key: true } })) dirIdByKey.set(row.key, row.id);
  }

  // the rest is replaced (cascades remove placements and memberships)
  await tx.virtualService.deleteMany({ where: { topologyId } });
  await tx.realServer.deleteMany({ where: { topologyId } });
  await tx.canvasPosition.deleteMany({ where: { topologyId } });

  const serviceIdByKey = new Map<string, string>();
  for (const part of chunks(doc.services)) {
    const rows = await tx.virtualService.createManyAndReturn({
      select: { id: true, key: true },
      data: part.map((s) => ({
        topologyId,
        key: s.id,
        protocol: s.protocol,
        family: s.family,
        vip: s.address,
        port: s.port,
        fwmark: s.fwmark === null ? null : BigInt(s.fwmark),
        scheduler: s.scheduler,
        flags: s.flags,
        persistenceTimeout: s.persistence?.timeout ?? null,
        persistenceNetmask: s.persistence?.netmask ?? null,
        persistenceEngine: s.persistenceEngine,
        onePacket: s.onePacket,
        proxyProtocol: s.proxyProtocol,
        description: s.description,
        healthCheck: json(s.healthCheck),
        sorryServer: json(s.sorryServer),
      })),
    });
    for (const r of rows) serviceIdByKey.set(r.key, r.id);
  }
  const placements = doc.services.flatMap((s) =>
    s.directorIds.map((d) => ({ serviceId: serviceIdByKey.get(s.id)!, directorId: dirIdByKey.get(d)! })),
  );
  for (const part of chunks(placements)) await tx.servicePlacement.createMany({ data: part });

  const realServerIdByKey = new Map<string, string>();
  for (const part of chunks(doc.realServers)) {
    const rows = await tx.realServer.createManyAndReturn({
      select: { id: true, key: true },
      data: part.map((r) => ({
        topologyId,
        key: r.id,
        name: r.name,
        rip: r.address,
        port: r.port,
        host: r.host as unknown as Prisma.InputJsonValue,
      })),
    });
    for (const r of rows) realServerIdByKey.set(r.key, r.id);
  }
  for (const part of chunks(doc.memberships)) {
    await tx.membership.createMany({
      data: part.map((m) => ({
        topologyId,
        key: m.id,
        serviceId: serviceIdByKey.get(m.serviceId)!,
        realServerId: realServerIdByKey.get(m.realServerId)!,
        method: m.method,
        weight: m.weight,
        upperThreshold: m.upperThreshold,
        lowerThreshold: m.lowerThreshold,
        tunnel: json(m.tunnel),
        state: m.state,
        healthCheck: json(m.healthCheck),
      })),
    });
  }
  const positions = Object.entries(doc.layout).map(([objectKey, p]) => ({ topologyId, objectKey, x: p.x, y: p.y }));
  for (const part of chunks(positions)) await tx.canvasPosition.createMany({ data: part });
}
