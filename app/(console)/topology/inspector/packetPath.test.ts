import { describe, expect, it } from "vitest";
import { sampleTopology } from "../../_canvas/fixtures.ts";
import { facingDip, packetPath, pathMode } from "./packetPath.ts";
import { newDirector, newMembership, newRealServer, newVirtualService } from "@/lvs/defaults.ts";

const t = sampleTopology();
const web = t.services[0]!;
const dns = t.services[1]!;
const rs = (id: string) => t.realServers.find((r) => r.id === id)!;
const lb1 = t.directors[0]!;
const m = (id: string) => t.memberships.find((x) => x.id === id)!;
const ip = (p: ReturnType<typeof packetPath>) => p.hops.map((h) => `${h.from}>${h.to} ${h.src} -> ${h.dst}`);

describe("packet path explainer", () => {
  it("NAT: destination rewritten to RIP:port, reply back through the DIP gateway, source back to the VIP", () => {
    const p = packetPath(m("m-3"), dns, { ...rs("rs-3"), port: 5353 }, lb1);
    expect(p).toMatchObject({ mode: "nat", vip: "10.0.0.53:53", dip: "10.0.0.2", rip: "10.0.0.9:5353", director: "lb1" });
    expect(ip(p)).toEqual([
      "client>director CIP:cport -> 10.0.0.53:53",
      "director>realServer CIP:cport -> 10.0.0.9:5353",
      "realServer>director 10.0.0.9:5353 -> CIP:cport",
      "director>client 10.0.0.53:53 -> CIP:cport",
    ]);
    expect(p.hops.map((h) => h.note)).toEqual(["request", "natDnat", "natReply", "natSnat"]);
    expect(p.hops[2]!.values).toEqual({ gateway: "10.0.0.2" });
  });

  it("DR: IP header untouched, frame to the real server's MAC, reply straight from the RS with the VIP as source", () => {
    // a DR real server with a port of its own still gets the service port (DR cannot map ports)
    const p = packetPath(m("m-1"), web, { ...rs("rs-1"), port: 8080 }, lb1);
    expect(p.mode).toBe("dr");
    expect(p.rip).toBe("10.0.0.7:80");
    expect(ip(p)).toEqual([
      "client>director CIP:cport -> 10.0.0.100:80",
      "director>realServer CIP:cport -> 10.0.0.100:80",
      "realServer>client 10.0.0.100:80 -> CIP:cport",
    ]);
    expect(p.hops[1]!.outer).toEqual({ kind: "mac", from: "10.0.0.2", to: "10.0.0.7" });
  });

  it("TUN: IP-in-IP from DIP to RIP, reply straight to the client", () => {
    const tun = { ...m("m-1"), method: "tun" as const, tunnel: { type: "gue" as const, port: 6080, checksum: null } };
    const p = packetPath(tun, web, rs("rs-1"), lb1);
    expect(p.mode).toBe("tun");
    expect(p.hops[1]).toMatchObject({ src: "CIP:cport", dst: "10.0.0.100:80", outer: { kind: "ip", from: "10.0.0.2", to: "10.0.0.7", tunnel: "gue" } });
    expect(p.hops.at(-1)).toMatchObject({ from: "realServer", to: "client", src: "10.0.0.100:80", note: "tunReply" });
  });

  it("FULLNAT on the userspace engine: source and destination rewritten, reply returns to the DIP", () => {
    const userspace = { ...lb1, engine: "userspace" as const };
    expect(pathMode("dr", "userspace")).toBe("fullnat");
    expect(pathMode("dr", "ipvs")).toBe("dr");
    const p = packetPath(m("m-1"), web, { ...rs("rs-1"), port: 8080 }, userspace);
    expect(p.mode).toBe("fullnat");
    expect(ip(p)).toEqual([
      "client>director CIP:cport -> 10.0.0.100:80",
      "director>realServer 10.0.0.2:lport -> 10.0.0.7:8080",
      "realServer>director 10.0.0.7:8080 -> 10.0.0.2:lport",
      "director>client 10.0.0.100:80 -> CIP:cport",
    ]);
  });

  it("the DIP is the director interface on the real server's subnet", () => {
    const two = { ...lb1, interfaces: [{ name: "eth0", address: "192.0.2.10", prefix: 24 }, { name: "eth1", address: "10.0.0.2", prefix: 24 }] };
    expect(facingDip(two, "10.0.0.7")).toBe("10.0.0.2");
    expect(facingDip(two, "198.51.100.1")).toBe("192.0.2.10");
    expect(facingDip(undefined, "10.0.0.7")).toBe("DIP");
  });

  it("IPv6 addresses are bracketed with their port", () => {
    const v6 = { ...web, family: "inet6" as const, address: "2001:db8::100" };
    const p = packetPath({ ...m("m-3"), serviceId: web.id }, v6, { ...rs("rs-3"), address: "2001:db8::9", port: 8080 }, undefined);
    expect(p.vip).toBe("[2001:db8::100]:80");
    expect(p.rip).toBe("[2001:db8::9]:8080");
  });
});

describe("how the DIP is known", () => {
  it("a userspace director without interfaces is not 'DIP missing' (its proxy connects from a routed address); a kernel one is", () => {
    const svc = newVirtualService("v", { protocol: "tcp", address: "127.0.100.1", port: 8080 }, { directorIds: ["d"] });
    const rs = newRealServer("r", "127.0.101.1");
    const m = newMembership("m", "v", "r", { method: "nat" });
    expect(packetPath(m, svc, rs, newDirector("d", "demo", { engine: "userspace", interfaces: [] })).dipState).toBe("routed");
    expect(packetPath(m, svc, rs, newDirector("d", "k", { engine: "ipvs", interfaces: [] })).dipState).toBe("missing");
    expect(packetPath(m, svc, rs, newDirector("d", "k", { engine: "ipvs", interfaces: [{ name: "eth0", address: "127.0.101.254", prefix: 24 }] })).dipState).toBe("declared");
  });
});
