/**
 * The agent's ipvs engine against the real kernel (QEMU lab, see docs in kernel-lab.md).
 *
 * Choice (documented): the agent runs on the HOST and drives the VM's real ipvsadm through an Exec
 * adapter (lab/vmExecChannel.ts: the VM fetches job scripts from a host port via 10.0.2.2 and
 * uploads results). Everything above Exec is the production code path: control-plane hub (in-memory
 * directory) → WebSocket link → Agent → IpvsEngine → `ipvsadm -S -n`, `-R` batches, `-Ln` listings.
 * Inside the VM: LVS-NAT between namespaces — client 192.168.1.2 → director (root ns, VIP
 * 192.168.1.1) → real servers 10.0.1{1,2,3}.2 running busybox httpd.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import http from "node:http";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { AddressInfo } from "node:net";
import { pino } from "pino";
import { runInVm, type VmResult } from "./vm.ts";
import { VmExecChannel } from "./vmExecChannel.ts";
import { AgentHub, type DesiredState } from "../server/realtime/agentHub.ts";
import { MemoryAgentDirectory } from "../it/memoryAgentDirectory.ts";
import { MemoryEventBus } from "../server/events/MemoryEventBus.ts";
import { runAgent, type RunningAgent } from "../agent/runAgent.ts";
import { IpvsEngine } from "../agent/engines/ipvs/ipvsEngine.ts";
import { memoryLog } from "../agent/log.ts";
import { dest, tcpService } from "../agent/testing/fixtures.ts";
import { parseRules } from "../lvs/formats/ipvsadm/parse.ts";
import { renderRules } from "../lvs/formats/ipvsadm/render.ts";
import { canonicalTable } from "../lvs/canonical.ts";
import type { IpvsTable } from "../lvs/model.ts";
import { NAT_NAMESPACES_SCRIPT } from "./natNamespaces.ts";
import { until } from "../it/helpers.ts";

const LAB = process.env.LVS_LAB_DIR;

const SETUP = `${NAT_NAMESPACES_SCRIPT}# a service nobody declared: the agent must leave it alone
ipvsadm -A -t 192.168.1.1:2222 -s rr
echo lab-ready
`;

const rs = (i: number, weight = 1) => dest(`10.0.1${i}.2`, 80, weight, "nat");
const VIP = "192.168.1.1";
const noHealth = { targets: [], sorryServers: [] };

const revisions: Array<{ table: IpvsTable; expect: RegExp[]; forbid: RegExp }> = [
  { table: { services: [tcpService(VIP, 80, [rs(1), rs(2)])] }, expect: [/^-A -t 192\.168\.1\.1:80 -s rr$/m], forbid: /^-[DdC]/m },
  // scheduler change, weight change, one more real server: edits and one add only
  {
    table: { services: [tcpService(VIP, 80, [rs(1, 3), rs(2), rs(3)], "wrr")] },
    expect: [/^-E -t 192\.168\.1\.1:80 -s wrr$/m, /^-e -t 192\.168\.1\.1:80 -r 10\.0\.11\.2:80 -m -w 3$/m, /^-a -t 192\.168\.1\.1:80 -r 10\.0\.13\.2:80 -m -w 1$/m],
    forbid: /^-[ADdC]/m,
  },
  // persistence on, one real server out: -E and -d
  {
    table: { services: [{ ...tcpService(VIP, 80, [rs(1, 3), rs(3)], "wrr"), persistence: { timeout: 300, netmask: null } }] },
    expect: [/^-E -t 192\.168\.1\.1:80 -s wrr -p 300$/m, /^-d -t 192\.168\.1\.1:80 -r 10\.0\.12\.2:80$/m],
    forbid: /^-[ADaC]/m,
  },
  // persistence off again, a second service
  {
    table: { services: [tcpService(VIP, 80, [rs(1, 3), rs(3)], "wrr"), tcpService(VIP, 8080, [rs(2)], "rr")] },
    expect: [/^-E -t 192\.168\.1\.1:80 -s wrr$/m, /^-A -t 192\.168\.1\.1:8080 -s rr$/m],
    forbid: /^-[DdC]/m,
  },
];

describe.skipIf(!LAB)("agent ipvs engine on the real kernel (lab)", () => {
  const channel = new VmExecChannel();
  let vm: Promise<VmResult>;
  let server: http.Server;
  let hub: AgentHub;
  let agent: RunningAgent;
  let stateDir: string;
  const directory = new MemoryAgentDirectory();
  const desired = new Map<string, DesiredState>();
  const bus = new MemoryEventBus(pino({ level: "silent" }));
  const log = memoryLog();

  beforeAll(async () => {
    await channel.listen();
    vm = runInVm({ script: `${SETUP}\n${channel.vmLoopScript()}`, net: "user", timeoutMs: 300_000, memoryMb: 512 });
    vm.catch(() => {});
    const ready = await channel.shell("ipvsadm -Ln >/dev/null && echo ok");
    expect(ready.stdout.trim()).toBe("ok");

    stateDir = await fs.mkdtemp(path.join(os.tmpdir(), "lab-agent-"));
    hub = new AgentHub({ directory, bus, desiredFor: async (id) => desired.get(id) ?? null, log: { info: () => {}, warn: (o, m) => log.warn(`hub ${m} ${JSON.stringify(o)}`) }, heartbeatMs: 2000 });
    directory.watch(hub);
    server = http.createServer();
    server.on("upgrade", (req, socket, head) => hub.handleUpgrade(req, socket, head));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  }, 120_000);

  afterAll(async () => {
    await agent?.stop();
    await hub?.close();
    server?.closeAllConnections();
    await new Promise((r) => server?.close(r));
    await channel.close();
    await vm?.catch(() => {});
    if (stateDir) await fs.rm(stateDir, { recursive: true, force: true });
  }, 60_000);

  it("converges the kernel table through revisions with edits where edits suffice, and reports kernel stats after LVS-NAT traffic", async () => {
    const token = directory.add("d1", "lab-director");
    const engine = new IpvsEngine({ exec: channel, managedFile: path.join(stateDir, "ipvs-managed.json") });
    const bootRules = path.join(stateDir, "ipvsadm.rules");
    desired.set("d1", { revision: 1, table: revisions[0]!.table, health: noHealth });
    agent = await runAgent({
      server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, token, engine, stateDir, log,
      bootRules: { path: bootRules, render: (t) => renderRules(t) }, checkers: {},
    });

    for (let i = 0; i < revisions.length; i++) {
      const rev = i + 1;
      const r = revisions[i]!;
      const batchesBefore = channel.log.filter((l) => l.startsWith("ipvsadm -R")).length;
      if (rev > 1) {
        desired.set("d1", { revision: rev, table: r.table, health: noHealth });
        await bus.publish("topology.saved", { topologyId: "t1", revision: rev, author: null, at: Date.now() });
      }
      await until(() => directory.rows.get("d1")!.appliedRevision === rev, 30_000, `revision ${rev} acknowledged`).catch((e: Error) => {
        throw new Error(`${e.message}\nagent log:\n${log.lines.join("\n")}\nvm commands:\n${channel.log.slice(-20).join("\n")}`);
      });
      const batches = channel.log.filter((l) => l.startsWith("ipvsadm -R")).slice(batchesBefore).join("\n");
      for (const re of r.expect) expect(batches, `revision ${rev}`).toMatch(re);
      expect(batches, `revision ${rev} must only edit`).not.toMatch(r.forbid);

      // the kernel says so too
      const saved = parseRules((await channel.run(["ipvsadm", "-S", "-n"])).stdout).table;
      const managed = { services: saved.services.filter((s) => !(s.protocol === "tcp" && s.port === 2222)) };
      expect(canonicalTable(managed), `kernel table at revision ${rev}`).toEqual(canonicalTable(r.table));
      expect(saved.services.some((s) => s.protocol === "tcp" && s.port === 2222), "unmanaged service kept").toBe(true);
    }
    expect(channel.log.join("\n")).not.toMatch(/ipvsadm -C/);

    // fail-static: state dir and the boot rules file hold the last table
    const state = JSON.parse(await fs.readFile(path.join(stateDir, "state.json"), "utf8"));
    expect(state.revision).toBe(revisions.length);
    expect(canonicalTable(parseRules(await fs.readFile(bootRules, "utf8")).table)).toEqual(canonicalTable(revisions.at(-1)!.table));

    // real traffic through LVS-NAT, from the client namespace
    const traffic = await channel.shell(`
i=0; while [ $i -lt 8 ]; do printf 'GET / HTTP/1.0\\r\\n\\r\\n' | /usr/sbin/ip netns exec client nc -w 20 ${VIP} 80 | tail -n 1; i=$((i+1)); done
printf 'GET / HTTP/1.0\\r\\n\\r\\n' | /usr/sbin/ip netns exec client nc -w 20 ${VIP} 8080 | tail -n 1
`);
    const answers = traffic.stdout.trim().split("\n");
    expect(answers.slice(0, 8).every((a) => a === "rs1" || a === "rs3"), JSON.stringify(traffic)).toBe(true);
    expect(new Set(answers.slice(0, 8))).toEqual(new Set(["rs1", "rs3"]));
    expect(answers[8]).toBe("rs2");

    // the kernel's estimator sums counters about every 2 s; the agent reports every second
    await until(() => {
      const s = directory.latestStats("d1");
      const svc = s?.services.find((x) => x.key.protocol === "tcp" && x.key.port === 80);
      return (svc?.counters.conns ?? 0) >= 8 && (svc?.counters.inPkts ?? 0) > 0 && (svc?.counters.outBytes ?? 0) > 0;
    }, 20_000, "kernel stats for 8 connections at the control plane");
    const s = directory.latestStats("d1")!;
    const svc = s.services.find((x) => x.key.protocol === "tcp" && x.key.port === 80)!;
    const perRs = Object.fromEntries(svc.destinations.map((d) => [d.address, d.counters.conns]));
    expect(perRs["10.0.11.2"]! + perRs["10.0.13.2"]!).toBe(svc.counters.conns);
    expect(perRs["10.0.11.2"]).toBeGreaterThan(perRs["10.0.13.2"]!); // wrr 3:1
    const conns = await engine.connections({ offset: 0, limit: 50, virtual: `${VIP}:80` });
    expect(conns.total).toBeGreaterThanOrEqual(8);
  }, 240_000);
});
