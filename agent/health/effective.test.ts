import { describe, expect, it } from "vitest";
import { effectiveTable } from "./effective.ts";
import { targetKey } from "./monitor.ts";
import { dest, targetsFor, tcpCheck, tcpService } from "../testing/fixtures.ts";

const table = { services: [tcpService("10.0.0.1", 80, [dest("192.168.1.1", 80, 2), dest("192.168.1.2", 80, 3)])] };
const svc = { protocol: "tcp" as const, family: "inet" as const, address: "10.0.0.1", port: 80 };
const down = (...addrs: string[]) => (k: string) => addrs.some((a) => k === targetKey({ service: svc, destination: { address: a, port: 80 } }));

describe("effectiveTable", () => {
  it("is the desired table when all are up or unchecked", () => {
    expect(effectiveTable(table, { targets: [], sorryServers: [] }, down("192.168.1.1"))).toEqual(table);
    expect(effectiveTable(table, { targets: targetsFor(table, tcpCheck()), sorryServers: [] }, down())).toEqual(table);
  });
  it("quiesces (weight 0) or removes per onFailure", () => {
    const q = effectiveTable(table, { targets: targetsFor(table, tcpCheck()), sorryServers: [] }, down("192.168.1.1"));
    expect(q.services[0]!.destinations.map((d) => d.weight)).toEqual([0, 3]);
    const r = effectiveTable(table, { targets: targetsFor(table, tcpCheck({ onFailure: "remove" })), sorryServers: [] }, down("192.168.1.1"));
    expect(r.services[0]!.destinations.map((d) => d.address)).toEqual(["192.168.1.2"]);
  });
  it("adds the sorry server only when every real server is down", () => {
    const sorry = [{ service: svc, address: "192.168.9.9", port: 8080 }];
    const health = { targets: targetsFor(table, tcpCheck()), sorryServers: sorry };
    expect(effectiveTable(table, health, down("192.168.1.1")).services[0]!.destinations).toHaveLength(2);
    const all = effectiveTable(table, health, down("192.168.1.1", "192.168.1.2")).services[0]!.destinations;
    expect(all.map((d) => [d.address, d.port, d.weight])).toEqual([["192.168.1.1", 80, 0], ["192.168.1.2", 80, 0], ["192.168.9.9", 8080, 1]]);
  });
});

describe("effectiveTable and --set", () => {
  it("keeps the director's timeouts (the agent lost them before the engine saw them)", async () => {
    const { effectiveTable } = await import("./effective.ts");
    const t = effectiveTable({ services: [], timeouts: { tcp: 600, tcpfin: 30, udp: 45 } }, { targets: [], sorryServers: [] } as never, () => false);
    expect(t.timeouts).toEqual({ tcp: 600, tcpfin: 30, udp: 45 });
  });
});
