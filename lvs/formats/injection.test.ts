/**
 * Nothing a user typed can add a line or a block to an exported configuration: the schemas refuse
 * control characters (and what a format cannot quote) in every field that reaches an export, and the
 * renderers refuse what they cannot represent even when handed such a value directly.
 */
import { describe, expect, it } from "vitest";
import type { HealthCheck, IpvsTable, Topology } from "../model.ts";
import { healthCheckSchema, ipvsTableSchema, topologySchema } from "../schemas.ts";
import { renderCommands, renderRules } from "./ipvsadm/render.ts";
import { renderKeepalived } from "./keepalived/renderKeepalived.ts";

const timing = { intervalMs: 1000, timeoutMs: 500, rise: 1, fall: 1, onFailure: "quiesce" as const };
const BLOCK = "dir\nglobal_defs {\n script_user root\n}";

function topo(over: { directorName?: string; hc?: HealthCheck; scheduler?: string; netmask?: string; description?: string; rsName?: string; iface?: string }): Topology {
  return {
    name: "t",
    directors: [{ id: "d1", name: over.directorName ?? "lvs-a", managementAddress: null, interfaces: [{ name: over.iface ?? "eth0", address: "10.0.0.2", prefix: 24 }], engine: "ipvs" }],
    services: [{
      id: "s1", protocol: "tcp", family: "inet", address: "10.0.0.10", port: 80, fwmark: null, scheduler: over.scheduler ?? "rr", flags: [],
      persistence: over.netmask ? { timeout: 300, netmask: over.netmask } : null, persistenceEngine: null, onePacket: false, description: over.description ?? "",
      directorIds: ["d1"], healthCheck: over.hc ?? null, sorryServer: null, proxyProtocol: false,
    }],
    realServers: [{ id: "r1", name: over.rsName ?? "web", address: "10.0.0.20", port: null, host: { loopbackVips: [], tunnelVips: [], arpSuppressed: false, gateway: null } }],
    memberships: [{ id: "m1", serviceId: "s1", realServerId: "r1", method: "nat", weight: 1, upperThreshold: 0, lowerThreshold: 0, tunnel: null, state: "active", healthCheck: null }],
    layout: {},
  };
}
const http = (over: Partial<Extract<HealthCheck, { kind: "http" | "https" }>>): HealthCheck => ({ kind: "http", port: null, path: "/", host: null, status: [200, 299], bodyMatch: null, ...timing, ...over });

describe("schemas refuse what could inject into an export", () => {
  const cases: Array<[string, Topology, string]> = [
    ["director name with a block", topo({ directorName: BLOCK }), "directors.0.name"],
    ["real server name with a newline", topo({ rsName: "web\n}" }), "realServers.0.name"],
    ["description with a carriage return", topo({ description: "a\rb" }), "services.0.description"],
    ["interface name with a newline", topo({ iface: "eth0\nvrrp_script x {" }), "directors.0.interfaces.0.name"],
    ["http path with newline and braces", topo({ hc: http({ path: "/x\n}\nvrrp_script chk {\nscript \"/bin/sh\"\n}" }) }), "services.0.healthCheck.path"],
    ["http path with a quote", topo({ hc: http({ path: '/x"y' }) }), "services.0.healthCheck.path"],
    ["virtualhost with a newline", topo({ hc: http({ host: "a.example\n}" }) }), "services.0.healthCheck.host"],
    ["virtualhost with a space", topo({ hc: http({ host: "a b" }) }), "services.0.healthCheck.host"],
    ["body regex with a newline", topo({ hc: http({ bodyMatch: "ok\n}" }) }), "services.0.healthCheck.bodyMatch"],
    ["scheduler with a flush", topo({ scheduler: "rr\n-C" }), "services.0.scheduler"],
    ["scheduler with a space", topo({ scheduler: "rr -C" }), "services.0.scheduler"],
    ["netmask with a flush", topo({ netmask: "255.0.0.0\n-C" }), "services.0.persistence.netmask"],
    ["U+2028 in a name", topo({ directorName: "a\u2028b" }), "directors.0.name"],
  ];
  it.each(cases)("%s", (_label, doc, path) => {
    const r = topologySchema.safeParse(doc);
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => i.path.join("."))).toContain(path);
  });
  it("the IPVS table schema refuses a scheduler that adds an ipvsadm line", () => {
    const table = { services: [{ protocol: "tcp", address: "10.0.0.1", port: 80, family: "inet", scheduler: "rr\n-C", flags: [], persistence: null, persistenceEngine: null, onePacket: false, destinations: [] }] };
    expect(ipvsTableSchema.safeParse(table).success).toBe(false);
  });
  it("ordinary values still pass", () => {
    expect(topologySchema.safeParse(topo({ directorName: "lvs-a (rack 3) — 北京", hc: http({ path: "/health?x=1&y=%20", host: "www.example.com", bodyMatch: "^OK .*$" }), scheduler: "wlc", netmask: "255.255.255.0" })).success).toBe(true);
    expect(healthCheckSchema.safeParse(http({ host: "[2001:db8::1]:8080" })).success).toBe(true);
  });
});

describe("renderers refuse what they cannot represent (defence in depth)", () => {
  const table = (scheduler: string, netmask: string | null = null): IpvsTable => ({
    services: [{ protocol: "tcp", family: "inet", address: "10.0.0.1", port: 80, scheduler, flags: [], persistence: netmask ? { timeout: 300, netmask } : null, persistenceEngine: null, onePacket: false, destinations: [] }],
  });
  it("ipvsadm rules and commands", () => {
    expect(() => renderRules(table("rr\n-C"))).toThrow(/scheduler/);
    expect(() => renderCommands(table("rr -C"))).toThrow(/scheduler/);
    expect(() => renderRules(table("rr", "255.0.0.0\n-C"))).toThrow(/netmask/);
    expect(renderRules(table("wlc"))).toBe("-A -t 10.0.0.1:80 -s wlc\n");
  });
  it("keepalived.conf: no value adds a line", () => {
    for (const doc of [topo({ directorName: BLOCK }), topo({ hc: http({ path: "/x\n}\nvrrp_script chk {" }) }), topo({ hc: http({ host: "h\n}" }) }), topo({ iface: "eth0\n}" })]) {
      let text = "";
      try {
        text = renderKeepalived(doc, { directorId: "d1" });
      } catch (e) {
        expect(String(e)).toMatch(/cannot be written|control character/);
        continue;
      }
      expect(text).not.toMatch(/^\s*(global_defs|script_user|vrrp_script)\b/m);
    }
  });
});
