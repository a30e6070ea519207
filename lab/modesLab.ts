/**
 * `npm run lab:modes` and lab/modes.test.ts: LVS-DR, LVS-TUN and LVS-NAT with real packets in one
 * VM boot (network: lab/modesNamespaces.ts), the director programmed by the director agent (control
 * plane hub → WebSocket link → Agent → IpvsEngine → the VM's ipvsadm, as lab/agentIpvs.test.ts) and
 * each real server prepared by the real-server role (RealServerPreparer → IpRealServerSystem → the
 * VM's iproute2 and /proc/sys inside that real server's namespace). Both agents run on the host and
 * reach the VM through lab/vmExecChannel.ts; everything above that Exec is production code.
 *
 * Steps: (1) the director agent applies the topology's table; the real servers are NOT prepared:
 * the role only verifies (checks say why) and DR/TUN requests must fail; the NAT real server whose
 * default route bypasses the director is detected by its check. (2) the role prepares rsdr, rstun,
 * rsnat; N requests per mode from the client namespace; ipvsadm --stats: DR/TUN OutPkts stay 0
 * while InPkts grow. (3) idempotence (a second apply changes nothing) and undo on the real kernel
 * (every address and sysctl back to what it was; DR fails again), then fail-static: a new role
 * process restores the saved settings from its state file and DR answers again. (4) the exported
 * prepare script (for hosts without an agent) run by sh in the DR namespace does the same, and undoes it.
 */
import http from "node:http";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { AddressInfo } from "node:net";
import { pino } from "pino";
import { runInVm, type VmResult } from "./vm.ts";
import { VmExecChannel } from "./vmExecChannel.ts";
import { MODES_NAMESPACES_SCRIPT } from "./modesNamespaces.ts";
import { AgentHub, type DesiredState } from "../server/realtime/agentHub.ts";
import { MemoryAgentDirectory } from "../it/memoryAgentDirectory.ts";
import { MemoryEventBus } from "../server/events/MemoryEventBus.ts";
import { runAgent } from "../agent/runAgent.ts";
import { IpvsEngine } from "../agent/engines/ipvs/ipvsEngine.ts";
import type { Exec } from "../agent/engines/ipvs/exec.ts";
import { memoryLog } from "../agent/log.ts";
import { RealServerPreparer, type PrepareReport } from "../agent/realserver/realServerPreparer.ts";
import { IpRealServerSystem } from "../agent/realserver/ipRealServerSystem.ts";
import { FileRealServerStateStore } from "../agent/realserver/realServerState.ts";
import { compileDirector } from "../lvs/compile.ts";
import { emptyTopology, newDirector, newMembership, newRealServer, newVirtualService } from "../lvs/defaults.ts";
import type { Topology } from "../lvs/model.ts";
import { realServerHostSettings } from "../lvs/realServer/hostSettings.ts";
import { directorPrerequisites } from "../lvs/realServer/directorPrerequisites.ts";
import { checkHost, type HostCheck } from "../lvs/realServer/hostChecks.ts";
import { prepareScript } from "../lvs/realServer/prepareScript.ts";

export const RS = { dr: "10.0.0.2", tun: "10.0.9.2", nat: "10.0.1.2", bad: "10.0.2.2" } as const;
export const VIPS = { dr: "10.0.0.100", tun: "10.0.0.101", nat: "10.0.0.102", bad: "10.0.0.103" } as const;
const NS = { dr: "rsdr", tun: "rstun", nat: "rsnat", bad: "rsbad" } as const;
type Mode = keyof typeof RS;

/** The topology the lab runs: one service per mode on director d1 (ipvs engine). */
export function modesLabTopology(): Topology {
  const t = emptyTopology("lab-modes");
  t.directors.push(newDirector("d1", "director", {
    engine: "ipvs",
    interfaces: [{ name: "br0", address: "10.0.0.1", prefix: 24 }, { name: "vn1", address: "10.0.1.1", prefix: 24 }, { name: "vn2", address: "10.0.2.1", prefix: 24 }],
  }));
  for (const m of ["dr", "tun", "nat", "bad"] as const) {
    t.services.push(newVirtualService(`v-${m}`, { protocol: "tcp", address: VIPS[m], port: 80 }, { directorIds: ["d1"], scheduler: "rr" }));
    t.realServers.push(newRealServer(`r-${m}`, RS[m], { name: NS[m] }));
    t.memberships.push(newMembership(`m-${m}`, `v-${m}`, `r-${m}`, {
      method: m === "bad" ? "nat" : m, ...(m === "tun" ? { tunnel: { type: "ipip", port: null, checksum: null } } : {}),
    }));
  }
  return t;
}

/** An Exec that runs every command inside one network namespace of the VM. */
export function inNamespace(channel: Exec, ns: string): Exec {
  return { run: (argv, stdin) => channel.run(["/usr/sbin/ip", "netns", "exec", ns, ...argv], stdin) };
}

export interface ModeCount { ok: number; total: number; answers: string[] }
export interface ModesLabResult {
  dr: ModeCount & { outPkts: number; inPkts: number };
  tun: ModeCount & { outPkts: number; inPkts: number };
  nat: ModeCount;
  unprepared: { dr: ModeCount; tun: ModeCount; drChecks: HostCheck[]; tunChecks: HostCheck[] };
  badGateway: { checks: HostCheck[] };
  director: { checks: HostCheck[] };
  prepared: Record<"dr" | "tun" | "nat", PrepareReport>;
  /** second apply of the same settings: changes made (must be none) */
  idempotentChanges: string[];
  /** undo on the real kernel: the changes, the checks after it, and DR traffic after it */
  undo: { changes: string[]; drChecks: HostCheck[]; tunChecks: HostCheck[]; dr: ModeCount; drAddressesAfter: string[]; tunSysctlAfter: string | null };
  /** a new role process restoring from its state file after the settings were wiped */
  failStatic: { restored: PrepareReport | null; dr: ModeCount };
  /** the exported prepare script run by sh in the DR namespace, then with `undo` */
  script: { code: number; stderr: string; checks: HostCheck[]; dr: ModeCount; undoChecks: HostCheck[] };
  vmMs: number;
}

export function modesLine(r: ModesLabResult): string {
  const yes = (b: boolean) => (b ? "yes" : "no");
  const unpreparedDetected = r.unprepared.dr.ok === 0 && r.unprepared.drChecks.some((c) => !c.ok);
  const badDetected = r.badGateway.checks.some((c) => c.id.startsWith("route") && !c.ok);
  return `modes: dr ${r.dr.ok}/${r.dr.total} ok (director OutPkts ${r.dr.outPkts}), tun ${r.tun.ok}/${r.tun.total} ok (director OutPkts ${r.tun.outPkts}), nat ${r.nat.ok}/${r.nat.total} ok; unprepared dr detected: ${yes(unpreparedDetected)}; nat bad gateway detected: ${yes(badDetected)}`;
}

async function until(cond: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function runModesLab(o: { requests?: number; log?: (line: string) => void } = {}): Promise<ModesLabResult> {
  const N = o.requests ?? 6;
  const say = o.log ?? (() => {});
  const channel = new VmExecChannel();
  await channel.listen();
  const started = Date.now();
  const vm: Promise<VmResult> = runInVm({ script: `${MODES_NAMESPACES_SCRIPT}\n${channel.vmLoopScript()}`, net: "user", timeoutMs: 1_700_000, memoryMb: 512 });
  vm.catch(() => {});
  const stateDir = await fs.mkdtemp(path.join(os.tmpdir(), "lab-modes-"));
  const directory = new MemoryAgentDirectory();
  const bus = new MemoryEventBus(pino({ level: "silent" }));
  const topology = modesLabTopology();
  const desired = new Map<string, DesiredState>([["d1", { revision: 1, table: compileDirector(topology, "d1"), health: { targets: [], sorryServers: [] } }]]);
  const agentLog = memoryLog();
  const hub = new AgentHub({ directory, bus, desiredFor: async (id) => desired.get(id) ?? null, log: { info: () => {}, warn: () => {} }, heartbeatMs: 2000 });
  const server = http.createServer();
  server.on("upgrade", (req, socket, head) => hub.handleUpgrade(req, socket, head));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  let agent: Awaited<ReturnType<typeof runAgent>> | null = null;
  try {
    // a VM that dies (or never boots) must fail the run, not leave it waiting for the channel
    const ready = await Promise.race([
      channel.shell("ipvsadm -Ln >/dev/null && echo ok"),
      vm.then((r) => { throw new Error(`lab VM ended before it was ready (exit ${r.exitCode}): ${r.output.slice(-2000)}`); }),
    ]);
    if (ready.stdout.trim() !== "ok") throw new Error(`lab VM not ready: ${JSON.stringify(ready)}`);
    say(`vm ready after ${Date.now() - started} ms`);

    // the director agent, ipvs engine, programs the table
    const token = directory.add("d1", "director");
    agent = await runAgent({
      server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, token, log: agentLog, stateDir: path.join(stateDir, "director"),
      engine: new IpvsEngine({ exec: channel, managedFile: path.join(stateDir, "ipvs-managed.json") }), checkers: {}, resyncIntervalMs: 0,
    });
    await until(() => directory.rows.get("d1")!.appliedRevision === 1, 240_000, "the director agent to apply revision 1").catch((e: Error) => {
      throw new Error(`${e.message}\n${agentLog.lines.join("\n")}\nvm commands:\n${channel.log.slice(-10).join("\n")}`);
    });
    const director = new IpRealServerSystem({ exec: channel, ip: "/usr/sbin/ip" });
    const pre = directorPrerequisites(topology, "d1");
    const directorChecks = checkHost(pre, await director.observe(pre.flatMap((e) => (e.setting.kind === "sysctl" ? [e.setting.key] : []))));
    say(`director applied; prerequisites ${directorChecks.filter((c) => c.ok).length}/${directorChecks.length} ok`);

    const role = (m: Mode, dir = `rs-${m}`) => new RealServerPreparer({
      system: new IpRealServerSystem({ exec: inNamespace(channel, NS[m]), ip: "/usr/sbin/ip" }),
      store: new FileRealServerStateStore(path.join(stateDir, dir)), log: agentLog, clock: Date,
    });
    const hostDesired = (m: Mode) => realServerHostSettings(topology, [RS[m]]);
    const requests = async (m: Mode, n: number, wait = 3): Promise<ModeCount> => {
      const r = await channel.shell(`i=0; while [ $i -lt ${n} ]; do a=$(printf 'GET / HTTP/1.0\\r\\n\\r\\n' | /usr/sbin/ip netns exec client nc -w ${wait} ${VIPS[m]} 80 2>/dev/null | tail -n 1); echo "ANS:$a"; i=$((i+1)); done`);
      const answers = r.stdout.split("\n").filter((l) => l.startsWith("ANS:")).map((l) => l.slice(4).trim());
      say(`${m}: ${JSON.stringify(answers)}`);
      return { ok: answers.filter((a) => a === NS[m]).length, total: n, answers };
    };

    // (1) unprepared: verify only
    const roles = { dr: role("dr"), tun: role("tun"), nat: role("nat"), bad: role("bad") };
    const unDr = await roles.dr.verify(hostDesired("dr"));
    const unTun = await roles.tun.verify(hostDesired("tun"));
    const bad = await roles.bad.verify(hostDesired("bad"));
    const uDr = await requests("dr", 2, 2);
    const uTun = await requests("tun", 2, 2);
    say(`unprepared: dr ${uDr.ok}/2, tun ${uTun.ok}/2`);

    // (2) prepare and send real requests; counters are summed by the kernel's estimator every ~2 s
    await new Promise((r) => setTimeout(r, 3500));
    const zero = await statsOf(channel);
    const prepared = { dr: await roles.dr.apply(hostDesired("dr"), 1), tun: await roles.tun.apply(hostDesired("tun"), 1), nat: await roles.nat.apply(hostDesired("nat"), 1) };
    for (const [m, r] of Object.entries(prepared)) say(`prepared ${m}: ${r.changes.join("; ") || "no change"}${r.errors.length ? ` ERRORS ${r.errors.join("; ")}` : ""}`);
    const dr = await requests("dr", N);
    const tun = await requests("tun", N);
    const nat = await requests("nat", N);
    await new Promise((r) => setTimeout(r, 3500)); // the kernel's estimator sums counters every ~2 s
    const after = await statsOf(channel);
    const delta = (vip: string) => ({ inPkts: (after.get(vip)?.inPkts ?? 0) - (zero.get(vip)?.inPkts ?? 0), outPkts: (after.get(vip)?.outPkts ?? 0) - (zero.get(vip)?.outPkts ?? 0) });

    // (3) idempotence, undo, fail-static
    const again = [await roles.dr.apply(hostDesired("dr"), 2), await roles.tun.apply(hostDesired("tun"), 2)];
    const undoDr = await roles.dr.undo();
    const undoTun = await roles.tun.undo();
    const drAfter = await roles.dr.verify(hostDesired("dr"));
    const tunAfter = await roles.tun.verify(hostDesired("tun"));
    const drAddr = (await inNamespace(channel, NS.dr).run(["/usr/sbin/ip", "-o", "addr", "show", "dev", "lo"])).stdout;
    const tunRp = (await inNamespace(channel, NS.tun).run(["cat", "/proc/sys/net/ipv4/conf/tunl0/rp_filter"])).stdout.trim();
    const undoneDr = await requests("dr", 2, 2);
    // fail-static: prepare again, wipe the host's settings behind the role's back (a reboot), restore
    await roles.dr.apply(hostDesired("dr"), 3);
    await inNamespace(channel, NS.dr).run(["sh", "-c", `/usr/sbin/ip addr del ${VIPS.dr}/32 dev lo; echo 0 > /proc/sys/net/ipv4/conf/all/arp_ignore; echo 0 > /proc/sys/net/ipv4/conf/all/arp_announce`]);
    const fsRole = role("dr");
    const restored = await fsRole.start();
    const fsDr = await requests("dr", 2);
    // (4) a host without an agent: the exported script does the same (the role undoes its own first)
    await fsRole.undo();
    const script = prepareScript(hostDesired("dr"), "rsdr");
    const runScript = (arg: string) => inNamespace(channel, NS.dr).run(["sh", "-c", `ip() { /usr/sbin/ip "$@"; }\n${script.replace(/^#!.*\n/, "")}`, "prepare.sh", ...(arg ? [arg] : [])]);
    const scriptRun = await runScript("");
    const scriptChecks = (await roles.dr.verify(hostDesired("dr"))).checks;
    const scriptDr = await requests("dr", 2);
    await runScript("undo");
    const scriptUndoChecks = (await roles.dr.verify(hostDesired("dr"))).checks;

    return {
      dr: { ...dr, ...delta(VIPS.dr) }, tun: { ...tun, ...delta(VIPS.tun) }, nat,
      unprepared: { dr: uDr, tun: uTun, drChecks: unDr.checks, tunChecks: unTun.checks },
      badGateway: { checks: bad.checks },
      director: { checks: directorChecks },
      prepared,
      idempotentChanges: again.flatMap((r) => r.changes),
      undo: {
        changes: [...undoDr.changes, ...undoTun.changes], drChecks: drAfter.checks, tunChecks: tunAfter.checks, dr: undoneDr,
        drAddressesAfter: [...drAddr.matchAll(/inet6? (\S+)/g)].map((m) => m[1]!), tunSysctlAfter: tunRp || null,
      },
      failStatic: { restored, dr: fsDr },
      script: { code: scriptRun.code, stderr: scriptRun.stderr, checks: scriptChecks, dr: scriptDr, undoChecks: scriptUndoChecks },
      vmMs: Date.now() - started,
    };
  } finally {
    await agent?.stop().catch(() => {});
    await hub.close();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    await channel.close();
    await vm.catch(() => {});
    await fs.rm(stateDir, { recursive: true, force: true });
  }
}

/** InPkts/OutPkts per VIP from `ipvsadm -Ln --stats --exact` (the director's own counters). */
async function statsOf(channel: VmExecChannel): Promise<Map<string, { inPkts: number; outPkts: number }>> {
  const out = (await channel.run(["ipvsadm", "-Ln", "--stats", "--exact"])).stdout;
  const m = new Map<string, { inPkts: number; outPkts: number }>();
  for (const line of out.split("\n")) {
    const f = /^TCP\s+(\S+):\d+\s+(\d+)\s+(\d+)\s+(\d+)/.exec(line);
    if (f) m.set(f[1]!, { inPkts: Number(f[3]), outPkts: Number(f[4]) });
  }
  return m;
}
