/**
 * The engine benchmark driver (bench/engine/run.sh). One run, interleaved repetitions, loopback only.
 * Targets: direct (one nginx backend), HAProxy (mode tcp, nbthread 1), nginx stream (1 worker), and the
 * userspace engine (standalone, one Node process, with its native relay for established connections:
 * `engine`; and without it, every byte through the JS relay: `engine-js`), each over the same three
 * nginx backends serving 1 KiB. The engine's CPU is its Node process and every descendant (the native
 * relay; the multi-core engine's workers and their relays).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { ChildProcess } from "node:child_process";
import * as C from "./configs.ts";
import { decisionCost, TAX_SERVICES } from "./taxDecision.ts";
import { buildTcpRelay } from "../../agent/engines/userspace/native/buildRelay.ts";
import { childPid, parseWrk, rssKiB, run, start, treeCpuMs, waitPort, type WrkResult } from "./procs.ts";

const REPS = Number(process.env.BENCH_REPS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 4);
const PROFILE = process.env.BENCH_PROFILE === "1";
const root = path.resolve(import.meta.dirname, "../..");
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lvs-bench-"));
const outDir = path.join(dir, "profile");
fs.chmodSync(dir, 0o755); // nginx workers run as www-data
fs.mkdirSync(path.join(dir, "www"), { recursive: true });
fs.mkdirSync(path.join(dir, "tmp"), { recursive: true });
fs.mkdirSync(outDir, { recursive: true });
fs.writeFileSync(path.join(dir, "www/bulk"), "");
fs.truncateSync(path.join(dir, "www/bulk"), 100 * 1024 * 1024);
for (const [name, text] of [
  ["backend.conf", C.backendConf(dir)], ["haproxy.cfg", C.haproxyConf(dir)], ["stream.conf", C.nginxStreamConf(dir)], ["engine.rules", C.engineRules()],
  ["haproxy2.cfg", C.haproxyConf(dir, C.THREADS, C.HAPROXY2_VIP, "haproxy2")], ["engine2.rules", C.engine2Rules()], ["enginejs.rules", C.rrRules(C.ENGINE_JS_VIP)],
] as const) fs.writeFileSync(path.join(dir, name), text);

const children: ChildProcess[] = [];
const log = (s: string): void => void process.stdout.write(s + "\n");
process.on("exit", () => { for (const c of children) if (c.exitCode === null) c.kill("SIGTERM"); });

const nginxArgs = (conf: string): string[] => ["-p", dir, "-e", path.join(dir, "startup.log"), "-c", path.join(dir, conf), "-g", "daemon off;"];
const backend = start("nginx", nginxArgs("backend.conf"), path.join(dir, "backend.log"));
const udpEcho = start("node", ["--import", "tsx", path.join(root, "bench/engine/udpEcho.ts")], path.join(dir, "udpecho.log"));
const haproxy = start("haproxy", ["-f", path.join(dir, "haproxy.cfg"), "-db"], path.join(dir, "haproxy.log"));
const stream = start("nginx", nginxArgs("stream.conf"), path.join(dir, "stream.log"));
const engineArgs = [
  ...(PROFILE ? ["--cpu-prof", `--cpu-prof-dir=${outDir}`] : []),
  path.join(root, "bin/lvs-agent.mjs"), "run", "--engine", "userspace", "--rules", path.join(dir, "engine.rules"),
];
const relay = { LVS_AGENT_TCP_RELAY: buildTcpRelay(path.join(dir, "lvs-tcp-relay")) };
const engine = start("node", engineArgs, path.join(dir, "engine.log"), relay);
const engineJs = start("node", [path.join(root, "bin/lvs-agent.mjs"), "run", "--engine", "userspace", "--rules", path.join(dir, "enginejs.rules")], path.join(dir, "enginejs.log"), { LVS_AGENT_TCP_RELAY: "none" });
// multi-core: HAProxy with nbthread 2, the engine with 2 workers sharing the listening socket
const haproxy2 = start("haproxy", ["-f", path.join(dir, "haproxy2.cfg"), "-db"], path.join(dir, "haproxy2.log"));
const engine2 = start("node", [path.join(root, "bin/lvs-agent.mjs"), "run", "--engine", "userspace", "--workers", String(C.THREADS), "--rules", path.join(dir, "engine2.rules")], path.join(dir, "engine2.log"), relay);
children.push(backend, udpEcho, haproxy, stream, engine, engineJs, haproxy2, engine2);
for (const [h, p] of [[C.BACKENDS[0]!, C.HTTP_PORT], [C.HAPROXY_VIP, C.HTTP_PORT], [C.NGINX_VIP, C.HTTP_PORT], [C.ENGINE_VIP, C.HTTP_PORT], [C.ENGINE_JS_VIP, C.HTTP_PORT], [C.ENGINE_WLC100_VIP, C.HTTP_PORT], [C.HAPROXY2_VIP, C.HTTP_PORT], [C.ENGINE2_VIP, C.HTTP_PORT]] as const) {
  await waitPort(h, p, 180_000); // the engine starts under tsx: slow on a loaded machine
}
const streamWorker = childPid(stream.pid!);

interface Target { name: string; host: string; pid: number | null }
const targets: Target[] = [
  { name: "direct", host: C.BACKENDS[0]!, pid: null },
  { name: "haproxy", host: C.HAPROXY_VIP, pid: haproxy.pid! },
  { name: "nginx", host: C.NGINX_VIP, pid: streamWorker },
  { name: "engine", host: C.ENGINE_VIP, pid: engine.pid! },
  { name: "engine-js", host: C.ENGINE_JS_VIP, pid: engineJs.pid! },
];

type Sample = WrkResult & { cpuUsPerReq: number };
const results = new Map<string, Sample[]>();
const record = (k: string, s: Sample): void => void (results.get(k) ?? results.set(k, []).get(k)!).push(s);

async function wrk(host: string, pid: number | null, close: boolean, threads = 1): Promise<Sample> {
  const args = [`-t${threads}`, `-c${50 * threads}`, `-d${SECONDS}s`, "--latency", ...(close ? ["-H", "Connection: close"] : []), `http://${host}:${C.HTTP_PORT}/1k`];
  const c0 = pid ? treeCpuMs(pid) : 0;
  const r = parseWrk(await run("wrk", args));
  const c1 = pid ? treeCpuMs(pid) : 0;
  return { ...r, cpuUsPerReq: pid && r.requests ? ((c1 - c0) * 1000) / r.requests : NaN };
}

async function bulk(host: string, pid: number | null): Promise<Sample> {
  const c0 = pid ? treeCpuMs(pid) : 0;
  const out = await run("curl", ["-s", "-o", "/dev/null", "-w", "%{speed_download} %{size_download}", `http://${host}:${C.HTTP_PORT}/bulk`]);
  const c1 = pid ? treeCpuMs(pid) : 0;
  const [speed, size] = out.trim().split(" ").map(Number);
  return { rps: (speed ?? 0) / 1e6, p50ms: NaN, p99ms: NaN, requests: 1, errors: size === 100 * 1024 * 1024 ? 0 : 1, cpuUsPerReq: pid ? (c1 - c0) * 1000 : NaN };
}

async function udp(host: string, pid: number | null): Promise<Sample> {
  const c0 = pid ? treeCpuMs(pid) : 0;
  const out = await run("node", ["--import", "tsx", path.join(root, "bench/engine/udpClient.ts"), host, String(C.UDP_PORT), String(SECONDS), "32"]);
  const c1 = pid ? treeCpuMs(pid) : 0;
  const j = JSON.parse(out.trim().split("\n").pop()!) as { rtts: number; perSec: number; p50us: number; p99us: number; lost: number };
  return { rps: j.perSec, p50ms: j.p50us / 1000, p99ms: j.p99us / 1000, requests: j.rtts, errors: j.lost, cpuUsPerReq: pid && j.rtts ? ((c1 - c0) * 1000) / j.rtts : NaN };
}

log(`lvs-bench: ${REPS} interleaved repetitions x ${SECONDS}s, ${os.cpus().length} CPUs, load ${os.loadavg().map((x) => x.toFixed(2)).join(" ")}`);
for (let rep = 0; rep < REPS; rep++) {
  const order = [...targets.slice(rep % targets.length), ...targets.slice(0, rep % targets.length)];
  for (const t of order) {
    record(`keepalive ${t.name}`, await wrk(t.host, t.pid, false));
    record(`newconn ${t.name}`, await wrk(t.host, t.pid, true));
    record(`bulk ${t.name}`, await bulk(t.host, t.pid));
  }
  for (const [name, host, pid] of [["direct", C.BACKENDS[0]!, null], ["nginx", C.NGINX_VIP, streamWorker], ["engine", C.ENGINE_VIP, engine.pid!]] as const) {
    record(`udp ${name}`, await udp(host, pid));
  }
  // multi-core rows: 2 HAProxy threads vs 2 engine workers, wrk with 2 threads x 50 connections
  const multi = [["haproxy", C.HAPROXY2_VIP, haproxy2.pid!], ["engine", C.ENGINE2_VIP, engine2.pid!]] as const;
  for (const [name, host, pid] of rep % 2 ? [...multi].reverse() : multi) {
    record(`keepalive-${C.THREADS}core ${name}`, await wrk(host, pid, false, C.THREADS));
    record(`newconn-${C.THREADS}core ${name}`, await wrk(host, pid, true, C.THREADS));
  }
  // the tax cells rotate too: in a fixed order the first one after the other cells paid for their
  // garbage (and read 10-30 % dearer than the same code later in the repetition)
  const tax = [["minimal", C.ENGINE_VIP], ["wlc100", C.ENGINE_WLC100_VIP], ["wlc100+persist", C.ENGINE_PERSIST_VIP]] as const;
  for (const [name, host] of [...tax.slice(rep % tax.length), ...tax.slice(0, rep % tax.length)]) {
    record(`tax-newconn ${name}`, await wrk(host, engine.pid!, true));
    record(`tax-keepalive ${name}`, await wrk(host, engine.pid!, false));
  }
  log(`  repetition ${rep + 1}/${REPS} done, load ${os.loadavg()[0]!.toFixed(2)}`);
}

const median = (xs: number[]): number => {
  const s = xs.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)]! : NaN;
};
const med = (k: string, f: keyof Sample): number => median((results.get(k) ?? []).map((s) => s[f]));
const fmt = (x: number, d = 0): string => (Number.isNaN(x) ? "-" : x.toFixed(d));

log("\nmetric (median)        target    value         p50 ms  p99 ms  cpu us/op  errors  ratio (throughput; cpu per op)");
const line = (metric: string, t: string, unit: string, ref: string | null, digits = 0): void => {
  const k = `${metric} ${t}`;
  const v = med(k, "rps");
  const ratio = ref ? v / med(`${metric} ${ref}`, "rps") : NaN;
  // CPU per operation of the proxy process(es): steadier than throughput on a shared machine
  const cpuRatio = ref ? med(k, "cpuUsPerReq") / med(`${metric} ${ref}`, "cpuUsPerReq") : NaN;
  const errs = (results.get(k) ?? []).reduce((a, s) => a + s.errors, 0);
  log(`${metric.padEnd(22)} ${t.padEnd(9)} ${(fmt(v, digits) + " " + unit).padEnd(13)} ${fmt(med(k, "p50ms"), 3).padStart(6)} ${fmt(med(k, "p99ms"), 3).padStart(7)} ${fmt(med(k, "cpuUsPerReq"), 1).padStart(10)} ${String(errs).padStart(7)}  ${ref && t !== ref ? `${fmt(ratio, 2)}x ${ref}${Number.isNaN(cpuRatio) ? "" : `; cpu ${fmt(cpuRatio, 2)}x`}` : ""}`);
};
for (const t of targets) line("keepalive", t.name, "req/s", "haproxy");
for (const t of targets) line("newconn", t.name, "conn/s", "haproxy");
for (const t of targets) line("bulk", t.name, "MB/s", "haproxy", 1);
for (const t of ["direct", "nginx", "engine"]) line("udp", t, "rtt/s", "nginx");
for (const m of ["keepalive", "newconn"]) for (const t of ["haproxy", "engine"]) line(`${m}-${C.THREADS}core`, t, m === "keepalive" ? "req/s" : "conn/s", "haproxy");
for (const t of ["minimal", "wlc100", "wlc100+persist"]) line("tax-newconn", t, "conn/s", "minimal");
for (const t of ["minimal", "wlc100", "wlc100+persist"]) line("tax-keepalive", t, "req/s", "minimal");
// the tax where it is paid: the per-connection decision, against the engine's CPU per new connection
// in this run (keep-alive requests make no decision: their tax is zero by construction)
const decision = await decisionCost();
const perConn = med("newconn engine", "cpuUsPerReq");
for (const t of TAX_SERVICES) {
  const extra = (decision[t] - decision.minimal) / 1000;
  log(`${"tax-decision".padEnd(22)} ${t.padEnd(9)} ${(fmt(decision[t] / 1000, 2) + " us/conn").padEnd(13)} ${t === "minimal" ? "" : `${extra >= 0 ? "+" : ""}${fmt(extra, 2)} us = ${fmt((extra / perConn) * 100, 1)} % of the ${fmt(perConn, 0)} us CPU per new connection`}`);
}

// 10 000 concurrent idle connections (each costs two descriptors in a proxy: capped by the fd limit)
const fdLimit = Number(/Max open files\s+(\d+)/.exec(fs.readFileSync("/proc/self/limits", "utf8"))?.[1] ?? 20000);
const IDLE = Math.min(10000, Math.floor((fdLimit - 600) / 2));
for (const t of targets.filter((x) => x.name === "engine" || x.name === "haproxy")) {
  const pid = t.pid!;
  const before = rssKiB(pid);
  const idle = start("node", ["--import", "tsx", path.join(root, "bench/engine/idleConns.ts"), t.host, String(C.HTTP_PORT), String(IDLE)], path.join(dir, `idle-${t.name}.log`));
  let opened = "";
  for (let i = 0; i < 600 && !/open \d+/.test(opened); i++) {
    await new Promise((r) => setTimeout(r, 100));
    opened = fs.readFileSync(path.join(dir, `idle-${t.name}.log`), "utf8");
  }
  await new Promise((r) => setTimeout(r, 1000));
  const after = rssKiB(pid);
  log(`idle ${IDLE} ${t.name.padEnd(8)} ${opened.trim()}  RSS ${(before / 1024).toFixed(1)} MiB -> ${(after / 1024).toFixed(1)} MiB (+${((after - before) / IDLE).toFixed(2)} KiB/conn incl. backend side; fd limit ${fdLimit})`);
  idle.stdin!.end();
  await new Promise((r) => idle.on("close", r));
}

if (PROFILE) engine.kill("SIGINT");
for (const c of children) if (c !== engine || !PROFILE) c.kill("SIGTERM");
await new Promise((r) => setTimeout(r, PROFILE ? 3000 : 500));
log(`logs in ${dir}${PROFILE ? `; engine profile in ${outDir}` : ""}`);
process.exit(0);
