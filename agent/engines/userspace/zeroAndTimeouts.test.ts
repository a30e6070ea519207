import { afterEach, describe, expect, it } from "vitest";
import { UserspaceEngine } from "./userspaceEngine.ts";
import { connect, freePort, service, startBackend, type Backend } from "./testing.ts";

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

describe("UserspaceEngine: ipvsadm -Z and --set", () => {
  it("-Z zeroes the service's and its real servers' counters and rates; new traffic counts from 0", async () => {
    const vip = "127.0.10.201";
    const port = await freePort(vip);
    const b: Backend = await startBackend("z1", "127.0.20.201");
    const engine = new UserspaceEngine({ tickMs: 0 });
    cleanup.push(async () => { await engine.close(); await b.close(); });
    await engine.apply({ services: [service("tcp", vip, port, "rr", [{ address: b.address, port: b.port }])] });
    for (let i = 0; i < 3; i++) await (await connect(vip, port)).close();
    const key = { protocol: "tcp" as const, family: "inet" as const, address: vip, port };
    expect((await engine.stats()).services[0]!.counters.conns).toBe(3);
    await engine.zero(key);
    let s = (await engine.stats()).services[0]!;
    expect(s.counters).toEqual({ conns: 0, inPkts: 0, outPkts: 0, inBytes: 0, outBytes: 0 });
    expect(s.destinations[0]!.counters.conns).toBe(0);
    expect(s.rates.cps).toBe(0);
    await (await connect(vip, port)).close();
    s = (await engine.stats()).services[0]!;
    expect(s.counters.conns).toBe(1);
    await expect(engine.zero({ ...key, port: port + 1 })).rejects.toThrow("No such service");
    await engine.zero(null);
    expect((await engine.stats()).services[0]!.counters.conns).toBe(0);
  });

  it("--set changes the idle timeouts the connection table expires by (0 keeps a value) and read() reports them", async () => {
    const engine = new UserspaceEngine({ tickMs: 0 });
    cleanup.push(() => engine.close());
    expect((await engine.read()).timeouts).toEqual({ tcp: 900, tcpfin: 120, udp: 300 });
    const r = await engine.apply({ services: [], timeouts: { tcp: 60, tcpfin: 0, udp: 5 } });
    expect(r.ops.map((o) => o.op)).toEqual(["--set 60 0 5"]);
    expect((await engine.read()).timeouts).toEqual({ tcp: 60, tcpfin: 120, udp: 5 });
    expect((await engine.apply({ services: [], timeouts: { tcp: 60, tcpfin: 0, udp: 5 } })).ops).toEqual([]);
  });
});
