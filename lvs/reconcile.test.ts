import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { canonicalDestination, canonicalTable, comparableTable } from "./canonical.ts";
import type { IpvsDestination, IpvsService, IpvsTable } from "./model.ts";
import { applyOps, type Op } from "./ops.ts";
import { describeOp, plan, unmanagedServices } from "./reconcile.ts";
import { serviceKeyString } from "./tableKey.ts";
import { ipvsTableArbitrary } from "./testing/arbitraries.ts";
import { countWork, track } from "./testing/workCounter.ts";
import { genTable } from "./testing/bigTable.ts";
import { renderBatch, renderRules } from "./formats/ipvsadm/render.ts";
import { parseRules } from "./formats/ipvsadm/parse.ts";

const norm = comparableTable;

/** A desired table that shares, edits, drops and adds services and real servers relative to `a`. */
const pairArb = fc.tuple(ipvsTableArbitrary(), ipvsTableArbitrary()).chain(([a, other]) =>
  fc
    .tuple(
      fc.array(fc.constantFrom("keep", "drop", "edit"), { minLength: a.services.length, maxLength: a.services.length }),
      fc.array(fc.integer({ min: 0, max: 65535 }), { minLength: 8, maxLength: 8 }),
      fc.boolean(),
    )
    .map(([fates, weights, takeOther]) => {
      const kept: IpvsService[] = [];
      a.services.forEach((s, i) => {
        const fate = fates[i];
        if (fate === "drop") return;
        if (fate === "keep") return kept.push(s);
        const dests: IpvsDestination[] = s.destinations
          .filter((_, j) => j % 3 !== 1)
          .map((d, j) => ({ ...d, weight: weights[j % 8] ?? d.weight }));
        kept.push({ ...s, scheduler: s.scheduler === "rr" ? "wrr" : s.scheduler, onePacket: s.onePacket && i % 2 === 0, persistence: i % 2 && (s.protocol === "fwmark" || s.port !== 0) ? null : s.persistence, destinations: dests });
      });
      const keys = new Set(kept.map((s) => serviceKeyString(s)));
      const extra = takeOther ? other.services.filter((s) => !keys.has(serviceKeyString(s))) : [];
      return [a, { services: [...kept, ...extra] }] as [IpvsTable, IpvsTable];
    }),
);

describe("plan", () => {
  it("plan(A, A) is empty", () => {
    fc.assert(fc.property(ipvsTableArbitrary(), (a) => {
      expect(plan(a, a)).toEqual([]);
      expect(plan(a, JSON.parse(JSON.stringify(canonicalTable(a))) as IpvsTable)).toEqual([]);
    }), { numRuns: 150 });
  });

  it("applyOps(A, plan(A, B)) = B", () => {
    fc.assert(fc.property(pairArb, ([a, b]) => {
      expect(norm(applyOps(a, plan(a, b)))).toEqual(norm(b));
    }), { numRuns: 250 });
  });

  it("ipvsadm -R of renderBatch(plan(A, B)) on top of A's rules yields B (same parser as imports)", () => {
    fc.assert(fc.property(pairArb, ([a, b]) => {
      const r = parseRules(renderRules(a) + renderBatch(plan(a, b)));
      expect(r.errors).toEqual([]);
      expect(norm(r.table)).toEqual(norm(b));
    }), { numRuns: 150 });
  });

  it("is minimal: one op per service or real server that differs, none for what is equal", () => {
    const count = (a: IpvsTable, b: IpvsTable): number => {
      const byKey = (t: IpvsTable) => new Map(canonicalTable(t).services.map((s) => [serviceKeyString(s), s]));
      const sa = byKey(a);
      const sb = byKey(b);
      let n = 0;
      for (const k of new Set([...sa.keys(), ...sb.keys()])) {
        const x = sa.get(k);
        const y = sb.get(k);
        if (!y) n += 1; // -D removes the service with its real servers
        else if (!x) n += 1 + y.destinations.length;
        else {
          const { destinations: dx, ...restX } = x;
          const { destinations: dy, ...restY } = y;
          if (JSON.stringify(restX) !== JSON.stringify(restY)) n += 1;
          const da = new Map(dx.map((d) => [`${d.address}|${d.port}`, JSON.stringify(d)]));
          const db = new Map(dy.map((d) => [`${d.address}|${d.port}`, JSON.stringify(d)]));
          for (const dk of new Set([...da.keys(), ...db.keys()])) if (da.get(dk) !== db.get(dk)) n += 1;
        }
      }
      return n;
    };
    fc.assert(fc.property(pairArb, ([a, b]) => {
      expect(plan(a, b)).toHaveLength(count(a, b));
    }), { numRuns: 200 });
  });

  it("never clears, and only deletions drop connections", () => {
    fc.assert(fc.property(pairArb, ([a, b]) => {
      for (const o of plan(a, b)) {
        expect(o.kind).not.toBe("clear");
        expect(o.dropsConnections).toBe(o.kind === "delete-service" || o.kind === "delete-destination");
      }
    }), { numRuns: 100 });
  });

  it("leaves unmanaged services alone", () => {
    fc.assert(fc.property(pairArb, ([a, b]) => {
      const managed = (k: { protocol: string }) => k.protocol !== "udp";
      const ops = plan(a, b, { managed });
      const result = norm(applyOps(a, ops));
      const left = unmanagedServices(a, b, managed).map(serviceKeyString);
      const expected = norm({ services: [...b.services, ...a.services.filter((s) => left.includes(serviceKeyString(canonicalTable({ services: [s] }).services[0] as IpvsService)))] });
      expect(result).toEqual(expected);
      expect(left.every((k) => k.startsWith("udp|"))).toBe(true);
    }), { numRuns: 100 });
  });

  const svc = (over: Partial<IpvsService> = {}): IpvsService => ({
    protocol: "tcp", family: "inet", address: "10.0.0.1", port: 80, scheduler: "wlc", flags: [], persistence: null,
    persistenceEngine: null, onePacket: false, destinations: [], ...over,
  }) as IpvsService;
  const dst = (address: string, over: Partial<IpvsDestination> = {}): IpvsDestination => ({
    address, port: 80, method: "dr", weight: 1, upperThreshold: 0, lowerThreshold: 0, tunnel: null, ...over,
  });

  it("edits in place, makes before it breaks, and renders an ipvsadm -R batch", () => {
    const actual: IpvsTable = { services: [
      svc({ destinations: [dst("10.0.1.1"), dst("10.0.1.2"), dst("10.0.1.3", { method: "nat", port: 8080 })] }),
      svc({ address: "10.0.0.9" }),
    ] };
    const desired: IpvsTable = { services: [
      svc({ scheduler: "rr", persistence: { timeout: 360, netmask: null }, destinations: [
        dst("10.0.1.1", { weight: 0 }), dst("10.0.1.3", { method: "nat", port: 8081 }), dst("10.0.1.4"),
      ] }),
      svc({ address: "10.0.0.2", port: 443 }),
    ] };
    const ops = plan(actual, desired);
    expect(renderBatch(ops)).toBe([
      "-A -t 10.0.0.2:443 -s wlc",
      "-E -t 10.0.0.1:80 -s rr -p 360",
      "-e -t 10.0.0.1:80 -r 10.0.1.1:80 -g -w 0",
      "-a -t 10.0.0.1:80 -r 10.0.1.3:8081 -m -w 1",
      "-a -t 10.0.0.1:80 -r 10.0.1.4:80 -g -w 1",
      "-d -t 10.0.0.1:80 -r 10.0.1.2:80",
      "-d -t 10.0.0.1:80 -r 10.0.1.3:8080",
      "-D -t 10.0.0.9:80",
      "",
    ].join("\n"));
    expect(ops.map(describeOp)).toEqual([
      "add virtual service TCP 10.0.0.2:443: scheduler wlc",
      "change virtual service TCP 10.0.0.1:80: scheduler wlc → scheduler rr, persistent 360 s",
      "change real server 10.0.1.1:80 in TCP 10.0.0.1:80: direct routing, weight 1 → direct routing, weight 0 (quiesce: no new connections, established ones continue)",
      "add real server 10.0.1.3:8081 to TCP 10.0.0.1:80: NAT, weight 1",
      "add real server 10.0.1.4:80 to TCP 10.0.0.1:80: direct routing, weight 1",
      "remove real server 10.0.1.2:80 from TCP 10.0.0.1:80 (drops its established connections)",
      "remove real server 10.0.1.3:8080 from TCP 10.0.0.1:80 (drops its established connections)",
      "delete virtual service TCP 10.0.0.9:80 (drops its established connections)",
    ]);
  });

  it("treats a tun real server without options like ipvsadm's ipip default (no spurious -e)", () => {
    const a: IpvsTable = { services: [svc({ destinations: [dst("10.0.1.1", { method: "tun", tunnel: null })] })] };
    const b: IpvsTable = { services: [svc({ destinations: [dst("10.0.1.1", { method: "tun", tunnel: { type: "ipip", port: null, checksum: null } })] })] };
    expect(plan(a, b)).toEqual([] as Op[]);
  });
});

describe("plan: new services' real servers in the given order", () => {
  it("adds them in the desired table's order, canonical, each once (property, small and large services)", () => {
    const big = genTable(3, 40);
    fc.assert(fc.property(fc.oneof(ipvsTableArbitrary(), fc.constant(big)), fc.boolean(), (b, reversed) => {
      const desired = reversed ? { ...b, services: b.services.map((s) => ({ ...s, destinations: [...s.destinations].reverse() })) } : b;
      const ops = plan({ services: [] }, desired);
      const canonical = canonicalTable(desired);
      for (const s of desired.services) {
        const key = serviceKeyString(canonicalTable({ services: [s] }).services[0]!);
        const added = ops.filter((o) => o.kind === "add-destination" && serviceKeyString(o.service) === key).map((o) => o.kind === "add-destination" && `${o.destination.address}|${o.destination.port}`);
        const canonService = canonicalTable({ services: [s] }).services[0]!;
        const want = [...new Set(s.destinations.map((x) => { const c = canonicalDestination(canonService, x); return `${c.address}|${c.port}`; }))];
        expect(added).toEqual(want);
      }
      expect(canonical.services.length).toBe(ops.filter((o) => o.kind === "add-service").length);
    }), { numRuns: 150 });
  });
});

describe("plan with canonical inputs given (the agent's second plan against the same desired table)", () => {
  it("gives the same ops as canonicalising both tables itself (property)", () => {
    fc.assert(fc.property(ipvsTableArbitrary(), ipvsTableArbitrary(), (actual, desired) => {
      const canonicalActual = canonicalTable(actual);
      const shuffled = { ...canonicalActual, services: [...canonicalActual.services].reverse() };
      const want = plan(actual, desired);
      expect(plan(canonicalActual, desired, { actualCanonical: true, canonicalDesired: canonicalTable(desired) })).toEqual(want);
      // in the kernel's order instead of ipvsadm's: the same ops (deletes follow the actual table's order)
      const sorted = (ops: Op[]) => ops.map((o) => JSON.stringify(o)).sort();
      expect(sorted(plan(shuffled, desired, { actualCanonical: true }))).toEqual(sorted(want));
    }), { numRuns: 150 });
  });
});

describe("plan with canonical inputs given: complexity guard (operation counts, no clock)", () => {
  it("the residual plan after a read-back does not canonicalise and sort the tables again", () => {
    const desired = genTable(400, 10);
    const after = canonicalTable(desired);
    const canonicalDesired = canonicalTable(desired);
    const full = countWork(() => plan(track(after), track(desired))).steps;
    const given = countWork(() => plan(track(after), track(desired), { actualCanonical: true, canonicalDesired: track(canonicalDesired) })).steps;
    expect(plan(after, desired, { actualCanonical: true, canonicalDesired })).toEqual([]);
    // canonicalising both tables again (4 400 real servers, sorted twice) is ~40 % of the steps otherwise
    expect(given).toBeLessThan(full * 0.7);
  });
});
