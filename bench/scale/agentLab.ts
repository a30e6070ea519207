/**
 * The agent's ipvs engine against the real kernel in the QEMU lab, at 10 000 services: the
 * production IpvsEngine drives the VM's ipvsadm through the lab's Exec channel (lab/vmExecChannel.ts),
 * as lab/agentIpvs.test.ts does.
 *  - reconcile: engine.apply(table) from an empty kernel table: read (-S -n, --thresholds), plan,
 *    one -R batch of every service and real server, read back, verify;
 *  - update: engine.apply(1 % of the lines changed): read, plan, a batch of that 1 %, read back;
 *  - stats: engine.stats() (-Ln, --stats --exact, --rate --exact; parse; merge) plus the JSON frame
 *    the agent sends, once a second; the agent process's CPU time over the wall time.
 * Time and CPU are the host process's (the agent); ipvsadm's own time in the VM is inside the wall
 * figures but not in the CPU share.
 */
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { runInVm, type VmResult } from "../../lab/vm.ts";
import { VmExecChannel } from "../../lab/vmExecChannel.ts";
import { IpvsEngine } from "../../agent/engines/ipvs/ipvsEngine.ts";
import { genTable, perturb } from "../../lvs/testing/bigTable.ts";
import { equalTables } from "../../lvs/canonical.ts";

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
}

const SETUP = `
ip link add dummy0 type dummy 2>/dev/null; ip link set dummy0 up
ip -6 addr add 2001:db8:ffff::1/64 dev dummy0 2>/dev/null
ip -6 route add default dev dummy0 2>/dev/null
echo lab-ready
`;

export async function measureAgentLab(opts: { services?: number; destinations?: number; statsSeconds?: number; log?: (s: string) => void } = {}): Promise<AgentLabFigures> {
  const services = opts.services ?? 10_000;
  const destinations = opts.destinations ?? 10;
  const log = opts.log ?? (() => {});
  const channel = new VmExecChannel();
  channel.lostResultMs = 60_000;
  await channel.listen();
  const vm: Promise<VmResult> = runInVm({ script: `${SETUP}\n${channel.vmLoopScript()}`, net: "user", timeoutMs: 1_800_000, memoryMb: 1024 });
  vm.catch(() => {});
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "bench-scale-agent-"));
  try {
    const ready = await channel.shell("ipvsadm -Ln >/dev/null && echo ok");
    if (ready.stdout.trim() !== "ok") throw new Error(`lab VM not ready: ${JSON.stringify(ready)}`);
    log("lab VM up");
    const engine = new IpvsEngine({ exec: channel, managedFile: path.join(dir, "managed.json") });
    const table = genTable(services, destinations);

    let t0 = performance.now();
    const first = await engine.apply(table);
    const reconcileSeconds = (performance.now() - t0) / 1000;
    log(`reconcile: ${first.ops.length} ops, ok ${first.ok}, ${reconcileSeconds.toFixed(2)} s`);

    const next = perturb(table, 0.01);
    t0 = performance.now();
    const second = await engine.apply(next.table);
    const updateSeconds = (performance.now() - t0) / 1000;
    log(`update: ${second.ops.length} ops (expected ${next.expectedOps}), ok ${second.ok}, ${updateSeconds.toFixed(2)} s`);
    const converged = first.ok && second.ok && equalTables(second.actual ?? (await engine.read()), next.table);

    // stats once a second, as the agent's timer does; CPU of this process over wall time
    const seconds = opts.statsSeconds ?? 20;
    const cpu0 = process.cpuUsage();
    const w0 = performance.now();
    let samples = 0;
    let readSeconds = 0;
    for (let i = 0; i < seconds; i++) {
      const tick = performance.now();
      const snapshot = await engine.stats();
      JSON.stringify({ v: 1, type: "stats", snapshot });
      readSeconds += (performance.now() - tick) / 1000;
      samples++;
      const wait = 1000 - (performance.now() - tick);
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
    const cpu = process.cpuUsage(cpu0);
    const wall = (performance.now() - w0) / 1000;
    const statsPct = ((cpu.user + cpu.system) / 1e6 / wall) * 100;
    log(`stats: ${samples} reads in ${wall.toFixed(1)} s, ${statsPct.toFixed(1)}% of a core, ${(readSeconds / samples).toFixed(2)} s per read (wall)`);
    return {
      services, destinations, reconcileSeconds, reconcileOps: first.ops.length, updateSeconds, updateOps: second.ops.length,
      statsPct, statsSamples: samples, statsReadSeconds: readSeconds / samples, converged,
    };
  } finally {
    await channel.close();
    await vm.catch(() => {});
    await fs.rm(dir, { recursive: true, force: true });
  }
}
