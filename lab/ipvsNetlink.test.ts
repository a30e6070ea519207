/**
 * The lvs-ipvs-nl helper (agent/engines/ipvs/native/lvs-ipvs-nl.c) against the real kernel: what it
 * writes, ipvsadm reads back the same (and the other way round), for every shape the model has
 * (IPv6, fwmark v4/v6, sctp, TUN with gue/gre and checksum flags, persistence with netmasks, -o, -b
 * flags, thresholds); kernel errors come back on the op that failed; stats cover every real server.
 * One boot; the helper is built on the host and copied into the VM.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { runInVm, type VmResult } from "./vm.ts";
import { VmExecChannel } from "./vmExecChannel.ts";
import { IpvsEngine } from "../agent/engines/ipvs/ipvsEngine.ts";
import { buildIpvsHelper } from "../agent/engines/ipvs/native/buildHelper.ts";
import { dest, tcpService } from "../agent/testing/fixtures.ts";
import { equalTables } from "../lvs/canonical.ts";
import { genTable } from "../lvs/testing/bigTable.ts";
import { serviceKeyString } from "../lvs/tableKey.ts";
import type { IpvsService, IpvsTable, StatsSnapshot } from "../lvs/model.ts";
import { serviceStatsOf } from "../lvs/stats/statsColumns.ts";
import { StatsFieldsEncoder, StatsFieldsMerger, fieldsBody } from "../lvs/stats/statsFields.ts";
import { vmAnswerServer } from "./vmAnswerServer.ts";

const LAB = process.env.LVS_LAB_DIR;
const HELPER = "/usr/lib/lvs-agent/lvs-ipvs-nl";
const SETUP = `
ip link add dummy0 type dummy; ip link set dummy0 up
ip -6 addr add 2001:db8:ffff::1/64 dev dummy0; ip -6 route add default dev dummy0
echo lab-ready
`;

const shapes: IpvsTable = {
  services: [
    { ...tcpService("10.0.0.1", 80, [dest("192.168.1.1", 8080, 3), { ...dest("192.168.1.2", 80), method: "dr", upperThreshold: 100, lowerThreshold: 50 }]), scheduler: "sh", flags: ["sh-fallback", "sh-port"], persistence: { timeout: 600, netmask: "255.255.255.0" } },
    { protocol: "udp", family: "inet6", address: "2001:db8::53", port: 53, scheduler: "wrr", flags: [], persistence: { timeout: 360, netmask: "64" }, persistenceEngine: null, onePacket: true,
      destinations: [dest("2001:db8:1::1", 53, 7), { ...dest("2001:db8:1::2", 53), method: "tun", tunnel: { type: "gue", port: 6080, checksum: "remcsum" } }] },
    // (a mark of 2^31 or more works through the helper, but ipvsadm 1.31 lists it negative and its listing cannot be cross-read)
    { protocol: "fwmark", family: "inet", fwmark: 40000, scheduler: "mh", flags: ["mh-port"], persistence: null, persistenceEngine: null, onePacket: false,
      destinations: [{ ...dest("10.1.1.1", 0), method: "tun", tunnel: { type: "gre", port: null, checksum: "csum" } }, { ...dest("10.1.1.2", 0), method: "tun", tunnel: { type: "ipip", port: null, checksum: null } }] },
    { protocol: "fwmark", family: "inet6", fwmark: 7, scheduler: "rr", flags: [], persistence: null, persistenceEngine: null, onePacket: false, destinations: [dest("2001:db8:9::1", 0)] },
    { protocol: "sctp", family: "inet", address: "10.0.0.9", port: 9999, scheduler: "lc", flags: ["flag-3"], persistence: null, persistenceEngine: null, onePacket: false, destinations: [] },
  ] as IpvsService[],
};

describe.skipIf(!LAB)("lvs-ipvs-nl on the real kernel (lab)", () => {
  const channel = new VmExecChannel();
  let vm: Promise<VmResult>;
  let dir: string;
  let nl: IpvsEngine;
  let adm: IpvsEngine;

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), "lab-ipvs-nl-"));
    const helper = buildIpvsHelper(path.join(dir, "lvs-ipvs-nl"));
    await channel.listen();
    vm = runInVm({ script: `${SETUP}\n${channel.vmLoopScript()}`, net: "user", timeoutMs: 600_000, files: { [HELPER]: { hostPath: helper, mode: 0o755 } } });
    vm.catch(() => {});
    const fallback: string[] = [];
    nl = new IpvsEngine({ exec: channel, helper: HELPER, onHelperFallback: (w) => fallback.push(w) });
    adm = new IpvsEngine({ exec: channel });
    const ready = await channel.shell("ipvsadm -Ln >/dev/null && echo ok");
    expect(ready.stdout.trim()).toBe("ok");
  }, 600_000);

  afterAll(async () => {
    await channel.close();
    await vm?.catch(() => {});
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  }, 60_000);

  it("writes every shape so that ipvsadm reads back the desired table, and reads what ipvsadm wrote", async () => {
    const r = await nl.apply(shapes);
    expect(r.ops.filter((o) => !o.ok)).toEqual([]);
    expect(nl.door).toBe("netlink");
    expect(equalTables(await adm.read(), shapes)).toBe(true);
    expect(equalTables(await nl.read(), shapes)).toBe(true);

    // edits and deletes written by ipvsadm, read by the helper
    const edited: IpvsTable = { services: [
      { ...shapes.services[0]!, scheduler: "wrr", flags: [], persistence: null, destinations: [{ ...dest("192.168.1.1", 8080, 9), lowerThreshold: 3, upperThreshold: 20 }] },
      ...shapes.services.slice(2, 4),
    ] };
    const viaIpvsadm = await adm.apply(edited);
    expect(viaIpvsadm.ops.filter((o) => !o.ok)).toEqual([]);
    // (adm manages only what it was given: the other services stay, both doors see the same kernel)
    const seen = await nl.read();
    expect(equalTables(seen, await adm.read())).toBe(true);
    const wanted = new Set(edited.services.map((s) => serviceKeyString(s)));
    expect(equalTables({ services: seen.services.filter((s) => wanted.has(serviceKeyString(s))) }, edited)).toBe(true);
    // and back through the helper: edits, deletes, adds in one batch
    const back = await nl.apply(shapes);
    expect(back.ok).toBe(true);
    expect(back.ops.map((o) => o.op.slice(0, 2)).sort()).toEqual(["-E", "-a", "-e"]);
    expect(equalTables(await adm.read(), shapes)).toBe(true);
  }, 300_000);

  it("reports the kernel's error on the op that failed and applies the rest", async () => {
    const r = await channel.run([HELPER, "apply"], "a 2 6 10.9.9.9 80 0 2 10.9.9.10 80 0 1 0 0 0 0 0\nA 2 6 10.9.9.9 81 0 rr - 0 0 255.255.255.255\nA 2 6 10.9.9.9 81 0 rr - 0 0 255.255.255.255\n");
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split("\n")).toEqual(["op 0: Service not defined", "op 2: Service already exists"]);
    const bad = await channel.run([HELPER, "apply"], "A 2 6 10.9.9.9 82 0 rr - 0 0 255.255.255.255\nA 2 6 nonsense\n");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/line 2: bad op/);
    // numbers out of range or not decimal, and an address cached for one family read as the other: refused whole
    for (const [line, n] of [["a 2 6 10.9.9.9 82 0 2 10.9.9.10 65536 0 1 0 0 0 0 0", 2], ["a 2 6 10.9.9.9 82 0 2 10.9.9.10 80 0 1x 0 0 0 0 0", 2],
      ["a 2 6 10.9.9.9 82 0 2 10.9.9.10 80 4 1 0 0 0 0 0", 2], ["a 2 6 10.9.9.9 82 0 2 10.9.9.10 80 0 -1 0 0 0 0 0", 2], ["A 10 6 10.9.9.9 83 0 rr - 0 0 128", 2],
      ["a 2 6 10.9.9.9 82 0 2 10.9.9.10 80 0 99999999999999999999 0 0 0 0 0", 2]] as const) {
      const refused = await channel.run([HELPER, "apply"], `A 2 6 10.9.9.9 82 0 rr - 0 0 255.255.255.255\n${line}\n`);
      expect(refused.code, line).toBe(2);
      expect(refused.stderr, line).toMatch(new RegExp(`line ${n}: bad op`));
    }
    // a batch of many 32 KB sends (only each send's last message asks for an ACK): every failure is
    // still named by its op number, a run of failures longer than a send included (so some send's
    // ACK-asking last op fails) and the batch's very last op
    const svc = "2 6 10.8.8.8 80 0";
    const add = (i: number) => `a ${svc} 2 10.8.${Math.floor(i / 200)}.${(i % 200) + 1} 80 0 1 0 0 0 0 0`;
    const lines = [`A ${svc} wlc - 0 0 255.255.255.255`];
    for (let i = 0; i < 1000; i++) lines.push(add(i));
    for (let i = 0; i < 400; i++) lines.push(add(i));
    for (let i = 1000; i < 1600; i++) lines.push(add(i));
    lines.push(add(5));
    const many = await channel.run([HELPER, "apply"], `${lines.join("\n")}\n`);
    expect(many.code).toBe(1);
    const failed = [...Array.from({ length: 400 }, (_, i) => 1001 + i), 2001].map((n) => `op ${n}: Destination already exists`);
    expect(many.stderr.trim().split("\n")).toEqual(failed);
    const listed = await channel.shell("ipvsadm -Ln -t 10.8.8.8:80 | grep -c -- '->'");
    expect(Number(listed.stdout.trim())).toBe(1600 + 1);
    await channel.shell("ipvsadm -D -t 10.8.8.8:80");
    // nothing of a refused batch ran
    expect((await adm.read()).services.some((s) => s.protocol === "tcp" && s.port === 82)).toBe(false);
    expect((await adm.read()).services.some((s) => s.protocol === "tcp" && s.port === 81)).toBe(true);
  }, 300_000);

  it("takes a 300-service table in one batch and lists the same stats entries as ipvsadm", async () => {
    await channel.shell("ipvsadm -D -t 10.9.9.9:81");
    const big = genTable(300, 10);
    const r = await nl.apply(big);
    expect(r.ok).toBe(true);
    expect(equalTables(await adm.read(), big)).toBe(true);
    const a = await nl.stats();
    const b = await adm.stats();
    const keys = (s: typeof a) => s.services.flatMap((x) => x.destinations.map((d) => `${JSON.stringify(x.key)} ${d.address} ${d.port} ${d.weight}`)).sort();
    expect(keys(a)).toEqual(keys(b));
    expect(a.services).toHaveLength(b.services.length);
    // the agent's columnar reader (feature stats.fields) on the real helper's stats-since answers: the same figures
    const cols = new IpvsEngine({ exec: channel, helper: HELPER, statsStateFile: "/run/nl.cols" });
    const byKey = (ss: StatsSnapshot) => new Map(ss.services.map((x) => [serviceKeyString(x.key), x]));
    const fromCols = async () => { const c = await cols.statsColumns(); return { at: c.at, services: c.slots.flatMap((x) => (x ? [serviceStatsOf(x)] : [])) }; };
    expect(byKey(await fromCols())).toEqual(byKey(await nl.stats()));
    expect(byKey(await fromCols())).toEqual(byKey(await nl.stats()));
    // stats-since: a full answer, then (idle table) the token line only, then a removed service as "R K"
    const since = (token: string) => channel.run([HELPER, "stats-since", "/run/nl.stats", token]);
    const full = await since("-");
    const token = /^F (\d+)\n/.exec(full.stdout)?.[1];
    expect(full.stdout.slice(full.stdout.indexOf("\n") + 1)).toBe((await channel.run([HELPER, "stats"])).stdout);
    const idle = await since(token!);
    expect(idle.stdout).toMatch(/^D \d+\n$/);
    await channel.shell("ipvsadm -D -t 10.0.0.1:8001");
    const gone = await since(idle.stdout.slice(2).trim());
    expect(gone.stdout.split("\n").slice(1)).toEqual(["R 2 6 10.0.0.1 8001 0", ""]);
    expect((await since("12345")).stdout).toMatch(/^F /);

    // the helper kept running (`serve`, feature stats.fields): the agent forwards its differences; full +
    // differences == a whole listing, read after read, as services go, real servers change and traffic counts
    const served = new IpvsEngine({ exec: { run: (a, i) => channel.run(a, i), serve: (argv) => vmAnswerServer(channel, argv) }, helper: HELPER, statsStateFile: "/run/nl.served" });
    const enc = new StatsFieldsEncoder();
    const merger = new StatsFieldsMerger();
    const read = async () => {
      const u = (await served.statsServed(false))!;
      let r: ReturnType<StatsFieldsMerger["apply"]> | null = null;
      for (const f of enc.forward(u)) r = merger.apply(fieldsBody(f));
      if (r?.kind !== "snapshot") throw new Error(`no snapshot: ${JSON.stringify(r)}`);
      return { u, snap: r.snapshot };
    };
    const counters = (ss: StatsSnapshot) => new Map(ss.services.map((x) => [serviceKeyString(x.key), [x.counters, x.destinations.map((d) => [d.address, d.port, d.weight, d.counters])]]));
    try {
      const first = await read();
      expect(first.u.full).toBe(true);
      expect(byKey(first.snap)).toEqual(byKey(await nl.stats()));
      expect((await read()).u).toMatchObject({ full: false, removed: [], services: [], segments: [] });
      const [, edited, gone, , tcp] = big.services.filter((s) => s.protocol === "tcp").slice(5) as Array<IpvsService & { address: string; port: number }>;
      await channel.shell(`ipvsadm -D -t ${gone!.address}:${gone!.port}; ipvsadm -e -t ${edited!.address}:${edited!.port} -r ${edited!.destinations[0]!.address}:${edited!.destinations[0]!.port} -m -w 77`);
      const changed = await read();
      expect(changed.u.removed).toHaveLength(1);
      expect(changed.u.services.map((x) => serviceKeyString(x.stats.key))).toEqual([serviceKeyString(edited!)]);
      expect(byKey(changed.snap)).toEqual(byKey(await nl.stats()));
      // traffic: connection attempts to a service (the kernel counts them on the service and a real server)
      // (routes through dummy0: the VM's own SYNs pass IPVS on their way out, to real servers that never answer)
      const probe = await channel.shell(`ip route add ${tcp!.address}/32 dev dummy0; ip route add 172.0.0.0/8 dev dummy0; for i in 1 2 3; do nc -w 1 ${tcp!.address} ${tcp!.port} </dev/null >/dev/null 2>&1; done; ipvsadm -Ln --stats -t ${tcp!.address}:${tcp!.port}`);
      const busy = await read();
      expect(busy.u.segments.length, probe.stdout + probe.stderr).toBe(1);
      expect(busy.snap.services.find((x) => serviceKeyString(x.key) === serviceKeyString(tcp!))!.counters.conns).toBeGreaterThan(0);
      expect(counters(busy.snap)).toEqual(counters(await nl.stats()));
    } finally {
      await served.close();
    }
  }, 300_000);
});
