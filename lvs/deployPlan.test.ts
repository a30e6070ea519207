import { describe, expect, it } from "vitest";
import { detectDrift, observedFromStats, planDirector, type ObservedTable } from "./deployPlan.ts";
import type { HealthConfig } from "./protocol/agent.ts";
import type { IpvsDestination, IpvsService, IpvsTable } from "./model.ts";

const dest = (address: string, weight: number): IpvsDestination => ({ address, port: 8080, method: "nat", weight, upperThreshold: 0, lowerThreshold: 0, tunnel: null });
const svc = (port: number, destinations: IpvsDestination[], scheduler = "wlc"): IpvsService => ({
  protocol: "tcp", family: "inet", address: "10.0.0.1", port, scheduler, flags: [], persistence: null, persistenceEngine: null, onePacket: false, destinations,
});
const key = (port: number) => ({ protocol: "tcp" as const, family: "inet" as const, address: "10.0.0.1", port });
const observed = (conns: Record<string, [number, number]>): ObservedTable => observedFromStats({
  at: 1,
  services: [{
    key: key(80), counters: { conns: 0, inPkts: 0, outPkts: 0, inBytes: 0, outBytes: 0 }, rates: { cps: 0, inPps: 0, outPps: 0, inBps: 0, outBps: 0 },
    destinations: Object.entries(conns).map(([address, [a, i]]) => ({
      address, port: 8080, weight: 1, activeConns: a, inactConns: i, persistConns: 0,
      counters: { conns: 0, inPkts: 0, outPkts: 0, inBytes: 0, outBytes: 0 }, rates: { cps: 0, inPps: 0, outPps: 0, inBps: 0, outBps: 0 },
    })),
  }],
});

describe("planDirector", () => {
  const actual: IpvsTable = { services: [svc(80, [dest("10.0.1.1", 1), dest("10.0.1.2", 1), dest("10.0.1.3", 1)]), svc(443, [dest("10.0.1.1", 1)])] };
  const desired: IpvsTable = { services: [svc(80, [dest("10.0.1.1", 0), dest("10.0.1.3", 1), dest("10.0.1.4", 2)], "rr")] };

  it("gives exact ipvsadm commands, make-before-break, with deletions and dropped connections marked", () => {
    const ops = planDirector(actual, desired, observed({ "10.0.1.1": [3, 1], "10.0.1.2": [2, 0], "10.0.1.3": [0, 0] }));
    expect(ops.map((o) => [o.command, o.risk])).toEqual([
      ["ipvsadm -E -t 10.0.0.1:80 -s rr", "none"],
      ["ipvsadm -e -t 10.0.0.1:80 -r 10.0.1.1:8080 -m -w 0", "none"],
      ["ipvsadm -a -t 10.0.0.1:80 -r 10.0.1.4:8080 -m -w 2", "none"],
      ["ipvsadm -d -t 10.0.0.1:80 -r 10.0.1.2:8080", "drops-connections"],
      ["ipvsadm -D -t 10.0.0.1:443", "drops-connections"],
    ]);
    expect(ops[3]).toMatchObject({ activeConns: 2, inactConns: 0 });
    expect(ops[1]!.text).toMatch(/quiesce/);
  });

  it("removing an idle real server is a deletion, not a drop; unknown counts are treated as a drop", () => {
    const idle = planDirector(actual, desired, observed({ "10.0.1.2": [0, 0] }));
    expect(idle.find((o) => o.op.kind === "delete-destination")!.risk).toBe("deletion");
    const unknown = planDirector(actual, desired, null);
    expect(unknown.find((o) => o.op.kind === "delete-destination")).toMatchObject({ risk: "drops-connections", activeConns: null });
  });

  it("nothing to do when the agent runs the desired table", () => {
    expect(planDirector(desired, desired)).toEqual([]);
  });
});

describe("detectDrift", () => {
  const desired: IpvsTable = { services: [svc(80, [dest("10.0.1.1", 1), dest("10.0.1.2", 2)])] };
  const check = { kind: "tcp" as const, port: null, intervalMs: 1000, timeoutMs: 500, rise: 1, fall: 1, onFailure: "quiesce" as const };
  const health: HealthConfig = {
    targets: [{ service: key(80), destination: { address: "10.0.1.2", port: 8080 }, check, realServerId: "r2", serviceId: "s" }],
    sorryServers: [{ service: key(80), address: "10.0.9.9", port: 8080 }],
  };

  it("no drift when the reported table is the applied one", () => {
    expect(detectDrift(desired, desired, health, null)).toEqual({ ops: [], observed: [] });
  });

  it("a hand-made change is drift; a health quiesce or a sorry server is not", () => {
    const quiesced = { services: [svc(80, [dest("10.0.1.1", 1), dest("10.0.1.2", 0), dest("10.0.9.9", 1)])] };
    expect(detectDrift(quiesced, desired, health, null).ops).toEqual([]);
    const byHand = { services: [svc(80, [dest("10.0.1.1", 7), dest("10.0.1.2", 2)])] };
    expect(detectDrift(byHand, desired, health, null).ops.map((o) => o.command)).toEqual(["ipvsadm -e -t 10.0.0.1:80 -r 10.0.1.1:8080 -m -w 1"]);
    // a weight 0 on a real server without a check is drift
    const zero = { services: [svc(80, [dest("10.0.1.1", 0), dest("10.0.1.2", 2)])] };
    expect(detectDrift(zero, desired, health, null).ops).toHaveLength(1);
  });

  it("statistics fresher than the report correct it: removed and added real servers, weights", () => {
    const obs = observed({ "10.0.1.1": [0, 0], "10.0.1.3": [0, 0] });
    const d = detectDrift(desired, desired, health, obs);
    expect(d.ops.map((o) => o.command)).toEqual([
      "ipvsadm -a -t 10.0.0.1:80 -r 10.0.1.2:8080 -m -w 2",
      "ipvsadm -d -t 10.0.0.1:80 -r 10.0.1.3:8080",
    ]);
    expect(d.observed).toEqual([]);
    // a service only the statistics show is named, not planned
    const onlyStats = detectDrift({ services: [] }, { services: [] }, { targets: [], sorryServers: [] }, obs);
    expect(onlyStats).toEqual({ ops: [], observed: ["TCP 10.0.0.1:80: running (seen in statistics), not in the last report"] });
  });
});
