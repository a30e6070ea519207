/**
 * Plan operations and revision changes in the UI language: the English catalogue says exactly what
 * lvs/ says (describeOp, renderChange: CLI, audit and UI agree), the Chinese one translates every
 * sentence while service keys, addresses and ipvsadm flags stay as they are.
 */
import { describe, expect, it } from "vitest";
import { IntlMessageFormat } from "intl-messageformat";
import en from "../../messages/en.json" with { type: "json" };
import zh from "../../messages/zh.json" with { type: "json" };
import { diffTopologies, renderChange } from "@/lvs/diff.ts";
import type { IpvsDestination, IpvsService, IpvsTable, Topology } from "@/lvs/model.ts";
import type { Op } from "@/lvs/ops.ts";
import { describeOp, plan } from "@/lvs/reconcile.ts";
import type { Catalogue } from "./codedText.ts";
import { changeText, opText } from "./planText.ts";

function lookup(obj: unknown, path: string): unknown {
  return path.split(".").reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], obj);
}
const catalogue = (messages: unknown, locale: string): Catalogue => ({
  has: (key) => typeof lookup(messages, key) === "string",
  format: (key, params) => new IntlMessageFormat(lookup(messages, key) as string, locale).format(params) as string,
});
const EN = catalogue(en, "en");
const ZH = catalogue(zh, "zh");

const svc = (over: Partial<IpvsService> = {}): IpvsService => ({
  protocol: "tcp", family: "inet", address: "10.0.0.1", port: 80, scheduler: "wlc", flags: [], persistence: null,
  persistenceEngine: null, onePacket: false, destinations: [], ...over,
}) as IpvsService;
const dst = (address: string, over: Partial<IpvsDestination> = {}): IpvsDestination => ({
  address, port: 80, method: "dr", weight: 1, upperThreshold: 0, lowerThreshold: 0, tunnel: null, ...over,
});

// every op kind, with previous values, IPv6 and fwmark services, tunnels, thresholds and a quiesce
const actual: IpvsTable = {
  timeouts: { tcp: 900, tcpfin: 120, udp: 300 },
  services: [
    svc({ destinations: [dst("10.0.1.1"), dst("10.0.1.2"), dst("10.0.1.3", { method: "nat", port: 8080 })] }),
    svc({ address: "10.0.0.9" }),
    svc({ protocol: "fwmark", family: "inet6", fwmark: 7, scheduler: "sh", flags: ["sh-port"], destinations: [dst("2001:db8::5", { method: "tun" })] } as Partial<IpvsService>),
  ],
};
const desired: IpvsTable = {
  timeouts: { tcp: 3600, tcpfin: 0, udp: 300 },
  services: [
    svc({ scheduler: "rr", persistence: { timeout: 360, netmask: "255.255.255.0" }, onePacket: true, destinations: [
      dst("10.0.1.1", { weight: 0 }), dst("10.0.1.3", { method: "nat", port: 8081 }), dst("10.0.1.4", { upperThreshold: 100, lowerThreshold: 10 }),
    ] }),
    svc({ protocol: "udp", family: "inet6", address: "2001:db8::1", port: 53, persistenceEngine: "sip", destinations: [
      dst("2001:db8::7", { port: 53, method: "tun", tunnel: { type: "gue", port: 6080, checksum: "csum" } }),
    ] } as Partial<IpvsService>),
    svc({ protocol: "fwmark", family: "inet6", fwmark: 7, scheduler: "sh", flags: ["sh-port"], destinations: [dst("2001:db8::5", { method: "tun", weight: 4 })] } as Partial<IpvsService>),
  ],
};
const ops = [...plan(actual, desired), { kind: "clear", dropsConnections: true } as Op];

describe("plan operations", () => {
  it("covers every op kind", () => {
    expect(new Set(ops.map((o) => o.kind))).toEqual(new Set(["set-timeouts", "add-service", "edit-service", "delete-service", "add-destination", "edit-destination", "delete-destination", "clear"]));
  });

  it.each(ops.map((o) => [describeOp(o), o] as const))("English is lvs' own line: %s", (line, o) => {
    expect(opText(EN, o, "fallback")).toBe(line);
  });

  it.each(ops.map((o) => [describeOp(o), o] as const))("Chinese has no English words left: %s", (line, o) => {
    const text = opText(ZH, o, "fallback");
    expect(text).not.toBe("fallback");
    expect(text).not.toBe(line);
    // what may stay: addresses, service keys (TCP/UDP/FWM), schedulers, flags, tunnel types, units of ipvsadm
    const leftover = text.replace(/\[[0-9a-f:]+\](:\d+)?|[0-9a-f]*:[0-9a-f:]+|\d+(\.\d+){3}(:\d+)?/gi, "")
      .match(/[A-Za-z][A-Za-z-]+/g)?.filter((w) => !["TCP", "UDP", "FWM", "SCTP", "IPv", "NAT", "tcp", "tcpfin", "udp", "wlc", "rr", "sh", "sip", "pe", "one-packet", "sh-port", "gue", "port", "csum", "nocsum", "g", "i", "m"].includes(w));
    expect(leftover ?? []).toEqual([]);
  });

  it("falls back to the server's line for an op kind the catalogue does not know", () => {
    expect(opText(ZH, { kind: "frobnicate" } as never, "server line")).toBe("server line");
  });
});

describe("revision changes", () => {
  const base: Topology = {
    name: "t",
    directors: [{ id: "d1", name: "lb1", managementAddress: null, interfaces: [{ name: "eth0", address: "10.0.0.1", prefix: 24 }], engine: "auto" }],
    services: [{
      id: "s1", protocol: "tcp", family: "inet", address: "10.0.0.100", port: 80, fwmark: null, scheduler: "wlc", flags: [],
      persistence: null, persistenceEngine: null, onePacket: false, description: "", directorIds: ["d1"], healthCheck: null,
      sorryServer: null, proxyProtocol: false,
    }],
    realServers: [{ id: "r1", name: "web1", address: "10.0.0.7", port: 80, host: { loopbackVips: [], tunnelVips: [], arpSuppressed: false, gateway: null } }],
    memberships: [{ id: "m1", serviceId: "s1", realServerId: "r1", method: "dr", weight: 1, upperThreshold: 0, lowerThreshold: 0, tunnel: null, state: "active", healthCheck: null }],
    layout: {},
  };
  const after = structuredClone(base);
  after.services[0]!.scheduler = "rr";
  after.services[0]!.persistence = { timeout: 360, netmask: null };
  after.memberships[0]!.weight = 3;
  after.memberships[0]!.state = "draining";
  after.memberships[0]!.method = "tun";
  after.directors[0]!.timeouts = { tcp: 900, tcpfin: 120, udp: 300 };
  after.realServers.push({ id: "r2", name: "", address: "2001:db8::8", port: 80, host: base.realServers[0]!.host });
  const removed = structuredClone(base);
  removed.directors = [];
  const changes = [...diffTopologies(base, after), ...diffTopologies(base, removed)];

  it.each(changes.map((c) => [renderChange(c), c] as const))("English is lvs' own line: %s", (line, c) => {
    expect(changeText(EN, c, "fallback")).toBe(line);
  });

  it("Chinese names the kinds, fields and words and keeps values", () => {
    const lines = changes.map((c) => changeText(ZH, c, "fallback"));
    expect(lines).toEqual([
      "~ 调度器 lb1：超时 无 → --set 900 120 300",
      "~ TCP 10.0.0.100:80：持久连接 无 → -p 360，调度算法 wlc → rr",
      "+ 真实服务器 [2001:db8::8]:80",
      "~ TCP 10.0.0.100:80 -> 10.0.0.7:80：转发方式 直接路由 (-g) → 隧道 (-i)，状态 活动 → 排空中，权重 1 → 3",
      "- 调度器 lb1",
    ]);
  });
});
