import { describe, expect, it } from "vitest";
import type { IpvsDestination, IpvsService, IpvsTable } from "../../model.ts";
import fc from "fast-check";
import { renderBatch, renderCommands, renderOp, renderOps, renderRules } from "./render.ts";
import { op, type Op } from "../../ops.ts";
import { plan } from "../../reconcile.ts";
import { ipvsTableArbitrary } from "../../testing/arbitraries.ts";

const base = { scheduler: "wlc", flags: [], persistence: null, persistenceEngine: null, onePacket: false, destinations: [] };
const tcp = (address: string, port: number, extra: Partial<IpvsService> = {}): IpvsService =>
  ({ protocol: "tcp", family: address.includes(":") ? "inet6" : "inet", address, port, ...base, ...extra }) as IpvsService;
const dest = (address: string, port: number, extra: Partial<IpvsDestination> = {}): IpvsDestination => ({
  address, port, method: "dr", weight: 1, upperThreshold: 0, lowerThreshold: 0, tunnel: null, ...extra,
});
const t = (...services: IpvsService[]): IpvsTable => ({ services });

const cases: [string, IpvsTable, string][] = [
  ["empty table prints nothing", t(), ""],
  ["defaults made explicit", t(tcp("10.0.0.1", 80, { destinations: [dest("192.168.10.1", 80)] })),
    "-A -t 10.0.0.1:80 -s wlc\n-a -t 10.0.0.1:80 -r 192.168.10.1:80 -g -w 1\n"],
  ["IPv6 in brackets, compressed lower-case", t(tcp("2001:DB8:0::80", 443, { scheduler: "rr", destinations: [dest("2001:db8::0:10", 443, { method: "nat", weight: 5, port: 8443 })] })),
    "-A -t [2001:db8::80]:443 -s rr\n-a -t [2001:db8::80]:443 -r [2001:db8::10]:8443 -m -w 5\n"],
  ["udp, ops, sh flags in ipvsadm's order", t({ ...tcp("10.0.0.53", 53), protocol: "udp", scheduler: "sh", flags: ["sh-port", "sh-fallback"], onePacket: true } as IpvsService),
    "-A -u 10.0.0.53:53 -s sh -o -b sh-fallback,sh-port\n"],
  ["sctp", t({ ...tcp("10.0.0.5", 3868), protocol: "sctp" } as IpvsService), "-A --sctp-service 10.0.0.5:3868 -s wlc\n"],
  ["bare -p saves as -p 360, mask only when not /32", t(
    tcp("10.0.0.1", 443, { persistence: { timeout: 360, netmask: null } }),
    tcp("10.0.0.2", 443, { persistence: { timeout: 600, netmask: "255.255.255.0" } }),
    tcp("10.0.0.3", 443, { persistence: { timeout: 30, netmask: "255.255.255.255" } }),
  ), "-A -t 10.0.0.1:443 -s wlc -p 360\n-A -t 10.0.0.2:443 -s wlc -p 600 -M 255.255.255.0\n-A -t 10.0.0.3:443 -s wlc -p 30\n"],
  ["IPv6 prefix mask, --pe sip, port 0 persistent", t(tcp("2001:db8::1", 0, { persistence: { timeout: 360, netmask: "64" }, persistenceEngine: "sip" }), tcp("2001:db8::2", 80, { persistence: { timeout: 60, netmask: "128" } })),
    "-A -t [2001:db8::1]:0 -s wlc -p 360 -M 64 --pe sip\n-A -t [2001:db8::2]:80 -s wlc -p 60\n"],
  ["fwmark v4 and v6, real servers at :0, fwmark after all addresses", t(
    { protocol: "fwmark", family: "inet6", fwmark: 1, ...base, scheduler: "rr", destinations: [dest("2001:db8::5", 0)] },
    { protocol: "fwmark", family: "inet", fwmark: 2, ...base, onePacket: true, destinations: [dest("10.1.0.1", 0, { method: "nat" })] },
    { protocol: "fwmark", family: "inet", fwmark: 1, ...base },
    tcp("10.0.0.1", 80),
  ), "-A -t 10.0.0.1:80 -s wlc\n-A -f 1 -s wlc\n-A -f 1 -6 -s rr\n-a -f 1 -6 -r [2001:db8::5]:0 -g -w 1\n-A -f 2 -s wlc -o\n-a -f 2 -r 10.1.0.1:0 -m -w 1\n"],
  ["tunnels: -i always with --tun-type; gue port/csum; gre csum", t(tcp("10.0.0.1", 80, { destinations: [
    dest("10.2.0.1", 80, { method: "tun" }),
    dest("10.2.0.2", 80, { method: "tun", tunnel: { type: "gue", port: 6080, checksum: "remcsum" } }),
    dest("10.2.0.3", 80, { method: "tun", tunnel: { type: "gre", port: null, checksum: null } }),
  ] })), [
    "-A -t 10.0.0.1:80 -s wlc",
    "-a -t 10.0.0.1:80 -r 10.2.0.1:80 -i -w 1 --tun-type ipip",
    "-a -t 10.0.0.1:80 -r 10.2.0.2:80 -i -w 1 --tun-type gue --tun-port 6080 --tun-remcsum",
    "-a -t 10.0.0.1:80 -r 10.2.0.3:80 -i -w 1 --tun-type gre --tun-nocsum",
    ""].join("\n")],
  ["weight 0, DR port forced to the service port, real servers sorted, thresholds appended", t(tcp("10.0.0.1", 80, { destinations: [
    dest("10.0.0.20", 8080, { weight: 0 }), dest("10.0.0.3", 80, { method: "nat", upperThreshold: 100, lowerThreshold: 50 }), dest("10.0.0.3", 79, { method: "nat" }),
  ] })), [
    "-A -t 10.0.0.1:80 -s wlc",
    "-a -t 10.0.0.1:80 -r 10.0.0.3:79 -m -w 1",
    "-a -t 10.0.0.1:80 -r 10.0.0.3:80 -m -w 1 -x 100 -y 50",
    "-a -t 10.0.0.1:80 -r 10.0.0.20:80 -g -w 0",
    ""].join("\n")],
  ["the int32 sort quirk: 10.0.0.100 after 192.168.10.100; tcp before udp; v4 before v6", t(
    { ...tcp("10.0.0.100", 53), protocol: "udp" } as IpvsService, tcp("2001:db8::1", 80), tcp("10.0.0.100", 443), tcp("192.168.10.100", 80),
  ), "-A -t 192.168.10.100:80 -s wlc\n-A -t 10.0.0.100:443 -s wlc\n-A -u 10.0.0.100:53 -s wlc\n-A -t [2001:db8::1]:80 -s wlc\n"],
  ["fwmark above 2^31 sorts before address services (0 - mark wraps positive)", t(tcp("10.0.0.1", 80), { protocol: "fwmark", family: "inet", fwmark: 3000000000, ...base }),
    "-A -f 3000000000 -s wlc\n-A -t 10.0.0.1:80 -s wlc\n"],
  ["flag-N for other schedulers", t(tcp("10.0.0.1", 80, { scheduler: "rr", flags: ["flag-3", "flag-1"] })), "-A -t 10.0.0.1:80 -s rr -b flag-1,flag-3\n"],
];

describe("renderRules = ipvsadm -S -n (1.31)", () => {
  it.each(cases)("%s", (_name, table, expected) => {
    expect(renderRules(table)).toBe(expected);
  });
  it("drops thresholds like ipvsadm-save when asked", () => {
    const table = t(tcp("10.0.0.1", 80, { destinations: [dest("10.0.0.3", 80, { upperThreshold: 9, lowerThreshold: 1 })] }));
    expect(renderRules(table, { thresholds: false })).toBe("-A -t 10.0.0.1:80 -s wlc\n-a -t 10.0.0.1:80 -r 10.0.0.3:80 -g -w 1\n");
  });
});

describe("renderCommands", () => {
  it("is a shell script of ipvsadm commands", () => {
    const out = renderCommands(t(tcp("10.0.0.1", 80, { destinations: [dest("10.0.0.3", 80)] })));
    expect(out).toBe([
      "#!/bin/sh",
      "# IPVS table: 1 virtual service(s), 1 real server entry.",
      "# Generated by LVS Console (lvsctl). Adds to the current table: run `ipvsadm -C` first to replace it.",
      "# Thresholds (-x/-y) are included; `ipvsadm -S` does not save them.",
      "set -e",
      "ipvsadm -A -t 10.0.0.1:80 -s wlc",
      "ipvsadm -a -t 10.0.0.1:80 -r 10.0.0.3:80 -g -w 1",
      ""].join("\n"));
  });
});

describe("renderBatch", () => {
  it("renders every op kind with full fields and no comments", () => {
    const svc = tcp("10.0.0.1", 80, { scheduler: "rr", persistence: { timeout: 60, netmask: null } });
    const { destinations: _d, ...spec } = svc;
    const out = renderBatch([
      op.addService(spec),
      op.editService({ ...spec, scheduler: "wrr", persistence: null }),
      op.addDestination(svc, dest("10.0.0.9", 8080, { weight: 3 })),
      op.editDestination(svc, dest("10.0.0.9", 8080, { method: "nat", weight: 0, upperThreshold: 5 })),
      op.deleteDestination(svc, { address: "10.0.0.9", port: 8080 }),
      op.deleteService(svc),
    ]);
    expect(out).toBe([
      "-A -t 10.0.0.1:80 -s rr -p 60",
      "-E -t 10.0.0.1:80 -s wrr",
      "-a -t 10.0.0.1:80 -r 10.0.0.9:80 -g -w 3",
      "-e -t 10.0.0.1:80 -r 10.0.0.9:8080 -m -w 0 -x 5",
      "-d -t 10.0.0.1:80 -r 10.0.0.9:8080",
      "-D -t 10.0.0.1:80",
      ""].join("\n"));
  });
});

describe("renderOps", () => {
  it("is renderOp of each op, the service option shared by a run of real-server ops on one key object (property)", () => {
    fc.assert(fc.property(ipvsTableArbitrary(), ipvsTableArbitrary(), fc.nat(), (a, b, seed) => {
      const ops = [...plan({ services: [] }, b), ...plan(a, b), ...plan(b, { services: [] })];
      // key objects reused across services (a key edited in place between ops must not keep the old text)
      const mixed: Op[] = ops.map((o, i) => (i % 3 === seed % 3 && (o.kind === "add-destination" || o.kind === "edit-destination") ? { ...o, service: { ...o.service } } : o));
      expect(renderOps(mixed)).toEqual(mixed.map(renderOp));
      // plan's ops are canonical: not canonicalising them again writes the same texts
      expect(renderOps(mixed, { canonical: true })).toEqual(mixed.map(renderOp));
    }), { numRuns: 150 });
    const svc = tcp("10.0.0.1", 80);
    const key = { protocol: "tcp" as const, family: "inet" as const, address: "10.0.0.1", port: 80 };
    const other = { ...key, address: "10.0.0.2" };
    expect(renderOps([op.addDestination(svc, dest("10.0.0.9", 80)), { kind: "add-destination", service: key, destination: dest("10.0.0.8", 80), dropsConnections: false }, { kind: "add-destination", service: other, destination: dest("10.0.0.8", 80), dropsConnections: false }]))
      .toEqual(["-a -t 10.0.0.1:80 -r 10.0.0.9:80 -g -w 1", "-a -t 10.0.0.1:80 -r 10.0.0.8:80 -g -w 1", "-a -t 10.0.0.2:80 -r 10.0.0.8:80 -g -w 1"]);
  });
});
