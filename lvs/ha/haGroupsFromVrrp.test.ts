import { describe, expect, it } from "vitest";
import type { Director, HaGroup, Topology, VirtualService } from "../model.ts";
import { defaultHaGroup, desiredHaFor } from "./haGroups.ts";
import { haGroupsFromVrrp } from "./haGroupsFromVrrp.ts";
import { parseKeepalived, renderKeepalived } from "../formats/keepalived/index.ts";
import { topologySchema } from "../schemas.ts";

const dir = (id: string, address: string, iface = "eth0"): Director => ({
  id, name: `lb-${id}`, managementAddress: null, engine: "ipvs", interfaces: [{ name: iface, address, prefix: 24 }],
});
const svc = (id: string, address: string, directorIds: string[], port = 80): VirtualService => ({
  id, protocol: "tcp", family: address.includes(":") ? "inet6" : "inet", address, port, fwmark: null, scheduler: "rr", flags: [], persistence: null,
  persistenceEngine: null, onePacket: false, description: "", directorIds, healthCheck: null, sorryServer: null, proxyProtocol: false,
});

/** A pair with every VRRP setting away from its default, and a second group on IPv6. */
const pair: HaGroup = {
  ...defaultHaGroup("web", ["d1", "d2"], "web pair"), virtualRouterId: 42, priorities: { d1: 180, d2: 120 }, advertIntMs: 1000,
  vrrpVersion: 2, authPass: "s3cr$t", nopreempt: false, unicast: true, interface: "bond0", connectionSync: true, syncInterface: "eth9", syncId: 7,
};
const v6: HaGroup = { ...defaultHaGroup("v6", ["d1", "d3"], "v6"), virtualRouterId: 43, advertIntMs: 250, nopreempt: true, priorities: { d1: 100, d3: 100 }, connectionSync: false, unicast: false, interface: "eth1" };
const topology: Topology = {
  name: "ha",
  directors: [
    { ...dir("d1", "10.1.0.1", "bond0"), interfaces: [{ name: "bond0", address: "10.1.0.1", prefix: 24 }, { name: "eth1", address: "2001:db8::1", prefix: 64 }] },
    { ...dir("d2", "10.1.0.2", "bond0"), interfaces: [{ name: "bond0", address: "10.1.0.2", prefix: 24 }] },
    { ...dir("d3", "2001:db8::3", "eth1"), interfaces: [{ name: "eth1", address: "2001:db8::3", prefix: 64 }] },
  ],
  services: [svc("s1", "10.1.0.100", ["d1", "d2"]), svc("s2", "2001:db8::100", ["d1", "d3"], 443)],
  realServers: [], memberships: [], layout: {},
  haGroups: [pair, v6],
};

let n = 0;
const newId = () => `new${++n}`;

describe("keepalived.conf export and import of HA groups", () => {
  it("the export carries every setting of the group (sync in global_defs)", () => {
    const conf = renderKeepalived(topology, { directorId: "d1" });
    expect(conf).toContain("    lvs_sync_daemon eth9 VI_web id 7\n");
    expect(conf).toContain([
      "vrrp_instance VI_web {", "    state MASTER", "    interface bond0", "    virtual_router_id 42", "    priority 180", "    advert_int 1",
      "    version 2", "    unicast_src_ip 10.1.0.1", "    unicast_peer {", "        10.1.0.2", "    }",
      "    authentication {", "        auth_type PASS", "        auth_pass s3cr$t", "    }",
      "    virtual_ipaddress {", "        10.1.0.100/24 dev bond0", "    }", "}",
    ].join("\n"));
    const d2 = renderKeepalived(topology, { directorId: "d2" });
    expect(d2).toMatch(/vrrp_instance VI_web \{\n {4}state BACKUP\n/);
    // nopreempt: every side BACKUP, multicast (no unicast_peer), sub-second advert under VRRPv3
    expect(conf).toMatch(/vrrp_instance VI_v6 \{\n {4}state BACKUP\n {4}interface eth1\n {4}virtual_router_id 43\n {4}priority 100\n {4}advert_int 0.25\n {4}version 3\n {4}nopreempt\n {4}virtual_ipaddress \{\n {8}2001:db8::100\/64 dev eth1\n/);
  });

  it("round trip: both directors' configs imported onto two new directors give the same groups and the same configs", () => {
    const ds = ["d1", "d2", "d3"] as const;
    const parsed = ds.map((d) => parseKeepalived(renderKeepalived(topology, { directorId: d })));
    for (const p of parsed) {
      expect(p.errors).toEqual([]);
      expect(p.warnings).toEqual([]);
    }
    // the importing document: the two directors without interfaces (an empty canvas + two placements)
    let groups: HaGroup[] = [];
    const learnt: Record<string, Director["interfaces"]> = {};
    for (const [i, d] of ds.entries()) {
      const r = haGroupsFromVrrp(groups, parsed[i]!.vrrpInstances, d, [], newId);
      groups = r.haGroups;
      learnt[d] = r.interfaces;
    }
    expect(groups.map(({ name: _n, ...g }) => g)).toEqual(topology.haGroups!.map(({ name: _n, ...g }) => ({ ...g, syncInterface: g.syncInterface ?? null, syncId: g.syncId ?? null })));
    expect(learnt.d1).toEqual([{ name: "bond0", address: "10.1.0.1", prefix: 24 }]); // v6 is multicast: no unicast_src_ip to learn from
    const again: Topology = { ...topology, haGroups: groups };
    expect(topologySchema.safeParse(again).success).toBe(true);
    for (const d of ds) expect(renderKeepalived(again, { directorId: d })).toBe(renderKeepalived(topology, { directorId: d }));
    expect(desiredHaFor(again, "d2")).toEqual(desiredHaFor(topology, "d2"));
  });

  it("a config of keepalived's own (VRRPv2 defaults, old lvs_sync_daemon_interface) makes a declared group with keepalived's defaults", () => {
    const p = parseKeepalived(`vrrp_instance VI_1 {\n  state MASTER\n  interface eth0\n  virtual_router_id 51\n  priority 100\n  lvs_sync_daemon_interface eth0\n  virtual_ipaddress {\n    192.168.200.16\n  }\n}\n`);
    expect(p.errors).toEqual([]);
    const r = haGroupsFromVrrp([], p.vrrpInstances, "lb1", [], newId);
    expect(r.haGroups).toEqual([{
      id: "1", name: "VI_1", directorIds: ["lb1"], virtualRouterId: 51, priorities: { lb1: 100 }, nopreempt: false, advertIntMs: 1000, vrrpVersion: 2,
      unicast: false, authPass: null, interface: "eth0", connectionSync: true, syncInterface: null, syncId: null,
    }]);
  });

  it("hostile strings are refused with their line, and nothing of the block is kept", () => {
    const hostile = [
      ["vrrp_instance VI_1;rm {\n  virtual_router_id 1\n}\n", 1, "keepalived.vrrp-bad-name"],
      ["vrrp_instance VI_1 {\n  interface eth0$(reboot)\n}\n", 2, "keepalived.vrrp-bad-interface"],
      ["vrrp_instance VI_1 {\n  interface averyveryverylongname0\n}\n", 2, "keepalived.vrrp-bad-interface"],
      ["vrrp_instance VI_1 {\n  authentication {\n    auth_type PASS\n    auth_pass \"a b\"\n  }\n}\n", 4, "keepalived.vrrp-auth"],
      ["vrrp_instance VI_1 {\n  authentication {\n    auth_pass 123456789\n  }\n}\n", 3, "keepalived.vrrp-auth"],
      ["vrrp_instance VI_1 {\n  unicast_peer {\n    10.0.0.2\n    evil.example\n  }\n}\n", 4, "keepalived.vrrp-peer-not-ip"],
      ["vrrp_instance VI_1 {\n  lvs_sync_daemon_interface eth0\\n\n}\n", 2, "keepalived.vrrp-bad-interface"],
    ] as const;
    for (const [text, line, code] of hostile) {
      const p = parseKeepalived(text);
      expect(p.vrrpInstances, text).toEqual([]);
      expect(p.errors.map((e) => [e.line, e.code]), text).toEqual([[line, code]]);
    }
    const badSync = parseKeepalived("global_defs {\n  lvs_sync_daemon eth0 VI_1 id 999\n}\nvrrp_instance VI_1 {\n  interface eth0\n}\n");
    expect(badSync.warnings.map((w) => [w.line, w.code])).toEqual([[2, "keepalived.sync-daemon"]]);
    expect(badSync.vrrpInstances[0]!.syncInterface).toBeNull();
  });
});
