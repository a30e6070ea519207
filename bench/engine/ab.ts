/**
 * A/B of engine builds against HAProxy (nbthread 1), interleaved, loopback only: each build is a
 * checkout with node_modules (BUILDS=/path/a,/path/b; default: this tree), each run standalone on its
 * own VIP behind the same 3 nginx backends. Prints per repetition `req/s / CPU µs per op` of the
 * proxy process. Env: REPS (3), SECS (4), MODES (newconn,keepalive), PROF=1 (--cpu-prof of the builds),
 * FLAGS: Node flags per build, `|`-separated in BUILDS order, each a space-separated list (a build may
 * be listed twice to compare flags: BUILDS=.,. FLAGS='|--max-semi-space-size=16').
 * PAIRED=1: the engine builds are loaded at the same time (one wrk each, HAProxy skipped), so every
 * repetition sees the same machine; prints each build's CPU per op and its ratio to the first build
 * (the median ratio is the figure to trust on a busy machine).
 * ENVS: environment per build, `|`-separated in BUILDS order, each a space-separated K=V list (the
 * native relay against the JS one: BUILDS=.,. ENVS='LVS_AGENT_TCP_RELAY=none|LVS_AGENT_TCP_RELAY=/path').
 * CPU per op is the engine process and its descendants (the native relay).
 * Usage: node --import tsx bench/engine/ab.ts   (bounded: REPS × MODES × targets cells of SECS s)
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import * as C from "./configs.ts";
import { parseWrk, run, start, treeCpuMs, waitPort } from "./procs.ts";
const REPS = Number(process.env.REPS ?? 3);
const SECS = Number(process.env.SECS ?? 4);
const builds = (process.env.BUILDS ?? path.resolve(import.meta.dirname, "../..")).split(",");
const prof = process.env.PROF === "1";
const flags = (process.env.FLAGS ?? "").split("|").map((f) => f.split(" ").filter(Boolean));
const envs = (process.env.ENVS ?? "").split("|").map((e) => Object.fromEntries(e.split(" ").filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)])));
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lvs-ab-"));
fs.chmodSync(dir, 0o755);
fs.mkdirSync(path.join(dir, "www")); fs.mkdirSync(path.join(dir, "tmp")); fs.mkdirSync(path.join(dir, "prof"));
fs.writeFileSync(path.join(dir, "backend.conf"), C.backendConf(dir));
fs.writeFileSync(path.join(dir, "haproxy.cfg"), C.haproxyConf(dir));
const kids: ReturnType<typeof start>[] = [];
process.on("exit", () => { for (const k of kids) k.kill("SIGTERM"); });
const ng = (conf: string) => ["-p", dir, "-e", path.join(dir, "startup.log"), "-c", path.join(dir, conf), "-g", "daemon off;"];
kids.push(start("nginx", ng("backend.conf"), path.join(dir, "backend.log")));
const hap = start("haproxy", ["-f", path.join(dir, "haproxy.cfg"), "-db"], path.join(dir, "haproxy.log")); kids.push(hap);
const targets: { name: string; host: string; pid: number }[] = [{ name: "haproxy", host: C.HAPROXY_VIP, pid: hap.pid! }];
builds.forEach((b, i) => {
  const vip = `127.0.44.${i + 1}`;
  const rules = [`-A -t ${vip}:${C.HTTP_PORT} -s rr`, ...C.BACKENDS.map((a) => `-a -t ${vip}:${C.HTTP_PORT} -r ${a}:${C.HTTP_PORT} -m -w 1`)].join("\n") + "\n";
  fs.writeFileSync(path.join(dir, `e${i}.rules`), rules);
  const p = start("node", [...(flags[i] ?? []), ...(prof ? ["--cpu-prof", `--cpu-prof-dir=${dir}/prof`] : []), path.join(b, "bin/lvs-agent.mjs"), "run", "--engine", "userspace", "--rules", path.join(dir, `e${i}.rules`)], path.join(dir, `e${i}.log`), envs[i]);
  kids.push(p);
  targets.push({ name: `e${i}:${path.basename(b)}${flags[i]?.length ? ` ${flags[i]!.join(" ")}` : ""}${Object.keys(envs[i] ?? {}).length ? ` ${Object.entries(envs[i]!).map(([k, v]) => `${k}=${path.basename(v)}`).join(" ")}` : ""}`, host: vip, pid: p.pid! });
});
for (const t of targets) await waitPort(t.host, C.HTTP_PORT, 180_000);
await waitPort(C.BACKENDS[0]!, C.HTTP_PORT);
const modes = (process.env.MODES ?? "newconn,keepalive").split(",");
console.log(`load ${os.loadavg().map((x) => x.toFixed(2)).join(" ")}`);
const res: Record<string, string[]> = {};
const wrkArgs = (m: string, host: string): string[] => ["-t1", "-c50", `-d${SECS}s`, "--latency", ...(m === "newconn" ? ["-H", "Connection: close"] : []), `http://${host}:${C.HTTP_PORT}/1k`];
const paired = process.env.PAIRED === "1";
const ratios: Record<string, number[]> = {};
for (let r = 0; r < REPS; r++) {
  const order = r % 2 ? [...targets].reverse() : targets;
  for (const m of modes) {
    if (paired) {
      const engines = targets.slice(1);
      const c0 = engines.map((t) => treeCpuMs(t.pid));
      const ws = (await Promise.all(engines.map((t) => run("wrk", wrkArgs(m, t.host))))).map(parseWrk);
      const c1 = engines.map((t) => treeCpuMs(t.pid));
      const us = engines.map((_, i) => ((c1[i]! - c0[i]!) * 1000) / ws[i]!.requests);
      engines.forEach((t, i) => {
        (res[`${m} ${t.name}`] ??= []).push(`${ws[i]!.rps.toFixed(0)}/${us[i]!.toFixed(1)}us${ws[i]!.errors ? `/err${ws[i]!.errors}` : ""}`);
        if (i > 0) (ratios[`${m} ${t.name} / e0`] ??= []).push(us[i]! / us[0]!);
      });
      continue;
    }
    for (const t of order) {
      const c0 = treeCpuMs(t.pid);
      const w = parseWrk(await run("wrk", wrkArgs(m, t.host)));
      const c1 = treeCpuMs(t.pid);
      const k = `${m} ${t.name}`;
      (res[k] ??= []).push(`${w.rps.toFixed(0)}/${((c1 - c0) * 1000 / w.requests).toFixed(1)}us${w.errors ? `/err${w.errors}` : ""}`);
    }
  }
}
for (const [k, v] of Object.entries(ratios)) {
  const s = [...v].sort((a, b) => a - b);
  console.log(`cpu/op ${k}`.padEnd(40), v.map((x) => x.toFixed(3)).join(" "), ` median ${s[Math.floor((s.length - 1) / 2)]!.toFixed(3)}`);
}
for (const [k, v] of Object.entries(res)) console.log(k.padEnd(40), v.join("  "));
console.log(`load ${os.loadavg().map((x) => x.toFixed(2)).join(" ")} dir ${dir}`);
if (prof) { for (const k of kids.slice(2)) k.kill("SIGINT"); await new Promise((r) => setTimeout(r, 3000)); }
process.exit(0);
