import { describe, expect, it } from "vitest";
import { HaSupervisor, KEEPALIVED_MISSING } from "./haSupervisor.ts";
import { FakeKeepalivedHost } from "./keepalivedHost.ts";
import type { Exec } from "../engines/ipvs/exec.ts";
import type { DesiredHa, HaTransition } from "../../lvs/protocol/ha.ts";
import { memoryLog } from "../log.ts";

/** ipvsadm's sync daemon commands, as the kernel keeps them (one master + one backup per namespace). */
function fakeIpvsadm() {
  const daemons = new Map<string, string>();
  const calls: string[] = [];
  let conns = 0;
  const exec: Exec = {
    async run(argv) {
      calls.push(argv.join(" "));
      const a = argv.slice(1);
      if (a[0] === "-L" && a[1] === "--daemon") return { code: 0, stdout: [...daemons.values()].map((l) => `${l}\n`).join(""), stderr: "" };
      if (a[0] === "--start-daemon") {
        const role = a[1]!;
        if (daemons.has(role)) return { code: 2, stdout: "", stderr: "Memory allocation problem" };
        daemons.set(role, `${role} sync daemon (mcast=${a[3]}, syncid=${a[5]}, maxlen=1472, group=224.0.0.81, port=8848, ttl=1)`);
        return { code: 0, stdout: "", stderr: "" };
      }
      if (a[0] === "--stop-daemon") { daemons.delete(a[1]!); return { code: 0, stdout: "", stderr: "" }; }
      if (a[0] === "-Lnc") {
        return { code: 0, stdout: `IPVS connection entries\npro expire state       source             virtual            destination\n${"TCP 14:58  ESTABLISHED 10.0.0.10:51818    10.0.0.100:7000    10.0.0.12:7000\n".repeat(conns)}`, stderr: "" };
      }
      return { code: 1, stdout: "", stderr: `unexpected ${argv.join(" ")}` };
    },
  };
  return { exec, daemons, calls, setConns: (n: number) => (conns = n) };
}

const ha = (over: Partial<DesiredHa> = {}, prio = 200): DesiredHa => ({
  instances: [{
    name: "VI_g1", groupId: "g1", interface: "eth0", virtualRouterId: 51, priority: prio, nopreempt: false, advertIntMs: 200, version: 3,
    unicastSource: "10.0.0.1", unicastPeers: ["10.0.0.2"], authPass: null, vips: [{ address: "10.0.0.100", prefix: 24 }],
  }],
  sync: { interface: "eth0", syncId: 51 }, maintenance: false, ...over,
});

function setup(o: { kernelSync?: boolean; awaitingAddress?: () => string[] } = {}) {
  const host = new FakeKeepalivedHost();
  const ipvsadm = fakeIpvsadm();
  let now = 1_000;
  const sup = new HaSupervisor({ host, exec: ipvsadm.exec, log: memoryLog(), now: () => now, routerId: "lvs1", kernelSync: o.kernelSync ?? true, ...(o.awaitingAddress ? { awaitingAddress: o.awaitingAddress } : {}) });
  const transitions: HaTransition[] = [];
  sup.onTransition = (t) => transitions.push(t);
  return { host, ipvsadm, sup, transitions, tick: (ms: number) => (now += ms) };
}

describe("HaSupervisor", () => {
  it("reports the userspace engine's listeners still waiting for the VIP (a BACKUP) with its status", async () => {
    let waiting = ["tcp 10.0.0.100:80"];
    const { host, sup } = setup({ kernelSync: false, awaitingAddress: () => waiting });
    expect((await sup.apply(ha({ sync: null }))).awaitingAddress).toEqual(["tcp 10.0.0.100:80"]);
    waiting = [];
    host.emit("INSTANCE VI_g1 MASTER 200");
    expect(sup.status().awaitingAddress).toEqual([]);
    expect(setup().sup.status().awaitingAddress).toBeUndefined();
  });

  it("starts keepalived VRRP-only with the rendered config and both sync daemons", async () => {
    const { host, ipvsadm, sup } = setup();
    const st = await sup.apply(ha());
    expect(host.calls).toEqual(["write", "start"]);
    expect(host.config).toMatch(/vrrp_instance VI_g1/);
    expect(host.config).not.toMatch(/^\s*virtual_server/m);
    expect(host.script).toContain(host.notifyLog);
    expect([...ipvsadm.daemons.keys()].sort()).toEqual(["backup", "master"]);
    expect(ipvsadm.daemons.get("master")).toMatch(/mcast=eth0, syncid=51,/);
    expect(st.keepalived).toEqual({ running: true, version: "2.2.7", error: null });
    expect(st.sync.daemons).toHaveLength(2);
  });

  it("an unchanged config is not reloaded (no needless transition); a changed one is reloaded with SIGHUP, never restarted", async () => {
    const { host, sup } = setup();
    await sup.apply(ha());
    await sup.apply(ha());
    expect(host.calls).toEqual(["write", "start"]);
    await sup.apply(ha({}, 150));
    expect(host.calls).toEqual(["write", "start", "write", "reload"]);
    expect(host.config).toMatch(/priority 150/);
  });

  it("learns state changes from notify lines at once, with the time each began, and reports transitions", async () => {
    const { host, sup, transitions, tick } = setup();
    await sup.apply(ha());
    host.emit("1000 INSTANCE VI_g1 BACKUP 200");
    tick(4200);
    host.emit("1004 INSTANCE VI_g1 MASTER 200");
    expect(sup.status().instances).toEqual([{ name: "VI_g1", groupId: "g1", state: "MASTER", since: 5200, priority: 200 }]);
    expect(transitions.map((t) => `${t.from}->${t.to}@${t.at}`)).toEqual(["UNKNOWN->BACKUP@1000", "BACKUP->MASTER@5200"]);
    expect(transitions.every((t) => !t.planned)).toBe(true);
  });

  it("a restarted agent learns the current states from the lines keepalived already wrote (replay, no transitions)", async () => {
    const { host, sup, transitions } = setup();
    host.emit("1700000000 INSTANCE VI_g1 MASTER 200");
    await sup.apply(ha());
    expect(sup.status().instances[0]).toMatchObject({ state: "MASTER", since: 1_700_000_000_000 });
    expect(transitions).toEqual([]);
  });

  it("planned switchover stops keepalived (MASTERs resign with priority 0) and keeps the sync daemons; lifting it starts keepalived again", async () => {
    const { host, ipvsadm, sup, transitions } = setup();
    await sup.apply(ha());
    host.emit("INSTANCE VI_g1 MASTER 200");
    const calls = host.calls.length;
    host.runningChecks = 0;
    const st = await sup.apply(ha({ maintenance: true }));
    // the hand-over's path is one command: no liveness check before the stop
    expect(host.calls.slice(calls)).toEqual(["stop"]);
    expect(host.runningChecks).toBe(0);
    expect(st.maintenance).toBe(true);
    expect(ipvsadm.daemons.size).toBe(2);
    host.emit("INSTANCE VI_g1 STOP 200");
    expect(transitions.at(-1)).toMatchObject({ from: "MASTER", to: "STOP", planned: true });
    await sup.apply(ha());
    expect(host.calls.slice(-2)).toEqual(["write", "start"]);
  });

  it("a missing keepalived is a director error naming the package; VRRP changes nothing else", async () => {
    const { host, sup } = setup();
    host.installed = null;
    const st = await sup.apply(ha());
    expect(st.keepalived.error).toBe(KEEPALIVED_MISSING);
    expect(st.keepalived.error).toMatch(/apt-get install keepalived/);
    expect(host.calls).toEqual([]);
  });

  it("sync off stops the daemons; a changed syncid restarts them; the userspace engine says sync is unavailable", async () => {
    const { ipvsadm, sup } = setup();
    await sup.apply(ha());
    await sup.apply(ha({ sync: { interface: "eth0", syncId: 9 } }));
    expect(ipvsadm.daemons.get("backup")).toMatch(/syncid=9,/);
    await sup.apply(ha({ sync: null }));
    expect(ipvsadm.daemons.size).toBe(0);
    const u = setup({ kernelSync: false });
    const st = await u.sup.apply(ha());
    expect(st.sync.error).toMatch(/not available on the userspace engine/);
    expect(u.ipvsadm.calls).toEqual([]);
  });

  it("refresh reports mirrored connections and notices keepalived died", async () => {
    const { host, ipvsadm, sup } = setup();
    await sup.apply(ha());
    ipvsadm.setConns(6);
    host.isRunning = false;
    const st = await sup.refresh();
    expect(st.sync.connections).toBe(6);
    expect(st.keepalived.running).toBe(false);
    expect(st.keepalived.error).toMatch(/not running/);
  });

  it("no HA group any more: stops keepalived and the daemons it started", async () => {
    const { host, ipvsadm, sup } = setup();
    await sup.apply(ha());
    await sup.apply(null);
    expect(host.isRunning).toBe(false);
    expect(ipvsadm.daemons.size).toBe(0);
    expect(sup.status().instances).toEqual([]);
  });
});
