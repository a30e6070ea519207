import { describe, expect, it } from "vitest";
import type { Director, HaGroup, Topology, VirtualService } from "../model.ts";
import { desiredHaFor, defaultHaGroup, resolveHaGroups } from "./haGroups.ts";
import { haRules } from "./haRules.ts";
import { validate } from "../validate.ts";
import { desiredHaSchema } from "../protocol/ha.ts";
import { renderVrrpConfig, advertIntText, parseNotifyLine, notifyScriptText } from "./renderVrrpConfig.ts";

const dir = (id: string, address: string, over: Partial<Director> = {}): Director => ({
  id, name: id.toUpperCase(), managementAddress: null, engine: "ipvs", interfaces: [{ name: "eth0", address, prefix: 24 }], ...over,
});
const svc = (id: string, address: string, directorIds: string[], port = 80): VirtualService => ({
  id, protocol: "tcp", family: address.includes(":") ? "inet6" : "inet", address, port, fwmark: null, scheduler: "rr", flags: [], persistence: null,
  persistenceEngine: null, onePacket: false, description: "", directorIds, healthCheck: null, sorryServer: null, proxyProtocol: false,
});
function topo(over: Partial<Topology> = {}): Topology {
  return {
    name: "t", directors: [dir("d1", "10.0.0.1"), dir("d2", "10.0.0.2")],
    services: [svc("s1", "10.0.0.100", ["d1", "d2"]), svc("s2", "10.0.0.100", ["d1", "d2"], 443)],
    realServers: [], memberships: [], layout: {}, ...over,
  };
}
const codes = (t: Topology) => haRules(t).map((i) => i.code).sort();

describe("HA groups", () => {
  it("derives a group from directors sharing a VIP, with defaults: preferred first, distinct priorities, unicast to the peer's DIP, sync on", () => {
    const groups = resolveHaGroups(topo());
    expect(groups).toHaveLength(1);
    expect(groups[0]!.vips).toEqual(["10.0.0.100"]);
    expect(groups[0]!.declared).toBe(false);
    const d1 = desiredHaFor(topo(), "d1")!;
    const d2 = desiredHaFor(topo(), "d2")!;
    expect(desiredHaSchema.safeParse(d1).success).toBe(true);
    expect(d1.instances[0]).toMatchObject({ interface: "eth0", priority: 200, unicastSource: "10.0.0.1", unicastPeers: ["10.0.0.2"], version: 3, vips: [{ address: "10.0.0.100", prefix: 24 }] });
    expect(d2.instances[0]).toMatchObject({ priority: 190, unicastSource: "10.0.0.2", unicastPeers: ["10.0.0.1"] });
    expect(d1.instances[0]!.virtualRouterId).toBe(d2.instances[0]!.virtualRouterId);
    expect(d1.sync).toEqual({ interface: "eth0", syncId: d1.instances[0]!.virtualRouterId });
    expect(haRules(topo())).toEqual([]);
  });

  it("a director alone on its VIPs gets no HA; maintenance is per director", () => {
    const t = topo({ services: [svc("s1", "10.0.0.100", ["d1"])] });
    expect(desiredHaFor(t, "d1")).toBeNull();
    expect(desiredHaFor(topo(), "d1", new Set(["d1"]))!.maintenance).toBe(true);
    expect(desiredHaFor(topo(), "d2", new Set(["d1"]))!.maintenance).toBe(false);
  });

  it("a declared group owns the VIPs of its directors and its settings reach the agents", () => {
    const g: HaGroup = { ...defaultHaGroup("g1", ["d2", "d1"], "pair"), virtualRouterId: 77, advertIntMs: 200, nopreempt: true, priorities: { d1: 150, d2: 150 }, connectionSync: false };
    const t = topo({ haGroups: [g] });
    const d2 = desiredHaFor(t, "d2")!;
    expect(d2.instances[0]).toMatchObject({ groupId: "g1", virtualRouterId: 77, advertIntMs: 200, nopreempt: true, priority: 150 });
    expect(d2.sync).toBeNull();
    expect(haRules(t)).toEqual([]); // equal priorities are fine with nopreempt
    expect(renderVrrpConfig(d2, { routerId: "d2", notifyScript: "/run/n.sh" })).toContain("advert_int 0.2");
  });

  it("router ids are allocated unique across groups, and two groups with one id on one network are an error", () => {
    const t = topo({
      directors: [dir("d1", "10.0.0.1"), dir("d2", "10.0.0.2"), dir("d3", "10.0.0.3"), dir("d4", "10.0.0.4")],
      services: [svc("s1", "10.0.0.100", ["d1", "d2"]), svc("s2", "10.0.0.101", ["d3", "d4"])],
    });
    const ids = resolveHaGroups(t).map((g) => g.routerId);
    expect(new Set(ids).size).toBe(2);
    const dup = { ...t, haGroups: [{ ...defaultHaGroup("a", ["d1", "d2"], "web pair"), virtualRouterId: 9 }, { ...defaultHaGroup("b", ["d3", "d4"], "api pair"), virtualRouterId: 9 }] };
    const issues = haRules(dup).filter((i) => i.code === "ha.duplicate-router-id");
    expect(issues.length).toBe(2);
    // in the operator's words: the groups' names (not internal ids) and the network (not a DIP)
    expect(issues[0]!.params).toEqual({ routerId: 9, groups: "web pair, api pair", network: "10.0.0.0/24" });
    // on different networks the same id is fine
    const apart = { ...dup, directors: [dir("d1", "10.0.0.1"), dir("d2", "10.0.0.2"), dir("d3", "10.9.0.3"), dir("d4", "10.9.0.4")], services: [svc("s1", "10.0.0.100", ["d1", "d2"]), svc("s2", "10.9.0.101", ["d3", "d4"])] };
    expect(codes(apart)).not.toContain("ha.duplicate-router-id");
  });

  it("explains mistakes in the seed's terms with stable codes, paths and params", () => {
    expect(codes(topo({ haGroups: [defaultHaGroup("solo", ["d1"])] }))).toContain("ha.group-of-one");
    const outside = topo({ services: [svc("s1", "192.168.5.100", ["d1", "d2"])] });
    const i = haRules(outside).find((x) => x.code === "ha.vip-not-in-network")!;
    expect(i.message).toMatch(/VIP 192\.168\.5\.100 is not in the network of D1's eth0 \(10\.0\.0\.1\/24\)/);
    expect(i.params).toMatchObject({ vip: "192.168.5.100", interface: "eth0" });
    expect(i.path).toEqual(["directors", "d1"]);
    expect(codes(topo({ haGroups: [{ ...defaultHaGroup("g", ["d1", "d2"]), authPass: "secret" }] }))).toContain("ha.auth-needs-v2");
    expect(codes(topo({ haGroups: [{ ...defaultHaGroup("g", ["d1", "d2"]), vrrpVersion: 2, advertIntMs: 200 }] }))).toContain("ha.advert-v2-whole-seconds");
    expect(codes(topo({ haGroups: [{ ...defaultHaGroup("g", ["d1", "d2"]), priorities: { d1: 100, d2: 100 } }] }))).toContain("ha.equal-priorities");
    expect(codes(topo({ haGroups: [defaultHaGroup("g", ["d1", "d2", "nope"])] }))).toContain("ha.unknown-director");
    const userspace = topo({ directors: [dir("d1", "10.0.0.1", { engine: "userspace" }), dir("d2", "10.0.0.2")] });
    expect(codes(userspace)).toEqual([]);
    expect(codes({ ...userspace, haGroups: [defaultHaGroup("g", ["d1", "d2"])] })).toEqual(["ha.sync-userspace"]);
    expect(desiredHaFor(userspace, "d1")!.sync).toBeNull();
    // the declared group's issue sits on the group
    expect(haRules(topo({ haGroups: [defaultHaGroup("solo", ["d1"])] }))[0]!.path).toEqual(["haGroups", "solo", "directorIds"]);
    // and validate() reports them with the rest
    expect(validate(outside).some((x) => x.code === "ha.vip-not-in-network")).toBe(true);
  });

  it("IPv6 VIPs float on the interface holding their network; mixed families are flagged", () => {
    const t = topo({
      directors: [dir("d1", "10.0.0.1", { interfaces: [{ name: "eth0", address: "10.0.0.1", prefix: 24 }, { name: "eth1", address: "2001:db8::1", prefix: 64 }] }),
        dir("d2", "10.0.0.2", { interfaces: [{ name: "eth0", address: "10.0.0.2", prefix: 24 }, { name: "eth1", address: "2001:db8::2", prefix: 64 }] })],
      services: [svc("s1", "2001:db8::100", ["d1", "d2"])],
    });
    const d1 = desiredHaFor(t, "d1")!;
    expect(d1.instances[0]).toMatchObject({ interface: "eth1", unicastSource: "2001:db8::1", unicastPeers: ["2001:db8::2"], vips: [{ address: "2001:db8::100", prefix: 64 }] });
    expect(haRules(t)).toEqual([]);
    const mixed = { ...t, services: [svc("s1", "2001:db8::100", ["d1", "d2"]), svc("s2", "10.0.0.100", ["d1", "d2"])] };
    expect(codes(mixed)).toContain("ha.mixed-family");
  });
});

describe("keepalived VRRP config", () => {
  const ha = desiredHaFor(topo(), "d1")!;
  it("is VRRP only, every instance starts BACKUP and reports through the notify script, with script security", () => {
    const text = renderVrrpConfig(ha, { routerId: "lvs1", notifyScript: "/run/lvs-agent/keepalived/notify.sh" });
    expect(text).not.toMatch(/^\s*virtual_server\b/m);
    expect(text).toMatch(/enable_script_security/);
    expect(text).toMatch(/script_user root/);
    expect(text).toMatch(/state BACKUP/);
    expect(text).not.toMatch(/state MASTER/);
    expect(text).toMatch(/notify \/run\/lvs-agent\/keepalived\/notify\.sh/);
    expect(text).toMatch(/unicast_src_ip 10\.0\.0\.1\n\s+unicast_peer \{\n\s+10\.0\.0\.2\n/);
    expect(text).toMatch(/10\.0\.0\.100\/24 dev eth0/);
    expect(text).toMatch(/version 3/);
    expect(text).not.toMatch(/authentication/);
  });
  it("renders v2 authentication only for VRRPv2, and advert_int in keepalived's notation", () => {
    const v2 = { ...ha, instances: [{ ...ha.instances[0]!, version: 2 as const, authPass: "s3cret" }] };
    expect(renderVrrpConfig(v2, { routerId: "x", notifyScript: "/n" })).toMatch(/auth_type PASS\n\s+auth_pass s3cret/);
    expect([advertIntText(1000), advertIntText(200), advertIntText(50), advertIntText(1500), advertIntText(10)]).toEqual(["1", "0.2", "0.05", "1.5", "0.01"]);
  });
  it("parses notify lines; the script appends a timestamped line", () => {
    expect(parseNotifyLine("1796546307 INSTANCE VI_x MASTER 200")).toEqual({ at: 1796546307, name: "VI_x", state: "MASTER", priority: 200 });
    expect(parseNotifyLine("INSTANCE VI_x FAULT")).toEqual({ at: null, name: "VI_x", state: "FAULT", priority: null });
    expect(parseNotifyLine("GROUP G1 MASTER")).toBeNull();
    expect(parseNotifyLine("INSTANCE bad name MASTER")).toBeNull();
    expect(notifyScriptText("/run/x/notify.log")).toMatch(/>> \/run\/x\/notify\.log/);
  });
});
