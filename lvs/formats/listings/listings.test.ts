import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  ListingParseError, largenum, listFromTable, parsePersistentConn, renderPersistentConn, listToTable, mergeListings, parseConnections, parseList, parseProcConnections,
  parseProcIpvs, parseProcStats, parseRate, parseStats, parseThresholds, renderConnections, renderList,
  renderProcConnections, renderProcIpvs, renderProcStats, renderRate, renderStats, renderThresholds,
  type ServiceListing, type StatsListing,
} from "./index.ts";
import type { ConnectionEntry, IpvsServiceKey } from "../../model.ts";

import { FIXTURES, REAL_FIXTURES, type FixtureName } from "./fixtures.ts";

const fx = (name: FixtureName) => FIXTURES[name];

describe("ipvsadm -Ln", () => {
  const text = fx("ln.txt");
  it("parses services, flags, persistence, pe, ops and every forwarding name", () => {
    const l = parseList(text);
    expect(l.version).toBe("1.2.1");
    expect(l.connTableSize).toBe(4096);
    expect(l.services.map((s) => [s.key, s.scheduler, s.flags, s.persistence, s.persistenceEngine, s.onePacket, s.destinations.length])).toMatchInlineSnapshot(`
      [
        [
          {
            "address": "10.0.0.1",
            "family": "inet",
            "port": 80,
            "protocol": "tcp",
          },
          "wlc",
          [],
          {
            "netmask": "255.255.255.0",
            "timeout": 360,
          },
          null,
          false,
          2,
        ],
        [
          {
            "address": "192.168.1.100",
            "family": "inet",
            "port": 443,
            "protocol": "tcp",
          },
          "rr",
          [],
          null,
          null,
          false,
          3,
        ],
        [
          {
            "address": "2001:db8::80",
            "family": "inet6",
            "port": 53,
            "protocol": "udp",
          },
          "sh",
          [
            "sh-fallback",
            "sh-port",
          ],
          null,
          null,
          true,
          2,
        ],
        [
          {
            "address": "10.0.0.2",
            "family": "inet",
            "port": 2905,
            "protocol": "sctp",
          },
          "mh",
          [
            "mh-port",
          ],
          null,
          null,
          false,
          0,
        ],
        [
          {
            "family": "inet",
            "fwmark": 1,
            "protocol": "fwmark",
          },
          "rr",
          [],
          null,
          null,
          true,
          1,
        ],
        [
          {
            "family": "inet6",
            "fwmark": 4294967295,
            "protocol": "fwmark",
          },
          "wlc",
          [],
          {
            "netmask": "64",
            "timeout": 600,
          },
          "sip",
          false,
          1,
        ],
      ]
    `);
    expect(l.services[2]!.destinations).toMatchInlineSnapshot(`
      [
        {
          "activeConns": 0,
          "address": "2001:db8:10::1",
          "forward": "Route",
          "inactConns": 9876543,
          "port": 53,
          "weight": 1,
        },
        {
          "activeConns": 0,
          "address": "2001:db8:aaaa:bbbb:cccc:dddd:eeee:ffff",
          "forward": "Tunnel",
          "inactConns": 0,
          "port": 53,
          "weight": 65535,
        },
      ]
    `);
  });
  it("renders byte for byte (trailing spaces included)", () => {
    expect(renderList(parseList(text))).toBe(text);
  });
  it("maps to an IpvsTable (Local is DR, Tunnel defaults to ipip)", () => {
    const t = listToTable(parseList(text), parseThresholds(fx("thresholds.txt")));
    expect(t.services[0]!.destinations[0]).toMatchInlineSnapshot(`
      {
        "address": "192.168.10.1",
        "lowerThreshold": 50,
        "method": "dr",
        "port": 80,
        "tunnel": null,
        "upperThreshold": 100,
        "weight": 1,
      }
    `);
    expect(t.services[1]!.destinations.map((d) => d.method)).toEqual(["nat", "nat", "dr"]);
    expect(renderList(listFromTable(t, () => ({ active: 0, inactive: 0 }))).split("\n")[3]).toBe(text.split("\n")[3]);
  });
  it("names the line and the rule on bad input", () => {
    const bad = text.replace("Route   0", "Bridge  0");
    expect(() => parseList(bad)).toThrowErrorMatchingInlineSnapshot(`[ListingParseError: line 6: unknown forwarding method "Bridge" (Masq, Local, Tunnel or Route) (got "-> 192.168.10.2:80              Bridge  0      4          120")]`);
    expect(() => parseList(fx("stats.txt"))).toThrow(ListingParseError);
    expect(() => parseList(text.replace("10.0.0.1:80 wlc", "www.example.com:http wlc"))).toThrowErrorMatchingInlineSnapshot(`[ListingParseError: line 4: expected a numeric address:port (IPv6 in brackets); was the listing made with -n? (got "TCP  www.example.com:http wlc persistent 360 mask 255.255.255.0")]`);
  });
});

describe("--thresholds", () => {
  it("parses and renders", () => {
    const text = fx("thresholds.txt");
    const t = parseThresholds(text);
    expect(t.services[0]!.destinations[0]).toEqual({ address: "192.168.10.1", port: 80, upperThreshold: 100, lowerThreshold: 50, activeConns: 12, inactConns: 3 });
    expect(renderThresholds(t)).toBe(text);
  });
});

describe("--persistent-conn", () => {
  const text = [
    "IP Virtual Server version 1.2.1 (size=4096)",
    "Prot LocalAddress:Port            Weight    PersistConn ActiveConn InActConn ",
    "  -> RemoteAddress:Port",
    "TCP  10.0.0.1:80 wlc persistent 360 mask 255.255.255.0",
    "  -> 192.168.10.1:80              1         7           12         3         ",
    "",
  ].join("\n");
  it("parses, renders and feeds persistConns into the snapshot", () => {
    const p = parsePersistentConn(text);
    expect(p.services[0]!.destinations[0]).toEqual({ address: "192.168.10.1", port: 80, weight: 1, persistConns: 7, activeConns: 12, inactConns: 3 });
    expect(renderPersistentConn(p)).toBe(text);
    const snap = mergeListings(parseList(fx("ln.txt")), null, null, 0, p);
    expect(snap.services[0]!.destinations.map((d) => d.persistConns)).toEqual([7, 0]);
  });
});

describe("--stats / --rate", () => {
  it("parses abbreviated numbers as lower bounds and exact numbers exactly", () => {
    const s = parseStats(fx("stats.txt"));
    expect(s.services[0]!.counters).toEqual({ conns: 14209, inPkts: 111769, outPkts: 74613, inBytes: 7207174, outBytes: 8334e6 });
    expect(s.services[1]!.counters).toEqual({ conns: 123456e3, inPkts: 999999e3, outPkts: 1000e6, inBytes: 99999e9, outBytes: 100e12 });
    expect(s.services[3]!.key).toEqual({ protocol: "fwmark", family: "inet6", fwmark: 7 });
    const e = parseStats(fx("stats-exact.txt"));
    expect(e.services[1]!.counters).toEqual({ conns: 123456789, inPkts: 999999999, outPkts: 1000000000, inBytes: 99999999999999, outBytes: 100000000000000 });
  });
  it("renders both layouts byte for byte", () => {
    expect(renderStats(parseStats(fx("stats-exact.txt")), { exact: true })).toBe(fx("stats-exact.txt"));
    expect(renderStats(parseStats(fx("stats-exact.txt")))).toBe(fx("stats.txt"));
    expect(renderRate(parseRate(fx("rate-exact.txt")), { exact: true })).toBe(fx("rate-exact.txt"));
    expect(renderRate(parseRate(fx("rate-exact.txt")))).toBe(fx("rate.txt"));
  });
  it("print_largenum boundaries", () => {
    expect([0, 99999999, 1e8, 999999999, 1e9, 99999999999, 1e11, 1e14 - 1, 1e14].map((n) => largenum(n, false))).toMatchInlineSnapshot(`
      [
        "        0",
        " 99999999",
        "  100000K",
        "  999999K",
        "    1000M",
        "   99999M",
        "     100G",
        "   99999G",
        "     100T",
      ]
    `);
    expect([0, 12345678, 123456789].map((n) => largenum(n, true))).toEqual(["        0", " 12345678", " 123456789"]);
  });
  it("merges -Ln, --stats and --rate into one StatsSnapshot", () => {
    const snap = mergeListings(parseList(fx("ln.txt")), parseStats(fx("stats-exact.txt")), parseRate(fx("rate-exact.txt")), 1_700_000_000_000);
    expect(snap.at).toBe(1_700_000_000_000);
    expect(snap.services[0]).toMatchInlineSnapshot(`
      {
        "counters": {
          "conns": 14209,
          "inBytes": 7207174,
          "inPkts": 111769,
          "outBytes": 8334123456,
          "outPkts": 74613,
        },
        "destinations": [
          {
            "activeConns": 12,
            "address": "192.168.10.1",
            "counters": {
              "conns": 14000,
              "inBytes": 7200000,
              "inPkts": 111000,
              "outBytes": 8334000000,
              "outPkts": 74000,
            },
            "inactConns": 3,
            "persistConns": 0,
            "port": 80,
            "rates": {
              "cps": 30,
              "inBps": 21000,
              "inPps": 300,
              "outBps": 1249000000,
              "outPps": 200,
            },
            "weight": 1,
          },
          {
            "activeConns": 4,
            "address": "192.168.10.2",
            "counters": {
              "conns": 209,
              "inBytes": 7174,
              "inPkts": 769,
              "outBytes": 123456,
              "outPkts": 613,
            },
            "inactConns": 120,
            "persistConns": 0,
            "port": 80,
            "rates": {
              "cps": 5,
              "inBps": 450,
              "inPps": 10,
              "outBps": 1000000,
              "outPps": 7,
            },
            "weight": 0,
          },
        ],
        "key": {
          "address": "10.0.0.1",
          "family": "inet",
          "port": 80,
          "protocol": "tcp",
        },
        "rates": {
          "cps": 35,
          "inBps": 21450,
          "inPps": 310,
          "outBps": 1250000000,
          "outPps": 207,
        },
      }
    `);
    expect(snap.services[1]!.counters.conns).toBe(0);
  });
});

describe("ipvsadm -Lnc", () => {
  it("parses entries, skips IP templates, keeps SCTP and long expiries", () => {
    const c = parseConnections(fx("lnc.txt"));
    expect(c.entries.map((e) => `${e.protocol} ${e.expiresIn} ${e.state} ${e.client.address}:${e.client.port} ${e.destination.address}`)).toMatchInlineSnapshot(`
      [
        "tcp 898 ESTABLISHED 10.0.0.9:51234 192.168.10.1",
        "tcp 118 TIME_WAIT 10.0.0.9:51236 192.168.10.2",
        "udp 299 UDP 2001:db8::9:40000 2001:db8:10::1",
        "tcp 352 NONE 10.0.0.9:0 192.168.10.1",
        "sctp 6000 ESTABLISHED 10.0.0.9:2905 10.0.0.21",
      ]
    `);
    expect(c.skipped.map((s) => s.line)).toEqual([7]);
  });
  it("renders byte for byte", () => {
    const text = fx("lnc.txt");
    const keep = text.split("\n").filter((l) => !l.startsWith("IP ")).join("\n");
    expect(renderConnections(parseConnections(text).entries)).toBe(keep);
  });
});

describe("/proc/net/ip_vs*", () => {
  it("ip_vs: hex addresses, jiffies, masks (IPv6 prefix byte-swapped)", () => {
    const l = parseProcIpvs(fx("proc-ip_vs.txt"), { hz: 250 });
    expect(l.services.map((s) => [s.key, s.scheduler, s.persistence, s.onePacket])).toMatchInlineSnapshot(`
      [
        [
          {
            "address": "10.0.0.1",
            "family": "inet",
            "port": 80,
            "protocol": "tcp",
          },
          "wlc",
          {
            "netmask": "255.255.255.0",
            "timeout": 600,
          },
          false,
        ],
        [
          {
            "address": "10.0.0.5",
            "family": "inet",
            "port": 53,
            "protocol": "udp",
          },
          "rr",
          null,
          true,
        ],
        [
          {
            "address": "2001:db8::80",
            "family": "inet6",
            "port": 443,
            "protocol": "tcp",
          },
          "sh",
          {
            "netmask": "64",
            "timeout": 360,
          },
          false,
        ],
        [
          {
            "family": "inet",
            "fwmark": 1,
            "protocol": "fwmark",
          },
          "rr",
          null,
          true,
        ],
      ]
    `);
    expect(l.services[2]!.destinations[0]!.address).toBe("2001:db8:10::1");
    expect(renderProcIpvs(l, { hz: 250 })).toBe(fx("proc-ip_vs.txt"));
    expect(parseProcIpvs(fx("proc-ip_vs.txt"), { hz: 100 }).services[0]!.persistence!.timeout).toBe(1500);
  });
  it("ip_vs_stats: hex totals and rates", () => {
    const s = parseProcStats(fx("proc-ip_vs_stats.txt"));
    expect(s).toEqual({
      counters: { conns: 14209, inPkts: 111769, outPkts: 74613, inBytes: 7207174, outBytes: 8334123456 },
      rates: { cps: 35, inPps: 310, outPps: 207, inBps: 21450, outBps: 1250000 },
    });
    expect(renderProcStats(s)).toBe(fx("proc-ip_vs_stats.txt"));
  });
  it("ip_vs_conn: hex rows, full IPv6, PE data, templates skipped", () => {
    const c = parseProcConnections(fx("proc-ip_vs_conn.txt"));
    expect(c.entries).toMatchInlineSnapshot(`
      [
        {
          "client": {
            "address": "10.0.0.9",
            "port": 51234,
          },
          "destination": {
            "address": "192.168.10.1",
            "port": 80,
          },
          "expiresIn": 898,
          "protocol": "tcp",
          "state": "ESTABLISHED",
          "virtual": {
            "address": "10.0.0.1",
            "port": 80,
          },
        },
        {
          "client": {
            "address": "2001:db8::9",
            "port": 40000,
          },
          "destination": {
            "address": "2001:db8:10::1",
            "port": 53,
          },
          "expiresIn": 299,
          "protocol": "udp",
          "state": "UDP",
          "virtual": {
            "address": "2001:db8::80",
            "port": 53,
          },
        },
        {
          "client": {
            "address": "10.0.0.9",
            "port": 5060,
          },
          "destination": {
            "address": "192.168.10.5",
            "port": 5060,
          },
          "expiresIn": 170,
          "protocol": "udp",
          "state": "UDP",
          "virtual": {
            "address": "10.0.0.5",
            "port": 5060,
          },
        },
      ]
    `);
    expect(c.skipped).toHaveLength(1);
    const noPe = c.entries.slice(0, 2);
    expect(parseProcConnections(renderProcConnections(noPe)).entries).toEqual(noPe);
  });
});

describe("real kernel output (lab VM, kernel 6.1, ipvsadm 1.31)", () => {
  const r = REAL_FIXTURES;
  it("every listing parses and renders back byte for byte", () => {
    expect(renderList(parseList(r.ln))).toBe(r.ln);
    expect(renderThresholds(parseThresholds(r.thresholds))).toBe(r.thresholds);
    expect(renderPersistentConn(parsePersistentConn(r.persistent))).toBe(r.persistent);
    expect(renderStats(parseStats(r.stats))).toBe(r.stats);
    expect(renderStats(parseStats(r["stats-exact"]), { exact: true })).toBe(r["stats-exact"]);
    expect(renderRate(parseRate(r.rate))).toBe(r.rate);
    expect(renderProcStats(parseProcStats(r["proc-stats"]))).toBe(r["proc-stats"]);
    expect(renderProcIpvs(parseProcIpvs(r["proc-ip_vs"]))).toBe(r["proc-ip_vs"]);
    expect(parseConnections(r.lnc).entries).toEqual([]);
    expect(parseProcConnections(r["proc-conn"]).entries).toEqual([]);
  });
  it("/proc/net/ip_vs agrees with -Ln on keys, persistence and masks", () => {
    const ln = parseList(r.ln).services;
    const proc = parseProcIpvs(r["proc-ip_vs"]).services;
    const view = (s: { key: IpvsServiceKey; persistence: unknown; onePacket: boolean; destinations: { address: string; port: number; weight: number }[] }) =>
      JSON.stringify([s.key, s.persistence, s.onePacket, s.destinations.map((d) => `${d.address}:${d.port}/${d.weight}`).sort()]);
    // /proc has no family for fwmark lines without destinations (FWM 7 IPv6 here)
    const comparable = (s: { key: IpvsServiceKey; destinations: unknown[] }) => s.key.protocol !== "fwmark" || s.destinations.length > 0;
    expect(new Set(proc.filter(comparable).map(view))).toEqual(new Set(ln.filter(comparable).map(view)));
  });
});

// ---------------------------------------------------------------- properties: parse(render(x)) = x

const v4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((b) => b.join("."));
const v6 = fc.constantFrom("2001:db8::1", "fd00::a:b", "2001:db8:aaaa:bbbb:cccc:dddd:eeee:ffff", "::1", "fe80::1");
const port = fc.nat(65535);
const key: fc.Arbitrary<IpvsServiceKey> = fc.oneof(
  fc.record({ protocol: fc.constantFrom("tcp" as const, "udp" as const, "sctp" as const), family: fc.constant("inet" as const), address: v4, port }),
  fc.record({ protocol: fc.constantFrom("tcp" as const, "udp" as const), family: fc.constant("inet6" as const), address: v6, port }),
  fc.record({ protocol: fc.constant("fwmark" as const), family: fc.constantFrom("inet" as const, "inet6" as const), fwmark: fc.integer({ min: 1, max: 4294967295 }) }),
);
const counters = fc.record({ conns: fc.nat(), inPkts: fc.nat(), outPkts: fc.nat(), inBytes: fc.maxSafeNat(), outBytes: fc.maxSafeNat() });
const dest = fc.record({ address: fc.oneof(v4, v6), port });

describe("round trips", () => {
  it("parseList(renderList(x)) = x", () => {
    const listing: fc.Arbitrary<ServiceListing> = fc.record({
      version: fc.constant("1.2.1"), connTableSize: fc.constantFrom(4096, 1048576),
      services: fc.array(fc.record({
        key, scheduler: fc.constantFrom("rr", "wlc", "sh", "twos"), flags: fc.subarray(["flag-1", "flag-2", "flag-3"] as const),
        persistence: fc.option(fc.record({ timeout: fc.integer({ min: 1, max: 2678400 }), netmask: fc.option(fc.constantFrom("255.255.255.0", "255.255.0.0")) }), { nil: null }),
        persistenceEngine: fc.constant(null), onePacket: fc.boolean(),
        destinations: fc.array(fc.record({
          address: fc.oneof(v4, v6), port, forward: fc.constantFrom("Masq" as const, "Local" as const, "Tunnel" as const, "Route" as const),
          weight: fc.nat(65535), activeConns: fc.nat(), inactConns: fc.nat(),
        }), { maxLength: 4 }),
      }), { maxLength: 5 }),
    });
    fc.assert(fc.property(listing, (l) => { expect(parseList(renderList(l))).toEqual(l); }), { numRuns: 200 });
  });
  it("parseStats(renderStats(x, exact)) = x", () => {
    const stats: fc.Arbitrary<StatsListing> = fc.record({
      services: fc.array(fc.record({ key, counters, destinations: fc.array(fc.record({ address: dest.map((d) => d.address), port, counters }), { maxLength: 3 }) }), { maxLength: 4 }),
    });
    fc.assert(fc.property(stats, (s) => { expect(parseStats(renderStats(s, { exact: true }))).toEqual(s); }), { numRuns: 200 });
  });
  it("parseConnections(renderConnections(x)) = x", () => {
    const entry: fc.Arbitrary<ConnectionEntry> = fc.record({
      protocol: fc.constantFrom("tcp" as const, "udp" as const, "sctp" as const),
      client: dest, virtual: dest, destination: dest,
      state: fc.constantFrom("ESTABLISHED", "SYN_RECV", "FIN_WAIT", "TIME_WAIT", "CLOSE", "UDP", "NONE"),
      expiresIn: fc.nat(100000),
    });
    fc.assert(fc.property(fc.array(entry, { maxLength: 6 }), (es) => {
      expect(parseConnections(renderConnections(es)).entries).toEqual(es);
      expect(parseProcConnections(renderProcConnections(es)).entries).toEqual(es);
    }), { numRuns: 200 });
  });
});
