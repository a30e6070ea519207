import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { IpvsEngine } from "./ipvsEngine.ts";
import { FAKE_HELPER, FakeNetlinkHelper } from "./fakeNetlinkHelper.ts";
import { opLine, opLines, parseDestinationLine, parseDump, parseOpLine, parseServiceLine, renderDump } from "./netlinkFormat.ts";
import { sortDestinationsIpvs, sortServicesIpvs } from "../../../lvs/ipvsadmOrder.ts";
import { NetlinkStatsReader } from "./netlinkStats.ts";
import { dest, tcpService } from "../../testing/fixtures.ts";
import { genTable } from "../../../lvs/testing/bigTable.ts";
import { plan } from "../../../lvs/reconcile.ts";
import { applyOps, type Op } from "../../../lvs/ops.ts";
import { canonicalTable, equalTables } from "../../../lvs/canonical.ts";
import { serviceKeyString } from "../../../lvs/tableKey.ts";
import type { IpvsService, IpvsTable, StatsSnapshot } from "../../../lvs/model.ts";
import { ipvsTableArbitrary } from "../../../lvs/testing/arbitraries.ts";

/** parseDump as it was before its in-place reader: every line split into fields and read by the strict line parsers. */
function splitParseDump(text: string): IpvsTable {
  const services: IpvsService[] = [];
  let current: IpvsService | null = null;
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === "") continue;
    if (line[0] === "D") {
      if (!current) throw new Error(`lvs-ipvs-nl output line ${i + 1}: a real server before any service`);
      current.destinations.push(parseDestinationLine(line, i + 1).destination);
    } else if (line[0] === "S") {
      current = parseServiceLine(line, i + 1).service;
      services.push(current);
    } else throw new Error(`lvs-ipvs-nl output line ${i + 1}: ${JSON.stringify(line.slice(0, 200))}`);
  }
  for (const s of services) s.destinations = sortDestinationsIpvs(s.destinations);
  return { services: sortServicesIpvs(services) };
}

const outcome = (f: () => unknown) => { try { return { ok: f() }; } catch (e) { return { error: (e as Error).message }; } };

/** Every shape the helper must carry: IPv6, fwmark v4/v6, sctp, tun gue/gre, persistence with netmask, -o, --pe, sh flags, thresholds. */
const shapes: IpvsTable = {
  services: [
    { ...tcpService("10.0.0.1", 80, [dest("192.168.1.1", 8080, 3), { ...dest("192.168.1.2", 80), method: "dr", upperThreshold: 100, lowerThreshold: 50 }]), scheduler: "sh", flags: ["sh-fallback", "sh-port"], persistence: { timeout: 600, netmask: "255.255.255.0" } },
    { protocol: "udp", family: "inet6", address: "2001:db8::53", port: 53, scheduler: "wrr", flags: [], persistence: { timeout: 360, netmask: "64" }, persistenceEngine: "sip", onePacket: true,
      destinations: [dest("2001:db8:1::1", 53, 7), { ...dest("2001:db8:1::2", 53), method: "tun", tunnel: { type: "gue", port: 6080, checksum: "remcsum" } }] },
    { protocol: "fwmark", family: "inet", fwmark: 4000000000, scheduler: "mh", flags: ["mh-port"], persistence: null, persistenceEngine: null, onePacket: false,
      destinations: [{ ...dest("10.1.1.1", 0), method: "tun", tunnel: { type: "gre", port: null, checksum: "csum" } }, { ...dest("10.1.1.2", 0), method: "tun", tunnel: { type: "ipip", port: null, checksum: null } }] },
    { protocol: "fwmark", family: "inet6", fwmark: 7, scheduler: "rr", flags: [], persistence: null, persistenceEngine: null, onePacket: false, destinations: [dest("2001:db8:9::1", 0)] },
    { protocol: "sctp", family: "inet", address: "10.0.0.9", port: 9999, scheduler: "lc", flags: ["flag-3"], persistence: null, persistenceEngine: null, onePacket: false, destinations: [] },
  ] as IpvsService[],
};

describe("lvs-ipvs-nl line format", () => {
  it("carries every op of a plan unchanged (op line → op)", () => {
    const ops = [...plan({ services: [] }, shapes), ...plan(shapes, genTable(40, 3)), ...plan(genTable(40, 3), { services: [] })];
    for (const op of ops) expect(parseOpLine(opLine(op)), opLine(op)).toMatchObject(op.kind === "delete-service" ? { kind: op.kind, service: op.service } : op);
  });

  it("writes a batch as opLine of each op, a key text shared only by ops on the same key object (property)", () => {
    fc.assert(fc.property(ipvsTableArbitrary(), ipvsTableArbitrary(), fc.nat(), (a, b, seed) => {
      const ops = [...plan({ services: [] }, b), ...plan(a, b), ...plan(b, { services: [] })]
        .map((o, i) => (i % 3 === seed % 3 && "service" in o ? { ...o, service: { ...o.service } } : o)) as Op[];
      expect(opLines(ops)).toBe(ops.map((o) => `${opLine(o)}\n`).join(""));
    }), { numRuns: 150 });
  });

  it("reads back a dump as ipvsadm -S + --thresholds would (thresholds, tunnels, netmasks, flags)", () => {
    expect(parseDump(renderDump(shapes))).toEqual(canonicalTable(shapes));
    expect(equalTables(parseDump(renderDump(genTable(300, 4))), genTable(300, 4))).toBe(true);
  });

  it("reads a dump in place exactly as splitting its lines did: same table, or the same error (property, damaged dumps)", () => {
    // damage of the kinds a broken pipe or a different helper could give: characters changed, doubled
    // or dropped spaces, leading zeros, signs, CRs, huge numbers, fields added or cut
    const damage = fc.array(fc.tuple(fc.nat(), fc.constantFrom("x", " ", "  ", "0", "+", "-", "\r", "\n", "9999999999999999", "", "1e3", "02", "3", "D ", "S ")), { maxLength: 3 });
    fc.assert(fc.property(ipvsTableArbitrary(), damage, fc.boolean(), (table, edits, stats) => {
      let text = renderDump(table, stats ? () => " 1 2 3 4 5 6 7 8 9 10" : undefined);
      for (const [at, piece] of edits) {
        const i = text.length ? at % text.length : 0;
        text = text.slice(0, i) + piece + text.slice(i + (piece === "" || at % 2 ? 1 : 0));
      }
      expect(outcome(() => parseDump(text))).toEqual(outcome(() => splitParseDump(text)));
    }), { numRuns: 400 });
    const head = "S 2 6 10.0.0.1 80 0 rr - 0 0 255.255.255.255\n";
    for (const d of ["D 02 10.1.1.1 80 0 1 0 0 0 0 0", "D 2 10.1.1.1 +80 0 1 0 0 0 0 0", "D 2 10.1.1.1 80 0 1 0 0 0 0 0 ", "D 2  10.1.1.1 80 0 1 0 0 0 0 0",
      "D 2 10.1.1.1 80 2 1 0 0 1 0x10 2", "D 2 010.1.1.1 80 0 1 0 0 0 0 0\nD 2 9.1.1.1 80 0 1 0 0 0 0 0", "D 2 10.1.1.256 80 0 1 0 0 0 0 0\nD 2 10.1.1.1 80 0 1 0 0 0 0 0",
      "D 2 10.1.1 80 0 1 0 0 0 0 0\nD 2 10.1.1.0 80 0 1 0 0 0 0 0", "D 2 10.1.1.1.1 80 0 1 0 0 0 0 0\nD 2 10.1.1.0 80 0 1 0 0 0 0 0", "D 2 10.1.1.1 80 0 1 0 0 0 0 0\nD 2 10.1.1.1 79 0 1 0 0 0 0 0\nD 2 ::1 80 0 1 0 0 0 0 0", "D 2 10.1.1.1 80 2 1 0 0 1 6080 x", "D 10 2001:db8::1 80 0 1 0 0 0 0", "D 2 10.1.1.1 80 0 99999999999999999 0 0 0 0 0"]) {
      expect(outcome(() => parseDump(head + d)), d).toEqual(outcome(() => splitParseDump(head + d)));
    }
  });

  it("refuses words that would split a line, and malformed output with its line number", () => {
    expect(() => opLine({ kind: "add-service", service: { ...shapes.services[0]!, scheduler: "rr x" }, dropsConnections: false })).toThrow(/scheduler/);
    expect(() => opLine({ kind: "clear", dropsConnections: true })).toThrow(/never clears/);
    expect(() => parseDump("S 2 6 10.0.0.1 80 0 rr - 0 0 255.255.255.255\nD 2 10.1.1.1 80 9 1 0 0 0 0 0\n")).toThrow(/line 2: forwarding method 9/);
    expect(() => parseDump("D 2 10.1.1.1 80 0 1 0 0 0 0 0\n")).toThrow(/line 1: a real server before any service/);
    expect(() => parseDump("S 2 6 10.0.0.1 80\n")).toThrow(/line 1: not a service line/);
  });
});

describe("IpvsEngine over the netlink helper (fake)", () => {
  it("reads with one dump and applies with one batch: no ipvsadm at all", async () => {
    const k = new FakeNetlinkHelper();
    const e = new IpvsEngine({ exec: k, helper: FAKE_HELPER });
    const r = await e.apply(shapes);
    expect(r.ok).toBe(true);
    expect(k.calls).toEqual(["dump", "apply", "dump"]);
    expect(k.ipvsadm.calls).toEqual([]);
    expect(equalTables(r.actual!, shapes)).toBe(true);
    expect(e.door).toBe("netlink");
    // nothing to do: one dump
    const again = await e.apply(shapes);
    expect(again.ops).toEqual([]);
    expect(k.calls.slice(3)).toEqual(["dump"]);
  });

  it("names the kernel's error on the op that failed and keeps the others", async () => {
    const k = new FakeNetlinkHelper();
    const e = new IpvsEngine({ exec: k, helper: FAKE_HELPER });
    k.reject = { test: (l) => l.startsWith("a ") && l.includes(" 192.168.1.9 "), message: "Invalid operation.  Possibly wrong module version, address not unicast, ..." };
    const r = await e.apply({ services: [tcpService("10.0.0.1", 80, [dest("192.168.1.1", 80)]), tcpService("10.0.0.2", 80, [dest("192.168.1.9", 80), dest("192.168.1.10", 80)])] });
    expect(r.ok).toBe(false);
    const failed = r.ops.filter((o) => !o.ok);
    expect(failed).toEqual([{ op: "-a -t 10.0.0.2:80 -r 192.168.1.9:80 -m -w 1", ok: false, error: "Invalid operation.  Possibly wrong module version, address not unicast, ..." }]);
    expect(r.ops.filter((o) => o.ok)).toHaveLength(4);
  });

  it("falls back to ipvsadm for good when the helper cannot reach IPVS, and says so once", async () => {
    const k = new FakeNetlinkHelper();
    k.unavailable = true;
    const why: string[] = [];
    const e = new IpvsEngine({ exec: k, helper: FAKE_HELPER, onHelperFallback: (w) => why.push(w) });
    expect((await e.apply(shapes)).ok).toBe(true);
    await e.apply(shapes);
    expect(why).toHaveLength(1);
    expect(why[0]).toMatch(/no IPVS generic netlink family.*using ipvsadm/);
    expect(e.door).toBe("ipvsadm");
    expect(k.calls).toEqual(["dump"]);
    expect(k.ipvsadm.batches).toHaveLength(1);
  });
});

describe("stats over the netlink helper", () => {
  it("gives counters, rates and connection counts per service and real server", async () => {
    const k = new FakeNetlinkHelper();
    const e = new IpvsEngine({ exec: k, helper: FAKE_HELPER, now: () => 1234 });
    const t: IpvsTable = { services: [tcpService("10.0.0.1", 80, [dest("192.168.1.1", 80), dest("192.168.1.2", 80)])] };
    await e.apply(t);
    k.counters.set("tcp|10.0.0.1|80", " 5 50 40 5000 4000 1 2 3 4 5");
    k.counters.set("tcp|10.0.0.1|80|192.168.1.2|80", " 5 50 40 5000 4000 1 2 3 4 5");
    const s = await e.stats();
    expect(s.at).toBe(1234);
    expect(s.services).toHaveLength(1);
    expect(s.services[0]!.counters).toEqual({ conns: 5, inPkts: 50, outPkts: 40, inBytes: 5000, outBytes: 4000 });
    expect(s.services[0]!.rates).toEqual({ cps: 1, inPps: 2, outPps: 3, inBps: 4, outBps: 5 });
    const byAddr = new Map(s.services[0]!.destinations.map((d) => [d.address, d]));
    expect(byAddr.get("192.168.1.2")!.counters.conns).toBe(5);
    expect(byAddr.get("192.168.1.1")!.counters.conns).toBe(0);
    expect(k.ipvsadm.calls).toEqual([]);
  });

  it("parses only the services whose lines changed since the last read (operation count, 2 000 services)", () => {
    const table = genTable(2000, 10);
    const counters = new Map<string, string>();
    const text = () => renderDump(table, (s, d) => counters.get(d ? `${serviceKeyString(s)}|${d.address}` : serviceKeyString(s)) ?? "");
    const r = new NetlinkStatsReader();
    const first = r.read(text(), 1);
    expect(r.parsedLines).toBe(2000 * 11);
    const busy = table.services.slice(0, 3);
    for (const s of busy) counters.set(serviceKeyString(s), " 1 1 1 1 1 0 0 0 0 0");
    counters.set(`${serviceKeyString(busy[0]!)}|${busy[0]!.destinations[0]!.address}`, " 1 1 1 1 1 0 0 0 0 0");
    const second = r.read(text(), 2);
    expect(r.parsedLines).toBe(3 * 11);
    expect(second.services).toHaveLength(2000);
    expect(second.services[5]).toBe(first.services[5]);
    expect(second.services[0]!.counters.conns).toBe(1);
    r.read(text(), 3);
    expect(r.parsedLines).toBe(0);
    // a service that appears or goes away is seen
    const fewer = renderDump({ services: table.services.slice(1) });
    expect(() => r.read("D 2 10.1.1.1 80 0 1 0 0 0 0 0 0 0 0" + " 0".repeat(10) + "\n", 4)).toThrow(/line 1: not a service line/);
    expect(() => r.read(fewer, 5)).toThrow(/without counters/);
  });

  it("applies a generated 1 % change exactly (the helper path keeps plan's ops)", async () => {
    const k = new FakeNetlinkHelper();
    const e = new IpvsEngine({ exec: k, helper: FAKE_HELPER });
    const a = genTable(200, 5);
    await e.apply(a);
    const b = genTable(201, 5);
    b.services[3]!.destinations[0]!.weight = 99;
    const r = await e.apply(b);
    expect(r.ok).toBe(true);
    expect(r.ops.length).toBe(plan(a, b).length);
    expect(equalTables(applyOps(a, plan(a, b)), k.ipvsadm.table)).toBe(true);
  });
});

describe("stats-since: the helper prints only what changed since its last output", () => {
  const STATE = "/run/lvs-ipvs-nl.stats";
  const byKey = (s: StatsSnapshot) => new Map(s.services.map((x) => [serviceKeyString(x.key), x]));

  it("gives the same snapshot as a whole stats listing, parsing only the changed services (operation count, 1 000 services)", async () => {
    const k = new FakeNetlinkHelper();
    const e = new IpvsEngine({ exec: k, helper: FAKE_HELPER, statsStateFile: STATE, now: () => 7 });
    const plain = new IpvsEngine({ exec: k, helper: FAKE_HELPER, now: () => 7 });
    const table = genTable(1000, 10);
    await e.apply(table);
    const out = () => k.files.get(STATE);
    const first = await e.stats();
    expect(k.calls.at(-1)).toBe(`stats-since ${STATE} -`);
    expect(byKey(first)).toEqual(byKey(await plain.stats()));
    // idle: the helper's answer is its first line only; nothing parsed
    const token = out()!.split("\n")[0]!.slice(6);
    const idle = await e.stats();
    expect(k.calls.at(-1)).toBe(`stats-since ${STATE} ${token}`);
    expect(e["statsReader"].parsedLines).toBe(0);
    expect(idle.services[500]).toBe(first.services[500]);
    // two services busy, one removed: exactly those
    k.counters.set(serviceKeyString(table.services[3]!), " 1 2 3 4 5 6 7 8 9 10");
    k.counters.set(`${serviceKeyString(table.services[700]!)}|${table.services[700]!.destinations[2]!.address}|${table.services[700]!.destinations[2]!.port}`, " 9 9 9 9 9 0 0 0 0 1");
    const gone = serviceKeyString(table.services[900]!);
    k.ipvsadm.table = { services: k.ipvsadm.table.services.filter((x) => serviceKeyString(x) !== gone) };
    const busy = await e.stats();
    expect(e["statsReader"].parsedLines).toBe(2 * 11);
    expect(busy.services).toHaveLength(999);
    expect(byKey(busy)).toEqual(byKey(await plain.stats()));
    expect(k.ipvsadm.calls).toEqual([]);
  });

  it("reads everything again when the helper's state is not the one it last read (another reader, a lost answer, bad output)", async () => {
    const k = new FakeNetlinkHelper();
    const e = new IpvsEngine({ exec: k, helper: FAKE_HELPER, statsStateFile: STATE });
    const table = genTable(50, 3);
    await e.apply(table);
    await e.stats();
    // someone else used the same state file: the tokens differ, a full answer
    await k.run([FAKE_HELPER, "stats-since", STATE, "-"]);
    await e.stats();
    expect(e["statsReader"].parsedLines).toBe(0); // full answer, but blocks equal to the last read are reused
    expect(k.calls.at(-1)).toMatch(/^stats-since \/run\/lvs-ipvs-nl.stats \d+$/);
    // output the reader cannot read: an error, and the next read asks for everything ("-")
    const real = k.run.bind(k);
    k.run = async (argv, stdin) => (argv[1] === "stats-since" ? { code: 0, stdout: "X 1\n", stderr: "" } : real(argv, stdin));
    await expect(e.stats()).rejects.toThrow(/stats-since output line 1/);
    k.run = real;
    await e.stats();
    expect(k.calls.at(-1)).toBe(`stats-since ${STATE} -`);
  });

  it("an older helper without stats-since: whole stats listings from then on, said once", async () => {
    const k = new FakeNetlinkHelper();
    k.noStatsSince = true;
    const why: string[] = [];
    const e = new IpvsEngine({ exec: k, helper: FAKE_HELPER, statsStateFile: STATE, onHelperFallback: (w) => why.push(w) });
    await e.apply(genTable(20, 2));
    const s = await e.stats();
    await e.stats();
    expect(s.services).toHaveLength(20);
    expect(why).toEqual([expect.stringMatching(/stats-since: .*usage.*whole stats listings/)]);
    expect(k.calls.slice(-3)).toEqual([`stats-since ${STATE} -`, "stats", "stats"]);
  });
});
