/**
 * The agent's ipvs engine against the real kernel in the QEMU lab, at 10 000 services: the
 * production IpvsEngine drives the VM's ipvsadm through the lab's Exec channel (lab/vmExecChannel.ts),
 * as lab/agentIpvs.test.ts does.
 *  - reconcile: engine.apply(table) from an empty kernel table: read (-S -n, --thresholds), plan,
 *    one -R batch of every service and real server, read back, verify;
 *  - update: engine.apply(1 % of the lines changed): read, plan, a batch of that 1 %, read back;
 *  - stats: engine.statsServed() (the helper kept running in the VM, lab/vmAnswerServer.ts; statsColumns()
 *    when it cannot) plus the stats.fields frames the agent sends (only what changed; the first is the full update); the agent reads once a second, so its
 *    share of a core is the CPU of one steady-state read.
 * The engine uses the lvs-ipvs-nl helper (built here, copied into the VM) unless door is "ipvsadm".
 * The lab's channel (busybox nc over QEMU user networking, megabytes of listings) is not part of the
 * product: reconcileSeconds = the agent's CPU + the time the commands ran in the VM (its own clock);
 * the wall time through the channel is reported beside it.
 */
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { runInVm, type VmResult } from "../../lab/vm.ts";
import { VmExecChannel } from "../../lab/vmExecChannel.ts";
import { IpvsEngine } from "../../agent/engines/ipvs/ipvsEngine.ts";
import { genTable, perturb } from "../../lvs/testing/bigTable.ts";
import { equalTables } from "../../lvs/canonical.ts";
import { StatsFieldsEncoder } from "../../lvs/stats/statsFields.ts";
import { statsFieldsJson } from "../../lvs/stats/statsFieldsJson.ts";
import { vmAnswerServer } from "../../lab/vmAnswerServer.ts";
import { buildIpvsHelper } from "../../agent/engines/ipvs/native/buildHelper.ts";
import type { Exec } from "../../agent/engines/ipvs/exec.ts";
import { renderRules } from "../../lvs/formats/ipvsadm/render.ts";
import { parseRules } from "../../lvs/formats/ipvsadm/parse.ts";

const VM_HELPER = "/usr/lib/lvs-agent/lvs-ipvs-nl";

/**
 * Host CPU seconds (user + system) of this process's QEMU child so far: what the emulated VM's work
 * costs the host whatever the load, while the VM's own clock also counts the time QEMU waited for a core.
 */
async function qemuCpuSeconds(): Promise<number> {
  let sum = 0;
  for (const pid of await fs.readdir("/proc").catch(() => [] as string[])) {
    if (!/^\d+$/.test(pid)) continue;
    const stat = await fs.readFile(`/proc/${pid}/stat`, "utf8").catch(() => "");
    const close = stat.lastIndexOf(")");
    if (!stat.includes("(qemu-system-x86") || close < 0) continue;
    const f = stat.slice(close + 2).split(" ");
    // fields after the name: state ppid ... utime (14th field overall = index 11 here), stime
    if (Number(f[1]) !== process.pid) continue;
    sum += (Number(f[11]) + Number(f[12])) / 100;
  }
  return sum;
}

export interface AgentLabFigures {
  services: number;
  destinations: number;
  reconcileSeconds: number;
  reconcileOps: number;
  updateSeconds: number;
  updateOps: number;
  statsPct: number;
  statsSamples: number;
  statsReadSeconds: number;
  converged: boolean;
  /** wall time of the reconcile through the lab's nc channel (reconcileSeconds excludes the channel) */
  reconcileWall: number;
  /** the two parts of reconcileSeconds: the agent's CPU and the commands' time on the VM's clock */
  reconcileCpu: number;
  reconcileVm: number;
  /** host CPU QEMU used during the reconcile (emulation, whatever the machine's load) */
  reconcileQemu: number;
  /** the helper's own time per stats read inside the (emulated) VM */
  statsVmSeconds: number;
  /** the reconcile's helper runs (read, batch, read back) by busybox `time` in the VM */
  reconcileTimes: VmTimes[];
  /** the same table with ipvsadm itself in a fresh network namespace of the same VM, by its clock; null when skipped */
  floor: { restore: number; save: number; list: number; equal: boolean } | null;
}

/** One command's times inside the VM by busybox `time` (emulated seconds): user = the process, sys = the kernel for it. */
export interface VmTimes { what: string; real: number; user: number; sys: number }

const TIME_RE = /(?:Command (?:exited|terminated)[^\n]*\n)?real\t(\d+)m ([\d.]+)s\nuser\t(\d+)m ([\d.]+)s\nsys\t(\d+)m ([\d.]+)s\n?$/;

/**
 * The channel with the helper's runs under busybox `time` (the bench's own instrument, stripped from
 * stderr before the engine sees it): how much of each command is the kernel (sys) and how much the
 * helper (user). The VM's clock and the same result otherwise.
 */
function timedHelper(channel: VmExecChannel, times: VmTimes[]): Exec {
  return {
    // the stats helper kept running in the VM (lvs-ipvs-nl serve behind a FIFO; each read one job)
    serve: (argv) => vmAnswerServer(channel, argv),
    async run(argv, stdin) {
      if (argv[0] !== VM_HELPER) return channel.run(argv, stdin);
      const r = await channel.run(["time", ...argv], stdin);
      const m = TIME_RE.exec(r.stderr);
      if (!m) return r;
      const sec = (mm: string, ss: string) => Number(mm) * 60 + Number(ss);
      times.push({ what: argv.slice(1).join(" "), real: sec(m[1]!, m[2]!), user: sec(m[3]!, m[4]!), sys: sec(m[5]!, m[6]!) });
      return { ...r, stderr: r.stderr.slice(0, m.index) };
    },
  };
}

const SETUP = `
ip link add dummy0 type dummy 2>/dev/null; ip link set dummy0 up
ip -6 addr add 2001:db8:ffff::1/64 dev dummy0 2>/dev/null
ip -6 route add default dev dummy0 2>/dev/null
echo lab-ready
`;

export async function measureAgentLab(opts: { services?: number; destinations?: number; statsSeconds?: number; log?: (s: string) => void; door?: "netlink" | "ipvsadm"; floor?: boolean } = {}): Promise<AgentLabFigures> {
  const services = opts.services ?? 10_000;
  const destinations = opts.destinations ?? 10;
  const log = opts.log ?? (() => {});
  const channel = new VmExecChannel();
  channel.lostResultMs = 60_000;
  await channel.listen();
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "bench-scale-agent-"));
  const door = opts.door ?? "netlink";
  const helper = door === "netlink" ? buildIpvsHelper(path.join(dir, "lvs-ipvs-nl")) : null;
  const vm: Promise<VmResult> = runInVm({
    script: `${SETUP}\n${channel.vmLoopScript()}`, net: "user", timeoutMs: 1_800_000, memoryMb: 1024,
    ...(helper ? { files: { [VM_HELPER]: { hostPath: helper, mode: 0o755 } } } : {}),
  });
  vm.catch(() => {});
  try {
    const ready = await channel.shell("ipvsadm -Ln >/dev/null && echo ok");
    if (ready.stdout.trim() !== "ok") throw new Error(`lab VM not ready: ${JSON.stringify(ready)}`);
    log("lab VM up");
    const reconcileTimes: VmTimes[] = [];
    const engine = new IpvsEngine({ exec: timedHelper(channel, reconcileTimes), managedFile: path.join(dir, "managed.json"), helper: helper ? VM_HELPER : null, statsStateFile: helper ? "/run/lvs-ipvs-nl.stats" : null, onHelperFallback: (why) => log(`FALLBACK to ipvsadm: ${why}`) });
    const vmSum = (from: number) => channel.vmSeconds.slice(from).reduce((x, y) => x + y, 0);
    const cpuOf = (c: NodeJS.CpuUsage) => (c.user + c.system) / 1e6;

    // in a block: the bench's own tables are garbage before the stats reads (the agent holds no such copies)
    let firstTimes: VmTimes[] = [];
    let floorRules: string | null = null;
    let reconcileWall = 0, reconcileCpu = 0, reconcileVm = 0, reconcileQemu = 0, updateCpu = 0, updateVm = 0, converged = false, reconcileOps = 0, updateOps = 0;
    {
      const table = genTable(services, destinations);
      let t0 = performance.now();
      let c0 = process.cpuUsage();
      let v0 = channel.vmSeconds.length;
      const q0 = await qemuCpuSeconds();
      const first = await engine.apply(table);
      firstTimes = reconcileTimes.slice();
      reconcileWall = (performance.now() - t0) / 1000;
      reconcileCpu = cpuOf(process.cpuUsage(c0));
      reconcileVm = vmSum(v0);
      reconcileQemu = (await qemuCpuSeconds()) - q0;
      log(`reconcile (${engine.door}): ${first.ops.length} ops, ok ${first.ok}; ${reconcileWall.toFixed(2)} s wall through the lab channel = agent CPU ${reconcileCpu.toFixed(2)} s + commands in the VM ${reconcileVm.toFixed(2)} s (${channel.vmSeconds.slice(v0).map((x) => x.toFixed(2)).join(" + ")}: read, batch, read back; QEMU used ${reconcileQemu.toFixed(2)} s of host CPU meanwhile) + transport/waiting ${(reconcileWall - reconcileCpu - reconcileVm).toFixed(2)} s`);

      const next = perturb(table, 0.01);
      t0 = performance.now();
      c0 = process.cpuUsage();
      v0 = channel.vmSeconds.length;
      const second = await engine.apply(next.table);
      const updateWall = (performance.now() - t0) / 1000;
      updateCpu = cpuOf(process.cpuUsage(c0));
      updateVm = vmSum(v0);
      log(`update: ${second.ops.length} ops (expected ${next.expectedOps}), ok ${second.ok}; ${updateWall.toFixed(2)} s wall = agent CPU ${updateCpu.toFixed(2)} s + VM ${updateVm.toFixed(2)} s + transport/waiting ${(updateWall - updateCpu - updateVm).toFixed(2)} s`);
      log(`the helper's runs by busybox time in the VM (real = user + sys + waiting; sys = the kernel's own work): ${reconcileTimes.map((t) => `${t.what} ${t.real.toFixed(2)} s (user ${t.user.toFixed(2)}, sys ${t.sys.toFixed(2)})`).join("; ")}`);
      converged = first.ok && second.ok && equalTables(second.actual ?? (await engine.read()), next.table);
      reconcileOps = first.ops.length;
      if (opts.floor !== false) floorRules = renderRules(table);
      updateOps = second.ops.length;
    }

    // stats: the agent reads once a second; its cost is the CPU one read takes (the first read parses
    // everything, later ones only what changed), plus the helper's own time in the VM (emulated)
    const reads = opts.statsSeconds ?? 6;
    // what the agent does each second with a control plane that lists "stats.fields" (agent/agent.ts
    // sendFieldsUpdate): read into columns, diff against the last frame, the frames' JSON bytes as agent/link.ts sends them
    const fields = new StatsFieldsEncoder();
    const cpuPerRead: number[] = [];
    const vmPerRead: number[] = [];
    const frameBytes: number[] = [];
    let readSeconds = 0;
    for (let i = 0; i < reads; i++) {
      const tick = performance.now();
      const c = process.cpuUsage();
      const v = channel.vmSeconds.length;
      // the helper kept running diffs and encodes itself (session 5); statsColumns when it cannot
      const served = await engine.statsServed(fields.fullPending);
      let bytes = 0;
      for (const f of served ? fields.forward(served) : fields.encode(await engine.statsColumns())) bytes += statsFieldsJson(f, 1).length;
      if (i === 0) log(`stats path: ${served ? "lvs-ipvs-nl serve (kept running in the VM)" : "stats-since columns"}`);
      frameBytes.push(bytes);
      cpuPerRead.push(cpuOf(process.cpuUsage(c)));
      vmPerRead.push(vmSum(v));
      readSeconds += (performance.now() - tick) / 1000;
    }
    await engine.close(); // the kept stats helper in the VM
    const steady = cpuPerRead.slice(1);
    const statsCpu = steady.reduce((x, y) => x + y, 0) / Math.max(1, steady.length);
    const statsPct = statsCpu * 100;
    log(`stats: ${reads} reads; agent CPU per read ${cpuPerRead.map((x) => x.toFixed(3)).join(", ")} s (the first parses all and sends the full update); frames ${frameBytes.map((b) => `${(b / 1e3).toFixed(1)} kB`).join(", ")}; helper in the VM ${vmPerRead.map((x) => x.toFixed(2)).join(", ")} s; ${(readSeconds / reads).toFixed(2)} s wall each through the lab channel`);
    // the floor: the same table restored, saved and listed by ipvsadm itself in a fresh network
    // namespace (its own empty IPVS table, no trash of deleted real servers), by the same VM's clock
    let floor: AgentLabFigures["floor"] = null;
    if (floorRules) {
      const ns = (argv: string[]) => ["/usr/sbin/ip", "netns", "exec", "floor", ...argv];
      const made = await channel.shell(`/usr/sbin/ip netns add floor && /usr/sbin/ip netns exec floor sh -c '
        ip link set lo up && ip link add dummy0 type dummy && ip link set dummy0 up &&
        ip addr add 192.0.2.1/24 dev dummy0 && ip route add default dev dummy0 &&
        ip -6 addr add 2001:db8:ffff::1/64 dev dummy0 && ip -6 route add default dev dummy0' && echo ok`);
      if (made.stdout.trim() !== "ok") throw new Error(`lab: cannot make the floor namespace: ${made.stderr}`);
      const rules = floorRules;
      floorRules = null;
      let v = channel.vmSeconds.length;
      const restored = await channel.run(ns(["ipvsadm", "-R"]), rules);
      const restore = vmSum(v);
      if (restored.code !== 0) throw new Error(`lab floor: ipvsadm -R exit ${restored.code}: ${restored.stderr.slice(0, 500)}`);
      v = channel.vmSeconds.length;
      const saved = await channel.run(ns(["ipvsadm", "-S", "-n"]));
      const save = vmSum(v);
      v = channel.vmSeconds.length;
      const listed = await channel.run(ns(["ipvsadm", "-Ln"]));
      const list = vmSum(v);
      // the floor restored what it was given: its save holds every line (thresholds aside: -S omits -x/-y)
      const want = renderRules(parseRules(rules).table, { thresholds: false });
      const equal = saved.code === 0 && listed.code === 0 && equalTables(parseRules(saved.stdout).table, parseRules(want).table);
      floor = { restore, save, list, equal };
      log(`floor (ipvsadm 1.31 in a fresh netns of the same VM, its clock): ipvsadm -R ${restore.toFixed(2)} s, ipvsadm -S -n ${save.toFixed(2)} s, ipvsadm -Ln ${list.toFixed(2)} s; its table ${equal ? "equals" : "DIFFERS FROM"} the one restored`);
      await channel.shell("/usr/sbin/ip netns del floor");
    }
    const reconcileSeconds = reconcileCpu + reconcileVm;
    const updateSeconds = updateCpu + updateVm;
    const statsSamples = reads;
    return {
      services, destinations, reconcileSeconds, reconcileOps, updateSeconds, updateOps,
      statsPct, statsSamples, statsReadSeconds: readSeconds / reads, converged, reconcileWall, reconcileCpu, reconcileVm, reconcileQemu, reconcileTimes: firstTimes, floor, statsVmSeconds: vmPerRead.slice(1).reduce((x, y) => x + y, 0) / Math.max(1, reads - 1),
    };
  } finally {
    await channel.close();
    await vm.catch(() => {});
    await fs.rm(dir, { recursive: true, force: true });
  }
}
