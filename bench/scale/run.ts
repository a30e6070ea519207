/**
 * npm run bench:scale — the core, the agent and the UI at real scale (issue 17). Generates its
 * tables itself (lvs/testing/bigTable.ts: IPv4/IPv6 TCP/UDP and fwmark services, NAT/DR/TUN real
 * servers, persistence on some) and prints:
 *   scale convert: 100000 services in <s> s, rss <MB> MB     (lvsctl convert in a child process)
 *   scale plan: 10000 services, <n> ops in <s> s              (plan + batch text, 1 % of lines changed)
 *   scale agent: reconcile 10000 services in <s> s; stats <pct>% of a core   (QEMU lab when LVS_LAB_DIR is set)
 *   scale ui: 10000 services open in <s> s; pan <fps> fps at 500 nodes       (bench/scaleUi.ts)
 * Options (env): SCALE_CONVERT_SERVICES (100000), SCALE_PLAN_SERVICES (10000), SCALE_AGENT_SERVICES (10000),
 * SCALE_AGENT_DOOR (netlink: the lvs-ipvs-nl helper, the agent's default when installed; ipvsadm: ipvsadm only),
 * SCALE_AGENT_FLOOR=0 (skip the ipvsadm floor: its -R of 110 000 lines takes about a minute in the VM).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { genTable, perturb } from "../../lvs/testing/bigTable.ts";
import { renderBatch, renderRules } from "../../lvs/formats/ipvsadm/render.ts";
import { plan } from "../../lvs/reconcile.ts";
import { applyOps } from "../../lvs/ops.ts";
import { equalTables } from "../../lvs/canonical.ts";
import { FakeIpvsadm } from "../../agent/engines/ipvs/fakeIpvsadm.ts";
import { IpvsEngine } from "../../agent/engines/ipvs/ipvsEngine.ts";
import { busyChild, helperText, pctText, sizeText, stageText } from "./statsBusy.ts";
import { jsonChild } from "./jsonChild.ts";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../..");
const num = (name: string, dflt: number) => Number(process.env[name] ?? dflt);
const say = (s: string) => process.stdout.write(`${s}\n`);
const info = (s: string) => process.stdout.write(`  ${s}\n`);

interface ChildFigures { code: number; seconds: number; maxRssMb: number; cpuSeconds: number }

async function lvsctlChild(args: string[]): Promise<ChildFigures & { wallSeconds: number }> {
  const t0 = performance.now();
  const figures = await jsonChild<ChildFigures>("lvsctl child", path.join(here, "convertChild.ts"), args);
  return { ...figures, wallSeconds: (performance.now() - t0) / 1000 };
}

async function convert(dir: string): Promise<void> {
  const n = num("SCALE_CONVERT_SERVICES", 100_000);
  const input = path.join(dir, "rules.txt");
  const output = path.join(dir, "out.txt");
  fs.writeFileSync(input, renderRules(genTable(n, 10)));
  const lines = n * 11;
  info(`generated ${lines} rules lines (${(fs.statSync(input).size / 1e6).toFixed(1)} MB)`);
  const c = await lvsctlChild(["convert", "--to", "ipvsadm", input, "-o", output]);
  if (c.code !== 0) throw new Error(`lvsctl convert exited ${c.code}`);
  const same = fs.readFileSync(input).equals(fs.readFileSync(output));
  say(`scale convert: ${n} services in ${c.wallSeconds.toFixed(1)} s, rss ${Math.round(c.maxRssMb)} MB`);
  info(`lvsctl convert --to ipvsadm: ${c.cpuSeconds.toFixed(1)} s CPU, ${c.seconds.toFixed(1)} s in main(); output ${same ? "equals" : "DIFFERS FROM"} the (canonical) input`);
  const v = await lvsctlChild(["validate", input]);
  info(`lvsctl validate: ${v.wallSeconds.toFixed(1)} s, rss ${Math.round(v.maxRssMb)} MB, ${v.cpuSeconds.toFixed(1)} s CPU, exit ${v.code}`);
}

function planFigures(): void {
  const n = num("SCALE_PLAN_SERVICES", 10_000);
  const actual = genTable(n, 10);
  const next = perturb(actual, 0.01);
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const ops = plan(actual, next.table);
  const batch = renderBatch(ops);
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(c0);
  say(`scale plan: ${n} services, ${ops.length} ops in ${seconds.toFixed(2)} s`);
  const exact = ops.length === next.expectedOps && equalTables(applyOps(actual, ops), next.table);
  info(`${next.changedLines} of ${n * 11} rules lines changed (${((next.changedLines / (n * 11)) * 100).toFixed(2)} %); minimal plan ${next.expectedOps} ops; ${exact ? "the plan is exactly that and applying it gives the desired table" : "PLAN DIFFERS from the minimal one"}; batch ${batch.length} bytes; ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s CPU`);
}

async function agentFigures(): Promise<void> {
  const n = num("SCALE_AGENT_SERVICES", 10_000);
  if (process.env.LVS_LAB_DIR) {
    const { measureAgentLab } = await import("./agentLab.ts");
    const door = process.env.SCALE_AGENT_DOOR === "ipvsadm" ? "ipvsadm" : "netlink";
    const f = await measureAgentLab({ services: n, log: info, door, floor: process.env.SCALE_AGENT_FLOOR !== "0" });
    say(`scale agent: reconcile ${n} services in ${f.reconcileSeconds.toFixed(1)} s; stats ${f.statsPct.toFixed(1)}% of a core`);
    if (f.floor) {
      const [read, batch, back] = f.reconcileTimes;
      const t = (x: { real: number; sys: number } | undefined) => (x ? `${x.real.toFixed(2)} s (kernel ${x.sys.toFixed(2)} s)` : "?");
      say(`scale agent floor: ipvsadm -R ${f.floor.restore.toFixed(2)} s, ipvsadm-save -n ${f.floor.save.toFixed(2)} s, ipvsadm -Ln ${f.floor.list.toFixed(2)} s; the agent's batch ${t(batch)}, read back ${t(back)}`);
      info(`floor = ipvsadm 1.31 with the same ${f.reconcileOps}-line table in a fresh network namespace of the same VM, by its clock (its save ${f.floor.equal ? "equals" : "DIFFERS FROM"} the table); the agent's = the lvs-ipvs-nl runs of the reconcile by busybox time (read ${t(read)}); kernel = their sys time`);
    }
    const busy = await statsBusyFigures(n);
    info(`measured in the QEMU kernel lab (${process.env.LVS_LAB_DIR}, software emulation, ${door}): ${f.reconcileOps} ops from an empty table; reconcile = agent CPU ${f.reconcileCpu.toFixed(1)} s + commands in the VM ${f.reconcileVm.toFixed(1)} s by its clock (QEMU's host CPU meanwhile ${f.reconcileQemu.toFixed(1)} s; ${f.reconcileWall.toFixed(1)} s wall through the lab's nc channel); 1 % update ${f.updateOps} ops in ${f.updateSeconds.toFixed(1)} s; kernel table ${f.converged ? "equals" : "DIFFERS FROM"} the desired one; stats = agent CPU of one steady read (one a second), the helper itself ${f.statsVmSeconds.toFixed(2)} s in the emulated VM; ${f.statsReadSeconds.toFixed(2)} s wall each through the channel (${f.statsSamples} reads)`);
    info(`stats with traffic (the agent's stats.fields path fed by the real helper in serve mode, every figure of the busy services changing each second, median of 5 reads; the lab's table is idle): ${busy} of a core`);
    return;
  }
  // no lab: the same engine against the fake ipvsadm (no kernel; the fake's own work is in the figures)
  const fake = new FakeIpvsadm();
  const engine = new IpvsEngine({ exec: fake });
  const t0 = performance.now();
  const r = await engine.apply(genTable(n, 10));
  const seconds = (performance.now() - t0) / 1000;
  const cpu0 = process.cpuUsage();
  const w0 = performance.now();
  for (let i = 0; i < 5; i++) JSON.stringify(await engine.stats());
  const busy = (process.cpuUsage(cpu0).user + process.cpuUsage(cpu0).system) / 1e6;
  const perRead = busy / 5;
  say(`scale agent: reconcile ${n} services in ${seconds.toFixed(1)} s; stats ${(perRead * 100).toFixed(1)}% of a core`);
  info(`stats with traffic (the agent's stats.fields path fed by the real helper in serve mode, every figure of the busy services changing each second, median of 5 reads): ${await statsBusyFigures(n)} of a core`);
  info(`NOT the kernel: LVS_LAB_DIR is unset, so against agent/engines/ipvs/fakeIpvsadm.ts in this process (${r.ops.length} ops, ok ${r.ok}); stats = CPU of one read+parse+merge+JSON per second (${((performance.now() - w0) / 5000).toFixed(2)} s wall each)`);
}

/**
 * The agent's stats path with traffic (bench/scale/statsBusy.ts), each in a child process: stats.fields
 * through the helper kept running (`serve`, session 5), stats.fields from stats-since columns
 * (session 4, before) and stats.delta (session 3) for comparison, in the same run.
 */
async function statsBusyFigures(n: number): Promise<string> {
  const served = await busyChild("served", n);
  const fields = await busyChild("fields", n);
  const delta = await busyChild("delta", n);
  info(`stats with traffic, stats.delta path (session 3; the service and every real server of a busy service change every figure each second): ${pctText(delta)}`);
  info(`  sizes: ${sizeText(delta)}; 100 % busy by stage: ${stageText(delta)}`);
  info(`stats with traffic, stats.fields from stats-since columns (session 4): ${pctText(fields)}`);
  info(`  sizes: ${sizeText(fields)}; 100 % busy by stage: ${stageText(fields)}; first (full) read ${fields.firstRead.toFixed(2)} s`);
  info(`stats with traffic, stats.fields from lvs-ipvs-nl serve (the real helper kept running, diffing itself; its kernel a listing file): ${pctText(served)}`);
  info(`  sizes: ${sizeText(served)}; 100 % busy by stage: ${stageText(served)}; first (full) read ${served.firstRead.toFixed(2)} s; the helper's own CPU (parsing the listing's text where the real one reads netlink): ${helperText(served)}`);
  return pctText(served);
}

async function uiFigures(): Promise<void> {
  const file = path.join(root, "bench", "scaleUi.ts");
  if (!fs.existsSync(file)) {
    say("scale ui: not measured (bench/scaleUi.ts missing)");
    return;
  }
  const { measureScaleUi } = (await import(file)) as { measureScaleUi: () => Promise<{ openSeconds: number; panFps: number }> };
  const r = await measureScaleUi();
  say(`scale ui: 10000 services open in ${r.openSeconds.toFixed(1)} s; pan ${r.panFps.toFixed(1)} fps at 500 nodes`);
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-scale-"));
try {
  const [load] = os.loadavg();
  info(`load average ${load?.toFixed(2)} on ${os.cpus().length} CPUs`);
  const only = process.argv.slice(2);
  const want = (part: string) => only.length === 0 || only.includes(part);
  if (want("convert")) await convert(dir);
  if (want("plan")) planFigures();
  if (want("agent")) await agentFigures();
  if (want("ui")) await uiFigures();
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
