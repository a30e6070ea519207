import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { compileDirector, compileTopology } from "./compile.ts";
import { emptyTopology, newDirector, newMembership, newRealServer, newVirtualService, persistence, sequentialIds } from "./defaults.ts";
import { comparableTable } from "./canonical.ts";
import { tableToTopology } from "./tableToTopology.ts";
import { ipvsTableArbitrary } from "./testing/arbitraries.ts";
import { renderRules } from "./formats/ipvsadm/render.ts";
import { LvsError } from "./errors.ts";
import type { Topology } from "./model.ts";
import { topologySchema } from "./schemas.ts";

function sample(): Topology {
  const t = emptyTopology("lab");
  t.directors.push(newDirector("d1", "lvs-a"), newDirector("d2", "lvs-b"));
  t.services.push(
    newVirtualService("web", { protocol: "tcp", address: "10.0.0.100", port: 80 }, { directorIds: ["d1", "d2"], scheduler: "rr" }),
    newVirtualService("dns", { protocol: "udp", address: "2001:DB8::53", port: 53 }, { directorIds: ["d1"], persistence: persistence(), onePacket: true }),
    newVirtualService("mark", { protocol: "fwmark", fwmark: 7 }, { directorIds: ["d2"] }),
  );
  t.realServers.push(
    newRealServer("rs1", "10.0.1.1", { port: 8080 }),
    newRealServer("rs2", "10.0.1.2"),
    newRealServer("rs3", "10.0.1.3"),
    newRealServer("rs6", "2001:db8::10"),
  );
  t.memberships.push(
    newMembership("m1", "web", "rs1"), // DR: port forced to 80
    newMembership("m2", "web", "rs2", { method: "nat", weight: 5, state: "draining" }),
    newMembership("m3", "web", "rs3", { state: "disabled" }),
    newMembership("m4", "dns", "rs6", { method: "tun" }),
    newMembership("m5", "mark", "rs1", { method: "nat" }),
    newMembership("m6", "mark", "rs2"),
  );
  return t;
}

describe("defaults", () => {
  it("use ipvsadm's defaults and pass the schema", () => {
    const t = sample();
    expect(topologySchema.safeParse(t).success).toBe(true);
    expect(newVirtualService("v", { protocol: "tcp", address: "10.0.0.1", port: 80 })).toMatchObject({ scheduler: "wlc", flags: [], persistence: null, persistenceEngine: null, onePacket: false, fwmark: null });
    expect(t.services[1]).toMatchObject({ family: "inet6", address: "2001:db8::53", persistence: { timeout: 360, netmask: null } });
    expect(t.memberships[0]).toMatchObject({ method: "dr", weight: 1, upperThreshold: 0, lowerThreshold: 0, state: "active" });
    const ids = sequentialIds("x-");
    expect([ids("service"), ids("service"), ids("realServer")]).toEqual(["x-svc-1", "x-svc-2", "x-rs-1"]);
  });
});

describe("compileDirector", () => {
  it("places services, forces DR/TUN ports, drains to weight 0 and omits disabled memberships", () => {
    const t = sample();
    expect(renderRules(compileDirector(t, "d1"))).toBe([
      "-A -t 10.0.0.100:80 -s rr",
      "-a -t 10.0.0.100:80 -r 10.0.1.1:80 -g -w 1",
      "-a -t 10.0.0.100:80 -r 10.0.1.2:80 -m -w 0",
      "-A -u [2001:db8::53]:53 -s wlc -p 360 -o",
      "-a -u [2001:db8::53]:53 -r [2001:db8::10]:53 -i -w 1 --tun-type ipip",
      "",
    ].join("\n"));
    expect(renderRules(compileDirector(t, "d2"))).toBe([
      "-A -t 10.0.0.100:80 -s rr",
      "-a -t 10.0.0.100:80 -r 10.0.1.1:80 -g -w 1",
      "-a -t 10.0.0.100:80 -r 10.0.1.2:80 -m -w 0",
      "-A -f 7 -s wlc",
      "-a -f 7 -r 10.0.1.1:8080 -m -w 1",
      "-a -f 7 -r 10.0.1.2:0 -g -w 1",
      "",
    ].join("\n"));
    expect(Object.keys(compileTopology(t))).toEqual(["d1", "d2"]);
  });

  it("throws on unknown directors, dangling real servers and colliding keys", () => {
    const t = sample();
    expect(() => compileDirector(t, "nope")).toThrow(LvsError);
    const dangling = { ...t, memberships: [...t.memberships, newMembership("m9", "web", "ghost")] };
    expect(() => compileDirector(dangling, "d1")).toThrow(/ghost/);
    const dup = { ...t, memberships: [...t.memberships, newMembership("m10", "web", "rs1")] };
    expect(() => compileDirector(dup, "d1")).toThrow(/m1 and m10/);
  });
});

describe("tableToTopology", () => {
  it("dedupes real servers by address and port and keeps ids deterministic", () => {
    const t = sample();
    const table = compileDirector(t, "d2");
    const topo = tableToTopology(table, { newId: sequentialIds(), director: { name: "imported-a" } });
    expect(topo.directors.map((d) => d.id)).toEqual(["dir-1"]);
    expect(topo.services.map((s) => s.id)).toEqual(["svc-1", "svc-2"]);
    expect(topo.realServers.map((r) => [r.id, r.address, r.port])).toEqual([
      ["rs-1", "10.0.1.1", null], ["rs-2", "10.0.1.2", null], ["rs-3", "10.0.1.1", 8080],
    ]);
    expect(topologySchema.safeParse(topo).success).toBe(true);
  });

  it("compileDirector(tableToTopology(t)) = t (as sets)", () => {
    fc.assert(fc.property(ipvsTableArbitrary(), (table) => {
      const topo = tableToTopology(table, { newId: sequentialIds(), director: { name: "d" } });
      expect(topologySchema.safeParse(topo).success).toBe(true);
      expect(comparableTable(compileDirector(topo, "dir-1"))).toEqual(comparableTable(table));
    }), { numRuns: 200 });
  });
});
