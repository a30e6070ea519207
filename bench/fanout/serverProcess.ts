/**
 * Child process: the real control plane (startServer: agent hub, live hub, live runtime with its
 * rollup writer, no Next) on PGlite in memory or on BENCH_DATABASE_URL (PostgreSQL). Seeds
 * `directors` topologies of one enrolled director each and a viewer session; answers CPU/ingest
 * reports over IPC.
 */
import { startServer } from "../../server/app.ts";
import { loadEnv } from "../../server/env.ts";
import { sessionCookieFor } from "../../server/auth/testing.ts";
import { DirectorService } from "../../server/services/directorService.ts";
import { TopologyService } from "../../server/services/topologyService.ts";
import { summarize } from "./stats.ts";

const directors = Number(process.env.BENCH_DIRECTORS ?? 10);
// BENCH_ROLE=second: another instance on the same PostgreSQL (nothing seeded; subscribers connect here)
const second = process.env.BENCH_ROLE === "second";
const bucketMs = Number(process.env.BENCH_BUCKET_MS ?? 60_000);
const s = await startServer({
  env: loadEnv({ DATABASE_URL: process.env.BENCH_DATABASE_URL || "pglite:memory", LOG_LEVEL: "warn", LVS_NEXT: "0", LVS_DEMO: "0" }),
  port: 0, host: "127.0.0.1",
  live: { bucketMs, flushMs: 1000 },
});
const topo = new TopologyService({ prisma: s.db.prisma, bus: s.bus, log: s.log });
const dirs = new DirectorService({ prisma: s.db.prisma, bus: s.bus, log: s.log });
const topologies: string[] = [];
const tokens: string[] = [];
for (let i = 0; i < (second ? 0 : directors); i++) {
  const t = await topo.create(`bench-${i}-${Date.now()}`, null);
  await topo.save({
    id: t.id, expectedRevision: t.revision, message: "", author: null,
    document: { name: t.name, directors: [{ id: "d", name: `lvs-${i}`, managementAddress: null, interfaces: [], engine: "userspace" }], services: [], realServers: [], memberships: [], layout: {} },
  });
  const e = await dirs.create({ topologyId: t.id, key: "d" });
  topologies.push(t.id);
  tokens.push(e.token);
}
const cookie = await sessionCookieFor(s.db, "viewer");
let cpu0 = process.cpuUsage();
// agent send → the store has it (inside the control plane): separates ingest delay from fan-out delay
let ingestLat: number[] = [];
s.live.store.onUpdate((u) => ingestLat.push(Date.now() - u.at));
const w = s.live.writer;
let ingest0 = { written: 0, writeMs: 0 };
process.on("message", async (m: { cmd: string }) => {
  if (m.cmd === "cpu-start") {
    cpu0 = process.cpuUsage();
    ingest0 = { written: w.written, writeMs: w.writeMs };
    ingestLat = [];
    process.send!({ ok: true });
  } else if (m.cmd === "cpu") {
    process.send!({
      cpu: process.cpuUsage(cpu0), rss: process.memoryUsage().rss,
      ingest: { rows: w.written - ingest0.written, writeMs: w.writeMs - ingest0.writeMs, lagRows: w.lagRows, totalRows: await s.live.repo.count() },
      relay: s.cluster.relay.counters(),
      kind: s.db.kind,
      storeLatency: summarize(ingestLat),
    });
  } else if (m.cmd === "ingest") {
    // close every bucket in progress (all series) and time writing them: one bucket of the whole load
    s.live.store.closeAll();
    const rows = s.live.store.pendingRollups;
    const t = performance.now();
    await s.live.writer.flush();
    process.send!({ rows, ms: performance.now() - t, totalRows: await s.live.repo.count() });
  } else if (m.cmd === "exit") {
    await s.close();
    process.exit(0);
  }
});
process.send!({ ready: true, url: s.url.replace("http", "ws"), topologies, tokens, cookie, kind: s.db.kind, bucketMs });
