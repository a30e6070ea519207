import { describe, expect, it } from "vitest";
import { newDirector, newVirtualService } from "../defaults.ts";
import type { Topology } from "../model.ts";
import { scalingRatio } from "../testing/workCounter.ts";
import { haRules } from "./haRules.ts";

/** `n` services on an HA pair (kube-proxy style: every service's VIP is shared by both directors). */
function pairTopology(n: number, address: (i: number) => string = (i) => `10.100.${Math.floor(i / 250)}.${(i % 250) + 1}`): Topology {
  const iface = (a: string) => ({ interfaces: [{ name: "eth0", address: a, prefix: 8 }] });
  return {
    name: "ha", realServers: [], memberships: [], layout: {},
    directors: [newDirector("d1", "lb1", iface("10.0.0.1")), newDirector("d2", "lb2", iface("10.0.0.2"))],
    services: Array.from({ length: n }, (_, i) => newVirtualService(`s${i}`, { protocol: "tcp", address: address(i), port: 80 }, { directorIds: ["d1", "d2"] })),
  };
}

describe("haRules", () => {
  it("a VIP placed on both directors of its pair is not partly placed, however the address is written", () => {
    const t = pairTopology(1, () => "2001:db8:0:0::10");
    t.directors = t.directors.map((d, i) => ({ ...d, interfaces: [{ name: "eth0", address: `2001:db8::${i + 1}`, prefix: 64 }] }));
    t.services[0]!.address = "2001:db8:0:0::10"; // as an imported document may spell it
    expect(haRules(t).filter((i) => i.code === "ha.vip-partly-placed")).toEqual([]);
    // a second port of that VIP on one director only: the VIP itself is still on both
    t.services.push(newVirtualService("s-only-d1", { protocol: "tcp", address: "2001:db8::10", port: 443 }, { directorIds: ["d1"] }));
    t.services.push(newVirtualService("s-other", { protocol: "tcp", address: "2001:db8::11", port: 80 }, { directorIds: ["d1", "d2"] }));
    t.services.push(newVirtualService("s-x", { protocol: "tcp", address: "2001:db8::12", port: 80 }, { directorIds: ["d1", "d2"] }));
    expect(haRules(t).filter((i) => i.code === "ha.vip-partly-placed")).toEqual([]);
  });

  it("is linear in the number of services on a pair (no scan of every service per VIP)", () => {
    // quadratic (a filter over all services per VIP) grows ~16× from n to 4n; linear ~4×
    const r = scalingRatio((n) => pairTopology(n) as never, (t: Topology) => haRules(t), 150);
    expect(r.ratio, `${r.small} steps at 150 services, ${r.large} at 600`).toBeLessThan(6);
  });
});
