import { describe, expect, it } from "vitest";
import { diffTopologies, renderDiff } from "./diff.ts";
import type { Topology } from "./model.ts";

const base: Topology = {
  name: "t",
  directors: [{ id: "d1", name: "lb1", managementAddress: null, interfaces: [{ name: "eth0", address: "10.0.0.1", prefix: 24 }], engine: "auto" }],
  services: [{
    id: "s1", protocol: "tcp", family: "inet", address: "10.0.0.100", port: 80, fwmark: null, scheduler: "wlc", flags: [],
    persistence: null, persistenceEngine: null, onePacket: false, description: "", directorIds: ["d1"], healthCheck: null,
    sorryServer: null, proxyProtocol: false,
  }],
  realServers: [
    { id: "r1", name: "web1", address: "10.0.0.7", port: 80, host: { loopbackVips: [], tunnelVips: [], arpSuppressed: false, gateway: null } },
  ],
  memberships: [{ id: "m1", serviceId: "s1", realServerId: "r1", method: "dr", weight: 1, upperThreshold: 0, lowerThreshold: 0, tunnel: null, state: "active", healthCheck: null }],
  layout: { s1: { x: 0, y: 0 } },
};

const clone = (t: Topology): Topology => structuredClone(t);

describe("diffTopologies", () => {
  it("is empty for equal topologies and ignores canvas positions", () => {
    const b = clone(base);
    b.layout.s1 = { x: 50, y: 50 };
    expect(diffTopologies(base, b)).toEqual([]);
  });

  it("reads like an operator's change list", () => {
    const b = clone(base);
    b.services[0]!.scheduler = "rr";
    b.services[0]!.persistence = { timeout: 360, netmask: null };
    b.memberships[0]!.weight = 3;
    b.memberships[0]!.state = "draining";
    b.realServers.push({ id: "r2", name: "", address: "10.0.0.8", port: 80, host: base.realServers[0]!.host });
    b.memberships.push({ ...base.memberships[0]!, id: "m2", realServerId: "r2" });
    b.directors = [];
    expect(renderDiff(diffTopologies(base, b))).toMatchInlineSnapshot(`
      "- director lb1
      ~ TCP 10.0.0.100:80: persistence none → -p 360, scheduler wlc → rr
      + real server 10.0.0.8:80
      ~ TCP 10.0.0.100:80 -> 10.0.0.7:80: state active → draining, weight 1 → 3
      + TCP 10.0.0.100:80 -> 10.0.0.8:80"
    `);
  });

  it("labels removed memberships from the old revision and fwmark/IPv6 services", () => {
    const a = clone(base);
    a.services[0] = { ...a.services[0]!, protocol: "fwmark", address: null, port: null, fwmark: 7, family: "inet6" };
    const b = clone(a);
    b.memberships = [];
    expect(renderDiff(diffTopologies(a, b))).toBe("- FWM 7 IPv6 -> 10.0.0.7:80");
  });

  it("shows a director's connection timeouts as the --set line they become", () => {
    const b = clone(base);
    b.directors[0] = { ...b.directors[0]!, timeouts: { tcp: 900, tcpfin: 120, udp: 300 } };
    const c = clone(b);
    c.directors[0] = { ...c.directors[0]!, timeouts: { tcp: 3600, tcpfin: 0, udp: 300 } };
    expect(renderDiff(diffTopologies(base, b))).toBe("~ director lb1: timeouts none → --set 900 120 300");
    expect(renderDiff(diffTopologies(b, c))).toBe("~ director lb1: timeouts --set 900 120 300 → --set 3600 0 300");
  });
});
