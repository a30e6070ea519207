import { describe, expect, it } from "vitest";
import { compileDirector } from "../compile.ts";
import { emptyTopology, newDirector, newMembership, newRealServer, newVirtualService } from "../defaults.ts";
import { serviceKeyOfVirtualService, serviceKeyString } from "../tableKey.ts";
import type { Counters, Rates, StatsSnapshot, Topology } from "../model.ts";
import { countWork } from "../testing/workCounter.ts";
import { destinationOf, healthKey, topologyFigures } from "./topologyStats.ts";

const c = (n: number): Counters => ({ conns: n, inPkts: 10 * n, outPkts: 9 * n, inBytes: 1000 * n, outBytes: 900 * n });
const r = (n: number): Rates => ({ cps: n, inPps: 10 * n, outPps: 9 * n, inBps: 1000 * n, outBps: 900 * n });

function demo(): Topology {
  const t = emptyTopology("demo");
  t.directors.push(newDirector("d1", "lb1"), newDirector("d2", "lb2"));
  t.services.push(
    newVirtualService("web", { protocol: "tcp", address: "127.0.10.1", port: 80 }, { directorIds: ["d1", "d2"] }),
    newVirtualService("dns", { protocol: "udp", address: "127.0.10.2", port: 53 }, { directorIds: ["d1"] }),
  );
  t.realServers.push(
    newRealServer("a", "127.0.20.1", { port: 8080 }),
    newRealServer("b", "127.0.20.2", { port: 8080 }),
    newRealServer("c", "127.0.20.3"),
  );
  t.memberships.push(
    newMembership("m-web-a", "web", "a", { method: "nat" }),
    newMembership("m-web-b", "web", "b", { method: "nat", state: "draining" }),
    newMembership("m-dns-a", "dns", "a", { method: "dr" }),
    newMembership("m-dns-c", "dns", "c", { method: "dr", state: "disabled" }),
  );
  return t;
}

/** What a director running `compileDirector` would report, with figures per destination index. */
function snapshotFor(t: Topology, directorId: string, at: number, scale: number): StatsSnapshot {
  const table = compileDirector(t, directorId);
  return {
    at,
    services: table.services.map((s, i) => ({
      key: s.protocol === "fwmark" ? { protocol: "fwmark", family: s.family, fwmark: s.fwmark } : { protocol: s.protocol, family: s.family, address: s.address, port: s.port },
      counters: c(scale * (i + 1) * 10),
      rates: r(scale * (i + 1) * 10),
      destinations: s.destinations.map((d, j) => ({
        address: d.address, port: d.port, weight: d.weight,
        activeConns: scale * (j + 1), inactConns: scale * (j + 2), persistConns: 0,
        counters: c(scale * (i + 1) * (j + 1)), rates: r(scale * (i + 1) * (j + 1)),
      })),
    })),
  };
}

describe("destinationOf", () => {
  it("gives the destination compileDirector puts in the table, for every membership and method", () => {
    const t = demo();
    const table = compileDirector(t, "d1");
    for (const m of t.memberships.filter((x) => x.state !== "disabled")) {
      const vs = t.services.find((s) => s.id === m.serviceId)!;
      const rs = t.realServers.find((x) => x.id === m.realServerId)!;
      const key = serviceKeyOfVirtualService(vs)!;
      const svc = table.services.find((s) => s.protocol !== "fwmark" && key.protocol !== "fwmark" && s.address === key.address && s.port === key.port)!;
      const dest = destinationOf(vs, rs, m)!;
      expect(svc.destinations.some((d) => d.address === dest.address && d.port === dest.port), m.id).toBe(true);
    }
    // NAT keeps the real server's port, DR the service port
    expect(destinationOf(t.services[0]!, t.realServers[0]!, t.memberships[0]!)).toEqual({ address: "127.0.20.1", port: 8080 });
    expect(destinationOf(t.services[1]!, t.realServers[0]!, t.memberships[2]!)).toEqual({ address: "127.0.20.1", port: 53 });
  });

  it("is null for an incomplete service", () => {
    const vs = newVirtualService("x", { protocol: "tcp", address: "127.0.0.1", port: 80 }, { port: null });
    expect(serviceKeyOfVirtualService(vs)).toBeNull();
    expect(destinationOf(vs, newRealServer("r", "127.0.0.2"), newMembership("m", "x", "r"))).toBeNull();
  });
});

describe("topologyFigures", () => {
  it("sums a service over its directors, a real server over its memberships, a director over its services", () => {
    const t = demo();
    const f = topologyFigures(t, { d1: snapshotFor(t, "d1", 1000, 1), d2: snapshotFor(t, "d2", 1000, 2) });
    // d1 table (ipvsadm order): TCP web (i=0), UDP dns (i=1); d2: TCP web only
    expect(f.services.web!.rates.cps).toBe(10 + 20);
    expect(f.services.dns!.rates.cps).toBe(20);
    // web destinations sorted a, b: j=0 → a, j=1 → b
    expect(f.memberships["m-web-a"]!.rates.cps).toBe(1 + 2);
    expect(f.memberships["m-web-a"]!.activeConns).toBe(1 + 2);
    expect(f.memberships["m-web-b"]!.weight).toBe(0);
    expect(f.memberships["m-web-a"]!.weight).toBe(2);
    // dns on d1 (i=1): a is j=0 → cps 2
    expect(f.memberships["m-dns-a"]!.rates.cps).toBe(2);
    expect(f.memberships["m-dns-c"]!.weight).toBeNull();
    expect(f.realServers.a!.rates.cps).toBe(3 + 2);
    expect(f.realServers.b!.quiesced).toBe(true);
    expect(f.realServers.a!.quiesced).toBe(false);
    expect(f.realServers.c!.quiesced).toBe(false);
    expect(f.services.web!.activeConns).toBe((1 + 2) + (2 + 4));
    expect(f.directors.d1!.rates.cps).toBe(10 + 20);
    expect(f.directors.d2!.rates.cps).toBe(20);
  });

  it("accepts the live channel's string service keys with the same result", () => {
    const t = demo();
    const snap = snapshotFor(t, "d1", 1000, 1);
    const asText = { services: snap.services.map((s) => ({ ...s, key: serviceKeyString(s.key) })) };
    expect(topologyFigures(t, { d1: asText })).toEqual(topologyFigures(t, { d1: snap }));
    expect(healthKey("d1", "tcp|127.0.10.1|80", "127.0.20.1", 8080)).toBe(healthKey("d1", serviceKeyOfVirtualService(t.services[0]!)!, "127.0.20.1", 8080));
  });

  it("an offline director (no snapshot) contributes nothing and still has zero figures", () => {
    const t = demo();
    const f = topologyFigures(t, { d1: snapshotFor(t, "d1", 1000, 1), d2: null });
    expect(f.services.web!.rates.cps).toBe(10);
    expect(f.directors.d2!.rates.cps).toBe(0);
    // snapshots of directors not in the topology are ignored
    const g = topologyFigures(t, { zz: snapshotFor(t, "d1", 1000, 1) });
    expect(g.services.web!.rates.cps).toBe(0);
  });

  it("health: a membership is down when any director sees it down; a real server is up, down or partial", () => {
    const t = demo();
    const web = serviceKeyOfVirtualService(t.services[0]!)!;
    const dns = serviceKeyOfVirtualService(t.services[1]!)!;
    const f = topologyFigures(t, {}, {
      [healthKey("d1", web, "127.0.20.1", 8080)]: "up",
      [healthKey("d2", web, "127.0.20.1", 8080)]: "down",
      [healthKey("d1", dns, "127.0.20.1", 53)]: "up",
      [healthKey("d1", web, "127.0.20.2", 8080)]: "up",
    });
    expect(f.memberships["m-web-a"]!.health).toBe("down");
    expect(f.memberships["m-dns-a"]!.health).toBe("up");
    expect(f.realServers.a!.health).toBe("partial");
    expect(f.realServers.b!.health).toBe("up");
    expect(f.realServers.c!.health).toBe("unknown");
    // reported by an engine with no transition on record: up (agents start checks as up)
    const reported = topologyFigures(t, { d1: snapshotFor(t, "d1", 1000, 1) }, { [healthKey("d1", web, "127.0.20.1", 8080)]: "down" });
    expect(reported.memberships["m-dns-a"]!.health).toBe("up");
    expect(reported.memberships["m-web-a"]!.health).toBe("down");
    expect(reported.realServers.a!.health).toBe("partial");
    expect(reported.realServers.c!.health).toBe("unknown");
    const g = topologyFigures(t, {}, { [healthKey("d1", web, "127.0.20.1", 8080)]: "down", [healthKey("d1", dns, "127.0.20.1", 53)]: "down" });
    expect(g.realServers.a!.health).toBe("down");
  });

  it("nothing reported: the same figures as empty snapshots, computed once per topology (the live views ask every second)", () => {
    const t = demo();
    const empty = { services: [] };
    expect(topologyFigures(t, {})).toEqual(topologyFigures(t, { d1: empty, d2: empty }));
    expect(topologyFigures(t, {}).memberships["m-web-a"]).toEqual({ ...topologyFigures(t, { d1: empty }).memberships["m-web-a"] });
    // a second call on the same document does no per-object work
    const big = demo();
    for (let i = 0; i < 500; i++) big.memberships.push(newMembership(`x${i}`, "web", "a", { method: "nat" }));
    topologyFigures(big, {});
    expect(countWork(() => topologyFigures(big, {})).steps).toBeLessThan(20);
    // the shared values cannot be changed by a reader
    expect(() => {
      (topologyFigures(big, {}).memberships.x1!.rates as { cps: number }).cps = 5;
    }).toThrow();
  });
});
