import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { newDirector, newMembership, newRealServer, newVirtualService } from "./defaults.ts";
import type { Topology } from "./model.ts";
import { packRows, packTopology, unpackRows, unpackTopology } from "./packedTopology.ts";
import { ipv4Arbitrary, ipv6Arbitrary } from "./testing/arbitraries.ts";

/** What the browser gets: the packed value through JSON. */
const wire = (t: Topology) => unpackTopology(JSON.parse(JSON.stringify(packTopology(t))));

const hostile = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.string({ unit: "grapheme", maxLength: 8 }),
  fc.constantFrom("__proto__", "constructor", "toString", "", "\u0000", "\"'`<script>", "a\nb", "😀", "hasOwnProperty"),
);

/** Documents in the shapes users have: IPv4, IPv6 and fwmark services side by side, repeated and odd values, optional fields left out. */
const topologyArbitrary: fc.Arbitrary<Topology> = fc
  .record({
    name: hostile,
    services: fc.array(
      fc.record({
        id: hostile,
        kind: fc.constantFrom("tcp", "udp", "sctp", "fwmark"),
        v6: fc.boolean(),
        v4: ipv4Arbitrary(),
        v6a: ipv6Arbitrary(),
        port: fc.integer({ min: 0, max: 65535 }),
        mark: fc.integer({ min: 1, max: 0xffffffff }),
        description: hostile,
        dropKey: fc.constantFrom(null, "sorryServer", "proxyProtocol", "healthCheck"),
      }),
      { maxLength: 12 },
    ),
    servers: fc.array(fc.record({ id: hostile, v6: fc.boolean(), v4: ipv4Arbitrary(), v6a: ipv6Arbitrary(), name: hostile }), { maxLength: 8 }),
    links: fc.array(fc.record({ id: hostile, s: fc.nat(), r: fc.nat(), method: fc.constantFrom("nat" as const, "dr" as const, "tun" as const), weight: fc.integer({ min: 0, max: 65535 }), extra: fc.option(hostile) }), { maxLength: 20 }),
    layout: fc.dictionary(hostile, fc.record({ x: fc.integer(), y: fc.integer() }), { maxKeys: 4 }),
    ha: fc.boolean(),
  })
  .map(({ name, services, servers, links, layout, ha }) => {
    const t: Topology = { name, directors: [newDirector("d1", "lb1"), newDirector("d2", name)], services: [], realServers: [], memberships: [], layout };
    for (const s of services) {
      const v = s.kind === "fwmark"
        ? newVirtualService(s.id, { protocol: "fwmark", family: s.v6 ? "inet6" : "inet", fwmark: s.mark }, { description: s.description, directorIds: ["d1"] })
        : newVirtualService(s.id, { protocol: s.kind, address: s.v6 ? s.v6a : s.v4, port: s.port }, { description: s.description, directorIds: ["d1", "d2"] });
      if (s.dropKey) delete (v as unknown as Record<string, unknown>)[s.dropKey];
      t.services.push(v);
    }
    for (const r of servers) t.realServers.push(newRealServer(r.id, r.v6 ? r.v6a : r.v4, { name: r.name }));
    for (const l of links) {
      const s = t.services[l.s % Math.max(1, t.services.length)]?.id ?? "none";
      const r = t.realServers[l.r % Math.max(1, t.realServers.length)]?.id ?? "none";
      const m = newMembership(l.id, s, r, { method: l.method, weight: l.weight });
      t.memberships.push(l.extra === null ? m : ({ [l.extra]: 1, ...m } as typeof m));
    }
    if (ha) t.haGroups = [{ id: "ha1", directorIds: ["d1", "d2"], vrid: 51 } as unknown as NonNullable<Topology["haGroups"]>[number]];
    return t;
  });

describe("packTopology / unpackTopology", () => {
  it("round-trips any document through JSON, key for key and in order (IPv4, IPv6, fwmark, hostile strings)", () => {
    fc.assert(fc.property(topologyArbitrary, (t) => {
      expect(JSON.stringify(wire(t))).toBe(JSON.stringify(t));
    }), { numRuns: 100 });
  });

  it("a key named __proto__ stays an own property and changes no prototype", () => {
    const rows = unpackRows(JSON.parse(JSON.stringify(packRows([JSON.parse('{"__proto__":{"polluted":1},"id":"a"}')]))));
    expect(Object.getPrototypeOf(rows[0])).toBe(Object.prototype);
    expect(Object.keys(rows[0]!)).toEqual(["__proto__", "id"]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("a big cluster packs to under a third of its JSON: key names once, few-valued strings as a dictionary", () => {
    const t: Topology = { name: "big", directors: [newDirector("d1", "lb1")], services: [], realServers: [], memberships: [], layout: {} };
    for (let s = 0; s < 400; s++) {
      t.services.push(newVirtualService(`svc-${s}`, { protocol: s % 10 ? "tcp" : "udp", address: `10.0.${s >> 8}.${s & 255}`, port: 30000 + (s % 4) }, { directorIds: ["d1"] }));
      t.realServers.push(newRealServer(`rs-${s}`, s % 2 ? `10.9.${s >> 8}.${s & 255}` : `2001:db8::${s.toString(16)}`));
      for (let k = 0; k < 5; k++) t.memberships.push(newMembership(`m-${s * 5 + k}`, `svc-${s}`, `rs-${(s + k) % 400}`, { state: k === 4 ? "draining" : "active" }));
    }
    const packed = JSON.stringify(packTopology(t)).length;
    expect(packed / JSON.stringify(t).length).toBeLessThan(1 / 3);
    const m = packTopology(t).rows.memberships!;
    expect(m.cols[m.keys.indexOf("state")]).toEqual({ d: ["active", "draining"], i: expect.any(Array) });
    expect(JSON.stringify(wire(t))).toBe(JSON.stringify(t));
  });

  it("refuses a malformed packed value with an error naming the part", () => {
    const good = JSON.parse(JSON.stringify(packTopology({ name: "x", directors: [newDirector("d1", "a")], services: [], realServers: [], memberships: [], layout: {} })));
    const broken = (f: (p: typeof good) => void) => {
      const p = structuredClone(good);
      f(p);
      return () => unpackTopology(p);
    };
    expect(() => unpackTopology(null)).toThrow(/format/);
    expect(() => unpackTopology({ format: "lvs-packed-topology/0" })).toThrow(/format is not lvs-packed-topology\/1/);
    expect(broken((p) => (p.order = ["name", "nothing"]))).toThrow(/order names "nothing"/);
    expect(broken((p) => (p.rows.directors.n = -1))).toThrow(/directors\.n is not a count/);
    expect(broken((p) => (p.rows.directors.cols = []))).toThrow(/directors\.cols must have one column per key/);
    expect(broken((p) => (p.rows.directors.cols[0] = { v: [] }))).toThrow(/directors\.cols\[0\] \(id\) must hold 1 values/);
    expect(broken((p) => (p.rows.directors.shapes = [[99]]))).toThrow(/directors\.shapes/);
    expect(broken((p) => (p.rows.directors.shape = 3))).toThrow(/directors\.shape must give each row a known shape/);
    expect(broken((p) => (p.rows.directors.cols[0] = { d: ["a"], i: [5] }))).toThrow(/directors\.cols\[0\] has an index outside its dictionary/);
    expect(() => packRows([1])).toThrow(/rows\[0\] is not an object/);
  });
});
