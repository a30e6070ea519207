import { describe, expect, it } from "vitest";
import { validate, validateTable } from "./validate.ts";
import { ISSUE_CODES, type Issue } from "./issues.ts";
import type { Membership, RealServer, Topology, VirtualService, IpvsTable } from "./model.ts";

const timing = { intervalMs: 5000, timeoutMs: 2000, rise: 2, fall: 3, onFailure: "quiesce" as const };

function svc(id: string, over: Partial<VirtualService>): VirtualService {
  return {
    id, protocol: "tcp", family: "inet", address: "192.168.1.100", port: 80, fwmark: null, scheduler: "wlc",
    flags: [], persistence: null, persistenceEngine: null, onePacket: false, description: "", directorIds: ["d1", "d2"],
    healthCheck: null, sorryServer: null, proxyProtocol: false, ...over,
  };
}
function rs(id: string, address: string, over: Partial<RealServer> = {}): RealServer {
  return { id, name: id, address, port: null, host: { loopbackVips: [], tunnelVips: [], arpSuppressed: false, gateway: null }, ...over };
}
function mem(id: string, serviceId: string, realServerId: string, over: Partial<Membership> = {}): Membership {
  return { id, serviceId, realServerId, method: "nat", weight: 1, upperThreshold: 0, lowerThreshold: 0, tunnel: null, state: "active", healthCheck: null, ...over };
}

/** A clean topology: NAT web on an HA pair, DR dns on one director, TUN https to a remote site. */
function base(): Topology {
  return {
    name: "lab",
    directors: [
      { id: "d1", name: "lvs1", managementAddress: null, engine: "ipvs", interfaces: [{ name: "eth0", address: "192.168.1.10", prefix: 24 }, { name: "eth1", address: "10.0.0.1", prefix: 24 }] },
      { id: "d2", name: "lvs2", managementAddress: null, engine: "ipvs", interfaces: [{ name: "eth0", address: "192.168.1.11", prefix: 24 }, { name: "eth1", address: "10.0.0.2", prefix: 24 }] },
    ],
    services: [
      svc("web", { healthCheck: { kind: "http", port: null, path: "/", host: null, status: [200, 299], bodyMatch: null, ...timing } }),
      svc("dns", { protocol: "udp", address: "192.168.1.53", port: 53, directorIds: ["d1"], onePacket: true }),
      svc("tls", { address: "192.168.1.200", port: 443, directorIds: ["d1"], persistence: { timeout: 360, netmask: "255.255.255.0" } }),
    ],
    realServers: [
      rs("web1", "10.0.0.11", { port: 8080, host: { loopbackVips: [], tunnelVips: [], arpSuppressed: false, gateway: "10.0.0.1" } }),
      rs("web2", "10.0.0.12", { port: 8080, host: { loopbackVips: [], tunnelVips: [], arpSuppressed: false, gateway: "10.0.0.2" } }),
      rs("ns1", "192.168.1.21", { host: { loopbackVips: ["192.168.1.53"], tunnelVips: [], arpSuppressed: true, gateway: "192.168.1.1" } }),
      rs("far", "203.0.113.5", { host: { loopbackVips: [], tunnelVips: ["192.168.1.200"], arpSuppressed: true, gateway: "203.0.113.1" } }),
    ],
    memberships: [
      mem("m1", "web", "web1"),
      mem("m2", "web", "web2", { weight: 3 }),
      mem("m3", "dns", "ns1", { method: "dr" }),
      mem("m4", "tls", "far", { method: "tun", tunnel: { type: "gue", port: 6080, checksum: "remcsum" } }),
    ],
    layout: {},
  };
}

function codes(issues: Issue[]): string[] {
  return issues.map((i) => `${i.severity} ${i.code} @${i.objectId} ${i.path.join("/")}`);
}

describe("validate", () => {
  it("accepts a clean NAT/DR/TUN topology", () => {
    expect(validate(base())).toEqual([]);
  });

  it("never throws on garbage and reports schema issues with ids in paths", () => {
    expect(() => validate(null as unknown as Topology)).not.toThrow();
    expect(codes(validate(42 as unknown as Topology))).toMatchInlineSnapshot(`
      [
        "error schema.invalid-type @null ",
      ]
    `);
    const t = base() as unknown as { services: Record<string, unknown>[] };
    t.services[1]!.port = 70000;
    t.services[2]!.address = "not-an-ip";
    t.services[0]!.onePacket = true;
    // the well-formed rest is still checked (web's -o), links to malformed objects are not "missing"
    expect(codes(validate(t as unknown as Topology))).toMatchInlineSnapshot(`
      [
        "error schema.out-of-range @dns services/dns/port",
        "error schema.invalid-format @tls services/tls/address",
        "error service.one-packet-not-udp @web services/web/onePacket",
      ]
    `);
  });

  const cases: [string, (t: Topology) => void][] = [
    ["port 0 without persistence", (t) => { t.services[0]!.port = 0; }],
    ["port 0 with persistence is fine", (t) => { t.services[2]!.port = 0; }],
    ["-o on TCP", (t) => { t.services[0]!.onePacket = true; }],
    ["sh flag with wlc, flag-1 with mh", (t) => { t.services[0]!.flags = ["sh-port"]; t.services[1]!.scheduler = "mh"; t.services[1]!.flags = ["flag-1", "mh-port"]; }],
    ["unknown scheduler and twos", (t) => { t.services[0]!.scheduler = "roundrobin"; t.services[1]!.scheduler = "twos"; }],
    ["-M invalid for family", (t) => { t.services[2]!.persistence = { timeout: 60, netmask: "255.0.255.0" }; }],
    ["--pe without persistence, sip on TCP", (t) => { t.services[0]!.persistenceEngine = "sip"; t.services[2]!.persistenceEngine = "sip"; }],
    ["fwmark fields inconsistent", (t) => { t.services[1]!.protocol = "fwmark"; t.services[1]!.onePacket = false; }],
    ["VIP of the wrong family", (t) => { t.services[0]!.family = "inet6"; }],
    ["duplicate service on a shared director", (t) => { t.services[2]!.address = "192.168.1.100"; t.services[2]!.port = 80; }],
    ["same VIP on different directors is fine", (t) => { t.services[1]!.protocol = "tcp"; t.services[1]!.onePacket = false; t.services[1]!.address = "192.168.1.100"; t.services[1]!.port = 80; t.services[0]!.directorIds = ["d2"]; }],
    ["duplicate real server in one service", (t) => { t.memberships.push(mem("m5", "web", "web1", { weight: 2 })); }],
    ["DR port mapping collides with an existing destination", (t) => { t.realServers[2]!.port = 5353; t.memberships.push(mem("m5", "dns", "ns1", { method: "dr" })); }],
    ["mixed family outside TUN is an error, inside TUN fine", (t) => { t.realServers[0]!.address = "fd00::11"; t.realServers[3]!.address = "2001:db8::5"; }],
    ["thresholds: -y above -x and -y without -x", (t) => { t.memberships[0]!.upperThreshold = 10; t.memberships[0]!.lowerThreshold = 20; t.memberships[1]!.lowerThreshold = 5; }],
    ["tunnel options: without TUN, gue without port, ipip csum, gre remcsum", (t) => {
      t.memberships[0]!.tunnel = { type: "ipip", port: null, checksum: null };
      t.memberships[3]!.tunnel = { type: "gue", port: null, checksum: null };
      t.memberships.push(mem("m5", "tls", "web1", { method: "tun", tunnel: { type: "ipip", port: null, checksum: "csum" } }));
      t.memberships.push(mem("m6", "tls", "web2", { method: "tun", tunnel: { type: "gre", port: 4754, checksum: "remcsum" } }));
      t.realServers[0]!.host.tunnelVips = ["192.168.1.200"];
      t.realServers[1]!.host.tunnelVips = ["192.168.1.200"];
    }],
    ["DR: port mapping ignored, RIP off-subnet, VIP not on lo, ARP, gateway = DIP", (t) => {
      t.realServers[2] = rs("ns1", "172.16.0.21", { port: 5353, host: { loopbackVips: [], tunnelVips: [], arpSuppressed: false, gateway: "192.168.1.10" } });
    }],
    ["NAT: RIP off the DIP subnets, gateway elsewhere or undeclared", (t) => {
      t.realServers[0]!.address = "172.16.0.11";
      t.realServers[0]!.host.gateway = "172.16.0.1";
      t.realServers[1]!.host.gateway = null;
    }],
    ["TUN: VIP not on tunl0", (t) => { t.realServers[3]!.host.tunnelVips = []; }],
    ["placement and membership health", (t) => {
      t.services[1]!.directorIds = [];
      t.services[2]!.directorIds = ["d1", "nope"];
      t.memberships[3]!.state = "disabled";
      t.memberships[0]!.state = "draining";
      t.memberships[1]!.weight = 0;
      t.memberships.push(mem("m9", "ghost", "phantom"));
    }],
    ["service without any real server", (t) => { t.memberships = t.memberships.filter((m) => m.serviceId !== "dns"); }],
    ["duplicate ids, proxy protocol on kernel IPVS, inverted status range", (t) => {
      t.realServers.push(rs("web", "10.0.0.99"));
      t.services[0]!.proxyProtocol = true;
      t.services[0]!.sorryServer = { address: "2001:db8::99", port: 80 };
      t.memberships[0]!.healthCheck = { kind: "http", port: 8080, path: "/health", host: null, status: [299, 200], bodyMatch: null, ...timing };
    }],
  ];

  it("reports each rule (table of cases)", () => {
    const result: Record<string, string[]> = {};
    for (const [name, mutate] of cases) {
      const t = base();
      mutate(t);
      result[name] = codes(validate(t));
    }
    expect(result).toMatchInlineSnapshot(`
      {
        "--pe without persistence, sip on TCP": [
          "warning service.pe-without-persistence @web services/web/persistenceEngine",
          "warning service.pe-sip-not-udp @tls services/tls/persistenceEngine",
        ],
        "-M invalid for family": [
          "error service.netmask-invalid @tls services/tls/persistence/netmask",
        ],
        "-o on TCP": [
          "error service.one-packet-not-udp @web services/web/onePacket",
        ],
        "DR port mapping collides with an existing destination": [
          "warning destination.port-ignored @m3 memberships/m3/port",
          "warning destination.port-ignored @m5 memberships/m5/port",
          "error destination.duplicate @m5 memberships/m5/realServerId",
        ],
        "DR: port mapping ignored, RIP off-subnet, VIP not on lo, ARP, gateway = DIP": [
          "warning destination.port-ignored @m3 memberships/m3/port",
          "error dr.rip-outside-dip-subnet @m3 memberships/m3/method",
          "warning dr.vip-not-on-loopback @ns1 realServers/ns1/host/loopbackVips",
          "warning dr.arp-not-suppressed @ns1 realServers/ns1/host/arpSuppressed",
          "error dr.gateway-is-director @ns1 realServers/ns1/host/gateway",
        ],
        "NAT: RIP off the DIP subnets, gateway elsewhere or undeclared": [
          "warning nat.rip-outside-dip-subnet @m1 memberships/m1/method",
          "warning nat.rip-outside-dip-subnet @m1 memberships/m1/method",
          "warning nat.gateway-not-director @web1 realServers/web1/host/gateway",
          "warning nat.gateway-not-director @web2 realServers/web2/host/gateway",
        ],
        "TUN: VIP not on tunl0": [
          "warning tun.vip-not-on-tunnel @far realServers/far/host/tunnelVips",
        ],
        "VIP of the wrong family": [
          "error service.address-family @web services/web/address",
          "error destination.address-family @m1 memberships/m1/method",
          "error destination.address-family @m2 memberships/m2/method",
        ],
        "duplicate ids, proxy protocol on kernel IPVS, inverted status range": [
          "error topology.duplicate-id @web realServers/web/id",
          "warning service.proxy-protocol-needs-userspace @web services/web/proxyProtocol",
          "warning service.sorry-server-family @web services/web/sorryServer/address",
          "error service.health-check-status-range @m1 memberships/m1/healthCheck/status",
        ],
        "duplicate real server in one service": [
          "error destination.duplicate @m5 memberships/m5/realServerId",
        ],
        "duplicate service on a shared director": [
          "error service.duplicate @tls services/tls/directorIds",
          "warning tun.vip-not-on-tunnel @far realServers/far/host/tunnelVips",
        ],
        "fwmark fields inconsistent": [
          "error service.fwmark-fields @dns services/dns/fwmark",
        ],
        "mixed family outside TUN is an error, inside TUN fine": [
          "error destination.address-family @m1 memberships/m1/method",
          "warning nat.rip-outside-dip-subnet @m1 memberships/m1/method",
          "warning nat.rip-outside-dip-subnet @m1 memberships/m1/method",
        ],
        "placement and membership health": [
          "error membership.missing-service @m9 memberships/m9/serviceId",
          "error membership.missing-real-server @m9 memberships/m9/realServerId",
          "warning service.all-weights-zero @web services/web",
          "warning service.not-placed @dns services/dns/directorIds",
          "error service.unknown-director @tls services/tls/directorIds",
          "warning service.all-disabled @tls services/tls",
        ],
        "port 0 with persistence is fine": [],
        "port 0 without persistence": [
          "error service.zero-port-without-persistence @web services/web/port",
        ],
        "same VIP on different directors is fine": [
          "warning nat.gateway-not-director @web1 realServers/web1/host/gateway",
          "warning dr.vip-not-on-loopback @ns1 realServers/ns1/host/loopbackVips",
        ],
        "service without any real server": [
          "warning service.no-real-servers @dns services/dns",
        ],
        "sh flag with wlc, flag-1 with mh": [
          "error service.scheduler-flag-mismatch @web services/web/flags",
          "error service.scheduler-flag-mismatch @dns services/dns/flags",
        ],
        "thresholds: -y above -x and -y without -x": [
          "error destination.thresholds-order @m1 memberships/m1/lowerThreshold",
          "error destination.lower-threshold-without-upper @m2 memberships/m2/lowerThreshold",
        ],
        "tunnel options: without TUN, gue without port, ipip csum, gre remcsum": [
          "error destination.tunnel-options-without-tun @m1 memberships/m1/tunnel",
          "error destination.tunnel-gue-needs-port @m4 memberships/m4/tunnel/port",
          "warning destination.port-ignored @m5 memberships/m5/port",
          "error destination.tunnel-ipip-checksum @m5 memberships/m5/tunnel/checksum",
          "warning destination.port-ignored @m6 memberships/m6/port",
          "error destination.tunnel-port-not-gue @m6 memberships/m6/tunnel/port",
          "error destination.tunnel-gre-remcsum @m6 memberships/m6/tunnel/checksum",
        ],
        "unknown scheduler and twos": [
          "error service.unknown-scheduler @web services/web/scheduler",
          "warning service.scheduler-not-in-all-kernels @dns services/dns/scheduler",
        ],
      }
    `);
  });

  it("forwarding-method prerequisites apply to kernel directors only: the userspace engine proxies", () => {
    const t = base();
    t.directors = t.directors.map((d) => ({ ...d, engine: "userspace" as const, interfaces: [] }));
    t.realServers = t.realServers.map((r) => ({ ...r, host: { loopbackVips: [], tunnelVips: [], arpSuppressed: false, gateway: null } }));
    expect(validate(t)).toEqual([]);
    // one kernel director of the HA pair: its prerequisites are checked, against its own DIPs only
    t.directors[1] = { ...t.directors[1]!, engine: "ipvs" };
    expect(codes(validate(t))).toEqual([
      "warning nat.rip-outside-dip-subnet @m1 memberships/m1/method",
      "warning nat.gateway-not-director @web1 realServers/web1/host/gateway",
      "warning nat.rip-outside-dip-subnet @m2 memberships/m2/method",
      "warning nat.gateway-not-director @web2 realServers/web2/host/gateway",
    ]);
  });

  it("explains rules in operator words", () => {
    const t = base();
    t.services[0]!.onePacket = true;
    expect(validate(t)[0]!.message).toMatchInlineSnapshot(`"TCP 192.168.1.100:80: one-packet scheduling (-o) works only for UDP or fwmark services; TCP connections need the connection table."`);
  });

  it("every issue carries a code from the table and a known severity", () => {
    const t = base();
    for (const [, m] of cases) m(t);
    for (const i of validate(t)) {
      expect(ISSUE_CODES[i.code].severity).toBe(i.severity);
      expect(i.message.length).toBeGreaterThan(20);
    }
  });
});

describe("validateTable", () => {
  const table: IpvsTable = {
    services: [
      { protocol: "tcp", family: "inet", address: "10.0.0.1", port: 80, scheduler: "sh", flags: ["sh-port", "flag-2"], persistence: null, persistenceEngine: null, onePacket: true, destinations: [
        { address: "192.168.10.1", port: 8080, method: "dr", weight: 1, upperThreshold: 0, lowerThreshold: 3, tunnel: null },
        { address: "192.168.10.1", port: 80, method: "dr", weight: 1, upperThreshold: 0, lowerThreshold: 0, tunnel: null },
        { address: "2001:db8::1", port: 80, method: "nat", weight: 1, upperThreshold: 0, lowerThreshold: 0, tunnel: { type: "gre", port: null, checksum: null } },
      ] },
      { protocol: "tcp", family: "inet", address: "10.0.0.1", port: 80, scheduler: "wlc", flags: [], persistence: null, persistenceEngine: null, onePacket: false, destinations: [] },
      { protocol: "fwmark", family: "inet6", fwmark: 7, scheduler: "rr", flags: [], persistence: { timeout: 60, netmask: "255.255.255.0" }, persistenceEngine: null, onePacket: true, destinations: [
        { address: "2001:db8::2", port: 0, method: "dr", weight: 0, upperThreshold: 0, lowerThreshold: 0, tunnel: null },
      ] },
    ],
  };

  it("applies the shared service and destination rules", () => {
    expect(codes(validateTable(table))).toMatchInlineSnapshot(`
      [
        "error service.one-packet-not-udp @TCP 10.0.0.1:80 services/0/onePacket",
        "error service.scheduler-flag-mismatch @TCP 10.0.0.1:80 services/0/flags",
        "warning destination.port-ignored @TCP 10.0.0.1:80 -> 192.168.10.1:8080 services/0/destinations/0/port",
        "error destination.lower-threshold-without-upper @TCP 10.0.0.1:80 -> 192.168.10.1:8080 services/0/destinations/0/lowerThreshold",
        "error destination.duplicate @TCP 10.0.0.1:80 -> 192.168.10.1:80 services/0/destinations/1",
        "error destination.address-family @TCP 10.0.0.1:80 -> [2001:db8::1]:80 services/0/destinations/2/method",
        "error destination.tunnel-options-without-tun @TCP 10.0.0.1:80 -> [2001:db8::1]:80 services/0/destinations/2/tunnel",
        "error service.duplicate @TCP 10.0.0.1:80 services/1",
        "warning service.no-real-servers @TCP 10.0.0.1:80 services/1/destinations",
        "error service.netmask-invalid @FWM 7 IPv6 services/2/persistence/netmask",
        "warning service.all-weights-zero @FWM 7 IPv6 services/2/destinations",
      ]
    `);
  });

  it("reports schema problems with index paths", () => {
    expect(codes(validateTable({ services: [{ protocol: "tcp" }] } as unknown as IpvsTable))).toMatchInlineSnapshot(`
      [
        "error schema.invalid-value @null services/0",
      ]
    `);
  });
});
