import { afterEach, describe, expect, it } from "vitest";
import os from "node:os";
import { ClusterEngine, mergeSnapshots, servedByEveryWorker, workerTable } from "./clusterEngine.ts";
import { connect, freePort, service, startBackend, type Backend } from "./testing.ts";
import type { IpvsTable, StatsSnapshot } from "../../../lvs/model.ts";
import { tcpService, dest } from "../../testing/fixtures.ts";

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

describe("which worker serves what", () => {
  const table: IpvsTable = {
    services: [
      tcpService("127.0.12.1", 80, [dest("127.0.13.1", 80, 1, "nat")], "wlc"),
      { ...tcpService("127.0.12.1", 81, [dest("127.0.13.1", 80, 1, "nat")], "rr"), persistence: { timeout: 300, netmask: null } },
      tcpService("127.0.12.1", 82, [{ ...dest("127.0.13.1", 80, 1, "nat"), upperThreshold: 10, lowerThreshold: 2 }], "rr"),
      service("udp", "127.0.12.1", 53, "rr", [{ address: "127.0.13.1", port: 53 }]),
    ],
  };
  it("every worker takes plain TCP; persistence, thresholds and UDP stay on worker 0 (their state is one)", () => {
    expect(table.services.map(servedByEveryWorker)).toEqual([true, false, false, false]);
    expect(workerTable(table, 0)).toBe(table);
    expect(workerTable(table, 1).services).toEqual([table.services[0]]);
  });
});

describe("mergeSnapshots", () => {
  const zero = { conns: 0, inPkts: 0, outPkts: 0, inBytes: 0, outBytes: 0 };
  const zr = { cps: 0, inPps: 0, outPps: 0, inBps: 0, outBps: 0 };
  const snap = (conns: number, active: number, withSecond: boolean): StatsSnapshot => ({
    at: 1,
    services: [
      {
        key: { protocol: "tcp", family: "inet", address: "10.0.0.1", port: 80 },
        counters: { ...zero, conns }, rates: { ...zr, cps: conns },
        destinations: [{ address: "10.0.1.1", port: 80, weight: 3, activeConns: active, inactConns: 1, persistConns: 0, counters: { ...zero, conns }, rates: { ...zr, cps: conns } }],
      },
      ...(withSecond ? [{ key: { protocol: "udp" as const, family: "inet" as const, address: "10.0.0.1", port: 53 }, counters: zero, rates: zr, destinations: [] }] : []),
    ],
  });
  it("sums counters, rates and connection counts per service and real server, in worker 0's order", () => {
    const m = mergeSnapshots([snap(5, 2, true), snap(7, 1, false)]);
    expect(m.services).toHaveLength(2);
    expect(m.services[0]!.counters.conns).toBe(12);
    expect(m.services[0]!.rates.cps).toBe(12);
    expect(m.services[0]!.destinations[0]).toMatchObject({ weight: 3, activeConns: 3, inactConns: 2, counters: { conns: 12 } });
  });
});

describe("ClusterEngine (real worker processes sharing the listening socket)", () => {
  it("forwards through 2 workers and reports the summed statistics (started from another directory)", async () => {
    const b: Backend = await startBackend("rs1", "127.0.23.1");
    const vip = "127.0.12.7";
    const port = await freePort(vip);
    const engine = new ClusterEngine({ workers: 2, log: () => undefined });
    cleanup.push(async () => {
      await engine.close();
      await b.close();
    });
    // the agent may be started anywhere: workers must not resolve their loader from the cwd
    const cwd = process.cwd();
    process.chdir(os.tmpdir());
    try {
      await engine.start();
    } finally {
      process.chdir(cwd);
    }
    const r = await engine.apply({ services: [service("tcp", vip, port, "rr", [{ address: "127.0.23.1", port: b.port }])] });
    expect(r.ok).toBe(true);
    const n = 20;
    for (let i = 0; i < n; i++) {
      const c = await connect(vip, port);
      expect(c.name).toBe("rs1");
      await c.close();
    }
    let total = 0;
    for (let i = 0; i < 50 && total < n; i++) {
      total = (await engine.stats()).services[0]?.counters.conns ?? 0;
      if (total < n) await new Promise((res) => setTimeout(res, 100));
    }
    expect(total).toBe(n);
    expect((await engine.read()).services).toHaveLength(1);
  }, 60_000);
});
