/**
 * `npm run bench:fanout`: control-plane fan-out on loopback, bounded to ~60 s.
 *   10 synthetic agents x 100 services x 10 real servers (1 000 services / 10 000 real servers),
 *   one full stats frame per agent per second (staggered), 100 browser subscribers (10 per
 *   topology) on /api/live, the real server (startServer: agent hub → live runtime → live hub,
 *   rollups written to the database) in its own process.
 * Measures: delivery latency agent send → subscriber receipt (p50/p95/p99/max), control-plane CPU
 * per second of updates, RSS, history ingest (rows written during the run, then the time to write one
 * bucket of every series: BENCH_BUCKET_MS, default the production minute), then the same
 * payload relayed by a bare `ws` broadcaster to the same 100 sockets in the same run.
 * Env: BENCH_DATABASE_URL (PostgreSQL; default PGlite in memory), BENCH_SECONDS (measured seconds
 * of the control-plane phase, default 12), BENCH_SUBSCRIBERS (default 100).
 * `-- --instances 2`: a second control-plane instance on the same PostgreSQL (BENCH_DATABASE_URL, or a
 * throwaway one started here); the agents stay on the first, the subscribers move to the second, so
 * every frame crosses instances (stats relay over NOTIFY). Prints the single-instance run of the same
 * run too, and one line `fanout instances=2: p95 <ms> ms, p99 <ms> ms, lost <n> frames`.
 */
import { execFileSync, fork, type ChildProcess } from "node:child_process";
import path from "node:path";
import { connectAgent, drive, makeSnapshot, type AgentConn } from "./fanout/agentLoad.ts";
import { cpuSeconds } from "./fanout/stats.ts";

const DIR = path.join(import.meta.dirname, "fanout");
const DIRECTORS = 10;
const SERVICES = 100;
const DESTS = 10;
const SUBSCRIBERS = Number(process.env.BENCH_SUBSCRIBERS ?? 100);
const MEASURE_S = Math.min(30, Number(process.env.BENCH_SECONDS ?? 12));
const BARE_S = 6;
const INSTANCES = (() => {
  const i = process.argv.indexOf("--instances");
  const n = i >= 0 ? Number(process.argv[i + 1]) : 1;
  if (n !== 1 && n !== 2) {
    process.stderr.write("fanout bench: --instances must be 1 or 2\n");
    process.exit(2);
  }
  return n;
})();
let throwawayPg: string | null = null;
if (INSTANCES === 2 && !/^postgres/.test(process.env.BENCH_DATABASE_URL ?? "")) {
  // several instances share PostgreSQL (PGlite is one process): start a throwaway one
  const out = execFileSync("bash", [path.join(import.meta.dirname, "..", "scripts", "pg-throwaway.sh"), "start"], { encoding: "utf8" });
  process.env.BENCH_DATABASE_URL = /DATABASE_URL=(\S+)/.exec(out)![1]!;
  throwawayPg = /PGDIR=(\S+)/.exec(out)![1]!;
}
const stopPg = () => {
  if (throwawayPg) execFileSync("bash", [path.join(import.meta.dirname, "..", "scripts", "pg-throwaway.sh"), "stop", throwawayPg], { stdio: "ignore" });
  throwawayPg = null;
};
// a child that crashes (e.g. an unmigrated database) must not leave the others or PostgreSQL running
process.on("exit", () => {
  for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
  stopPg();
});
const WARMUP_S = 3;

const children: ChildProcess[] = [];
const hardStop = setTimeout(() => {
  process.stderr.write("fanout bench: exceeded 120 s (a very busy machine?), stopping\n");
  for (const c of children) c.kill("SIGKILL");
  stopPg();
  process.exit(2);
}, 120_000);

function child(file: string, env: Record<string, string> = {}, profile = false): ChildProcess {
  // BENCH_PROFILE=<dir>: V8 CPU profile of the control-plane process
  const prof = profile && process.env.BENCH_PROFILE ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [];
  const c = fork(path.join(DIR, file), [], { execArgv: ["--import", "tsx", ...prof], env: { ...process.env, ...env }, stdio: ["ignore", "inherit", "inherit", "ipc"] });
  children.push(c);
  return c;
}
function ask<T>(c: ChildProcess, msg: object | null): Promise<T> {
  return new Promise((resolve, reject) => {
    c.once("message", (m) => resolve(m as T));
    c.once("exit", (code) => reject(new Error(`child exited with ${code}`)));
    if (msg) c.send(msg);
  });
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const fmt = (n: number, d = 1) => (Number.isFinite(n) ? n.toFixed(d) : "-");

type Report = { latency: { n: number; p50: number; p95: number; p99: number; max: number }; frames: number; bytes: number; merged: number; snapshots: number; backlog: number };
type CpuReport = { cpu: NodeJS.CpuUsage; rss: number; ingest?: { rows: number; writeMs: number; lagRows: number; totalRows: number }; kind?: string; storeLatency?: Report["latency"]; relay?: { received: number; lost: number } };

const t0 = Date.now();
const server = child("serverProcess.ts", { BENCH_DIRECTORS: String(DIRECTORS) }, true);
const bare = child("bareProcess.ts");
const subs = child("subscribersProcess.ts");
type Ready = { url: string; topologies: string[]; tokens: string[]; cookie: string; kind: string; bucketMs: number };
const [ready, bareReady] = await Promise.all([
  ask<Ready>(server, null),
  ask<{ url: string }>(bare, null),
  ask(subs, null),
]);
// the second instance starts once the first has migrated and seeded the database
const server2 = INSTANCES === 2 ? child("serverProcess.ts", { BENCH_ROLE: "second" }) : null;
const ready2 = server2 ? await ask<Ready>(server2, null) : null;
const perTopic = Math.max(1, Math.round(SUBSCRIBERS / DIRECTORS));
process.stderr.write(`setup ${((Date.now() - t0) / 1000).toFixed(1)} s (database: ${ready.kind})\n`);

async function phase(name: string, connectAgents: () => Promise<AgentConn[]>, subUrl: string, mode: "live" | "bare", cookie: string | null, target: ChildProcess, seconds: number, beforeStop?: () => Promise<void>) {
  const agents = await connectAgents();
  await ask(subs, { cmd: "connect", url: subUrl, cookie, topics: ready.topologies, perTopic, mode });
  let sent = 0;
  let sentBytes = 0;
  const stop = drive(agents, (b) => ((sent += 1), (sentBytes += b)));
  await sleep(WARMUP_S * 1000);
  // counters of the measured window: agent frames from now, subscribers count frames sent from now
  sent = sentBytes = 0;
  const start = Date.now();
  await ask(subs, { cmd: "reset", since: start });
  await ask(target, { cmd: "cpu-start" });
  await sleep(seconds * 1000);
  const wall = (Date.now() - start) / 1000;
  const sentInWindow = sent;
  const cpu = await ask<CpuReport>(target, { cmd: "cpu" });
  const rep = await ask<Report>(subs, { cmd: "report", until: start + wall * 1000 });
  await beforeStop?.();
  stop();
  for (const a of agents) a.ws.terminate();
  await ask(subs, { cmd: "close" });
  return { name, wall, sent: sentInWindow, sentBytes, cpu, rep, cpuPerS: cpuSeconds(cpu.cpu) / wall };
}

const snaps = Array.from({ length: DIRECTORS }, (_, i) => makeSnapshot(i, SERVICES, DESTS));
let flushed = { rows: 0, ms: NaN, totalRows: 0 };
// while the agents still run: close every series' bucket in progress and time writing them
const ingest = async () => void (flushed = await ask<typeof flushed>(server, { cmd: "ingest" }));
const cp = await phase("control plane", () => Promise.all(ready.tokens.map((t, i) => connectAgent(`${ready.url}/api/agent`, t, snaps[i]!))), `${ready.url}/api/live`, "live", ready.cookie, server, MEASURE_S, ingest);
const cross = server2 && ready2
  ? await phase("2 instances (agents on A, subscribers on B)", () => Promise.all(ready.tokens.map((t, i) => connectAgent(`${ready.url}/api/agent`, t, snaps[i]!))), `${ready2.url}/api/live`, "live", ready2.cookie, server2, MEASURE_S)
  : null;
const bareRun = await phase("bare ws", () => Promise.all(ready.topologies.map((t, i) => connectAgent(`${bareReady.url}/?agent=${t}`, null, snaps[i]!))), bareReady.url, "bare", null, bare, BARE_S);

const row = (r: typeof cp) => {
  const l = r.rep.latency;
  const expected = r.sent * perTopic;
  return `| ${r.name} | ${r.sent} | ${(r.sentBytes / r.wall / 1e6).toFixed(2)} | ${r.rep.frames} / ${expected} (+${r.rep.backlog} from warm-up) | ${r.rep.merged} | ${fmt(l.p50, 0)} | ${fmt(l.p95, 0)} | ${fmt(l.p99, 0)} | ${fmt(l.max, 0)} | ${fmt(r.cpuPerS, 3)} | ${fmt((r.cpuPerS * 1000) / (r.sent / r.wall), 2)} | ${(r.cpu.rss / 1e6).toFixed(0)} |`;
};
const ing = cp.cpu.ingest!;
const lines = [
  `fan-out: ${DIRECTORS} agents x ${SERVICES} services x ${DESTS} real servers = ${DIRECTORS * SERVICES} services / ${DIRECTORS * SERVICES * DESTS} real servers at 1 Hz, ${perTopic * DIRECTORS} subscribers (${perTopic} per topology), database ${ready.kind}`,
  "",
  "| run | agent frames | agent MB/s | frames received / expected | merged | p50 ms | p95 ms | p99 ms | max ms | CPU s per s | CPU ms per agent frame | RSS MB |",
  "|---|---|---|---|---|---|---|---|---|---|---|---|",
  row(cp),
  ...(cross ? [row(cross)] : []),
  row(bareRun),
  "",
  `inside the control plane, agent send → store: p50 ${fmt(cp.cpu.storeLatency!.p50, 0)} ms, p95 ${fmt(cp.cpu.storeLatency!.p95, 0)} ms, p99 ${fmt(cp.cpu.storeLatency!.p99, 0)} ms (n=${cp.cpu.storeLatency!.n})`,
  `control plane / bare ws CPU: ${fmt(cp.cpuPerS / bareRun.cpuPerS, 2)}x`,
  `history ingest during the run: ${ing.rows} rollup rows written (${ready.bucketMs / 1000} s buckets), ${fmt(ing.writeMs / 1000, 2)} s spent writing, backlog ${ing.lagRows} rows`,
  `one bucket of the whole load (${flushed.rows} series rows) written in ${fmt(flushed.ms, 0)} ms: ${fmt(ready.bucketMs / flushed.ms, 1)}x headroom per ${ready.bucketMs / 1000} s bucket (${flushed.ms < ready.bucketMs ? "KEEPS UP" : "FALLS BEHIND"})`,
  `total ${((Date.now() - t0) / 1000).toFixed(1)} s`,
];
process.stdout.write(lines.join("\n") + "\n");
const lost = (r: typeof cp) => Math.max(0, r.sent * perTopic - r.rep.frames);
if (cross) {
  const relay = cross.cpu.relay;
  if (relay) process.stdout.write(`stats relay on the subscribers' instance: ${relay.received} frames received, ${relay.lost} lost in transit\n`);
  process.stdout.write(`fanout instances=1: p95 ${fmt(cp.rep.latency.p95, 0)} ms, p99 ${fmt(cp.rep.latency.p99, 0)} ms, lost ${lost(cp)} frames\n`);
  process.stdout.write(`fanout instances=2: p95 ${fmt(cross.rep.latency.p95, 0)} ms, p99 ${fmt(cross.rep.latency.p99, 0)} ms, lost ${lost(cross)} frames\n`);
}
const judged = cross ?? cp;
const p95ok = judged.rep.latency.p95 <= 500 && judged.rep.latency.p99 <= 1000 && (!cross || lost(cross) === 0);
process.stdout.write(`targets${cross ? " (2 instances)" : ""}: p95 <= 500 ms ${judged.rep.latency.p95 <= 500 ? "met" : "MISSED"}, p99 <= 1000 ms ${judged.rep.latency.p99 <= 1000 ? "met" : "MISSED"}${cross ? `, 0 lost ${lost(cross) === 0 ? "met" : "MISSED"}` : ""}\n`);
server.send({ cmd: "exit" });
server2?.send({ cmd: "exit" });
bare.send({ cmd: "exit" });
subs.kill();
await sleep(500);
stopPg();
clearTimeout(hardStop);
process.exit(p95ok ? 0 : 1);
