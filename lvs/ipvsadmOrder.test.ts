import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { compareDestinationsIpvs, compareServicesIpvs, ipvsadmSort, sortDestinationsIpvs, sortServicesIpvs } from "./ipvsadmOrder.ts";
import type { IpvsServiceKey } from "./model.ts";
import { canonicalService, equalTables, schedulerFlagNames, schedulerFlagBits } from "./canonical.ts";

const tcp = (address: string, port: number): IpvsServiceKey => ({ protocol: "tcp", family: address.includes(":") ? "inet6" : "inet", address, port });

describe("ipvsadmSort (glibc 2.36 merge sort)", () => {
  it("is a stable sort for a consistent comparator", () => {
    fc.assert(fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 5 }), fc.integer())), (xs) => {
      const sorted = ipvsadmSort(xs, (a, b) => a[0] - b[0]);
      const expected = xs.map((x, i) => [x, i] as const).sort((a, b) => a[0][0] - b[0][0] || a[1] - b[1]).map((p) => p[0]);
      expect(sorted).toEqual(expected);
    }));
  });

  it("reproduces the non-total order of the int32 comparator, depending on input order like qsort", () => {
    const a = tcp("10.0.0.1", 80);
    const b = tcp("100.0.0.1", 80);
    const c = tcp("192.168.0.1", 80);
    // a < b, b < c, but c < a (10.x - 192.x wraps positive): a cycle
    expect(compareServicesIpvs(a, b)).toBeLessThan(0);
    expect(compareServicesIpvs(b, c)).toBeLessThan(0);
    expect(compareServicesIpvs(a, c)).toBeGreaterThan(0);
    const order = (xs: IpvsServiceKey[]) => ipvsadmSort(xs, compareServicesIpvs).map((k) => (k.protocol === "fwmark" ? "" : k.address));
    expect(order([a, b, c])).toEqual(["10.0.0.1", "100.0.0.1", "192.168.0.1"]);
    expect(order([c, b, a])).toEqual(["192.168.0.1", "10.0.0.1", "100.0.0.1"]);
  });

  it("orders by fwmark, family, protocol, address, port", () => {
    const keys: IpvsServiceKey[] = [
      { protocol: "fwmark", family: "inet", fwmark: 2 },
      { protocol: "fwmark", family: "inet6", fwmark: 1 },
      { protocol: "fwmark", family: "inet", fwmark: 1 },
      { protocol: "sctp", family: "inet", address: "10.0.0.1", port: 1 },
      { protocol: "udp", family: "inet", address: "10.0.0.1", port: 1 },
      tcp("2001:db8::1", 1),
      tcp("10.0.0.1", 2),
      tcp("10.0.0.1", 1),
    ];
    expect(ipvsadmSort(keys, compareServicesIpvs)).toEqual([keys[7], keys[6], keys[4], keys[3], keys[5], keys[2], keys[1], keys[0]]);
  });

  it("orders real servers by address then port", () => {
    const ds = [{ address: "10.0.0.2", port: 1 }, { address: "10.0.0.1", port: 9 }, { address: "10.0.0.1", port: 3 }];
    expect(ipvsadmSort(ds, compareDestinationsIpvs)).toEqual([ds[2], ds[1], ds[0]]);
  });
});

describe("canonical", () => {
  it("names flag bits per scheduler", () => {
    expect(schedulerFlagNames("sh", schedulerFlagBits(["flag-2", "flag-1"]))).toEqual(["sh-fallback", "sh-port"]);
    expect(schedulerFlagNames("rr", schedulerFlagBits(["mh-port"]))).toEqual(["flag-2"]);
  });
  it("normalises masks, tunnels and DR ports", () => {
    const s = canonicalService({
      protocol: "tcp", family: "inet6", address: "2001:DB8::1", port: 80, scheduler: "wlc", flags: [],
      persistence: { timeout: 5, netmask: "128" }, persistenceEngine: null, onePacket: false,
      destinations: [{ address: "2001:db8::9", port: 8080, method: "tun", weight: 1, upperThreshold: 0, lowerThreshold: 0, tunnel: null }],
    });
    expect(s).toMatchObject({ address: "2001:db8::1", persistence: { timeout: 5, netmask: null } });
    expect(s.destinations[0]).toMatchObject({ port: 80, tunnel: { type: "ipip", port: null, checksum: null } });
  });
  it("compares tables as sets", () => {
    const mk = (...addrs: string[]) => ({ services: addrs.map((a) => ({ ...tcp(a, 80), scheduler: "wlc", flags: [], persistence: null, persistenceEngine: null, onePacket: false, destinations: [] })) });
    expect(equalTables(mk("10.0.0.1", "192.168.0.1", "100.0.0.1"), mk("100.0.0.1", "10.0.0.1", "192.168.0.1"))).toBe(true);
    expect(equalTables(mk("10.0.0.1"), mk("10.0.0.2"))).toBe(false);
  });
});

describe("sortServicesIpvs / sortDestinationsIpvs (keys read once) order as ipvsadmSort with the libipvs comparators", () => {
  const v4 = fc.tuple(fc.constantFrom(1, 10, 100, 127, 128, 192, 255), fc.nat(255)).map(([a, b]) => `${a}.0.${b}.1`);
  const v6 = fc.tuple(fc.constantFrom("2001:db8", "fe80", "::", "8000", "ffff"), fc.nat(3)).map(([p, b]) => (p === "::" ? `::${b + 1}` : `${p}::${b}`));
  const address = fc.oneof(v4, v6, fc.constant("not-an-address"));
  const key: fc.Arbitrary<IpvsServiceKey> = fc.oneof(
    fc.tuple(fc.constantFrom("tcp", "udp", "sctp") as fc.Arbitrary<"tcp" | "udp" | "sctp">, address, fc.constantFrom(0, 80, 443)).map(([protocol, a, port]) => ({ protocol, family: a.includes(":") ? "inet6" as const : "inet" as const, address: a, port })),
    fc.tuple(fc.constantFrom(1, 2, 0x7fffffff, 0x80000000, 0xffffffff), fc.constantFrom("inet", "inet6") as fc.Arbitrary<"inet" | "inet6">).map(([fwmark, family]) => ({ protocol: "fwmark" as const, family, fwmark })),
  );
  it("services, mixed families, marks and addresses 2^31 apart (a non-total order)", () => {
    fc.assert(fc.property(fc.array(key, { maxLength: 40 }), (xs) => {
      expect(sortServicesIpvs(xs)).toEqual(ipvsadmSort(xs, compareServicesIpvs));
    }), { numRuns: 500 });
  });
  it("real servers, mixed families", () => {
    fc.assert(fc.property(fc.array(fc.tuple(address, fc.constantFrom(0, 80, 8080)).map(([a, port]) => ({ address: a, port })), { maxLength: 40 }), (ds) => {
      expect(sortDestinationsIpvs(ds)).toEqual(ipvsadmSort(ds, compareDestinationsIpvs));
    }), { numRuns: 500 });
  });
});
