/**
 * The engine's connection table and estimator over real loopback sockets with an injected clock:
 * states and expiry as `ipvsadm -Lnc` shows them, ActiveConn/InActConn, the `ipvsadm --set`
 * timeouts, and rates computed like ip_vs_est.c.
 */
import { afterEach, describe, expect, it } from "vitest";
import dgram from "node:dgram";
import { UserspaceEngine } from "./userspaceEngine.ts";
import { RateEstimator } from "./estimator.ts";
import { pooledRelayBuffers, RELAY_POOL_MAX } from "./relay.ts";
import { connect, freePort, service, startBackend, startUdpBackend, type Backend } from "./testing.ts";
import type { Counters } from "../../../lvs/model.ts";
import { until } from "../../../it/helpers.ts";

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

let seq = 1;
async function engineWith(timeouts: ConstructorParameters<typeof UserspaceEngine>[0] extends infer O ? O extends { timeouts?: infer T } ? T : never : never = {}) {
  let now = 1_000_000;
  const engine = new UserspaceEngine({ tickMs: 0, clock: () => now, timeouts });
  const backends: Backend[] = [];
  cleanup.push(async () => {
    await engine.close();
    for (const b of backends) await b.close();
  });
  return {
    engine,
    backends,
    advance: (ms: number) => {
      now += ms;
      engine.tick();
    },
  };
}

describe("connection table (ipvsadm -Lnc) and counters", () => {
  it("TCP: ESTABLISHED (active) while open, TIME_WAIT (inactive) for 120 s after close, then gone", async () => {
    const t = await engineWith();
    const vip = `127.0.40.${seq++}`;
    const port = await freePort(vip);
    t.backends.push(await startBackend("rs1", "127.0.41.1"));
    await t.engine.apply({ services: [service("tcp", vip, port, "rr", [{ address: "127.0.41.1", port: t.backends[0]!.port }])] });
    const c = await connect(vip, port, "127.0.42.7");
    let list = await t.engine.connections({ offset: 0, limit: 10 });
    expect(list.entries).toEqual([
      {
        protocol: "tcp", state: "ESTABLISHED", expiresIn: 900,
        client: { address: "127.0.42.7", port: c.socket.localPort }, virtual: { address: vip, port },
        destination: { address: "127.0.41.1", port: t.backends[0]!.port },
      },
    ]);
    let d = (await t.engine.stats()).services[0]!.destinations[0]!;
    expect([d.activeConns, d.inactConns]).toEqual([1, 0]);
    t.advance(1_000); // the sweep turns "traffic seen since the last tick" into the idle start
    t.advance(100_000); // then idle 100 s: still well inside the 900 s tcp timeout
    expect((await t.engine.connections({ offset: 0, limit: 10 })).entries[0]!.expiresIn).toBe(800);
    await c.close();
    await until(async () => (await t.engine.connections({ offset: 0, limit: 10 })).entries[0]?.state === "TIME_WAIT", 2000, "TIME_WAIT", { intervalMs: 10 });
    list = await t.engine.connections({ offset: 0, limit: 10 });
    expect(list.entries[0]!.expiresIn).toBe(120);
    d = (await t.engine.stats()).services[0]!.destinations[0]!;
    expect([d.activeConns, d.inactConns]).toEqual([0, 1]);
    t.advance(119_000);
    expect((await t.engine.connections({ offset: 0, limit: 10 })).total).toBe(1);
    t.advance(1_000);
    expect((await t.engine.connections({ offset: 0, limit: 10 })).total).toBe(0);
    d = (await t.engine.stats()).services[0]!.destinations[0]!;
    expect([d.activeConns, d.inactConns, d.counters.conns]).toEqual([0, 0, 1]);
  });

  it("an ESTABLISHED connection idle for the tcp timeout (--set tcp 30) is dropped; traffic keeps it alive", async () => {
    const t = await engineWith({ tcp: 30 });
    const vip = `127.0.40.${seq++}`;
    const port = await freePort(vip);
    t.backends.push(await startBackend("rs1", "127.0.41.2"));
    await t.engine.apply({ services: [service("tcp", vip, port, "rr", [{ address: "127.0.41.2", port: t.backends[0]!.port }])] });
    const busy = await connect(vip, port);
    const idle = await connect(vip, port);
    let idleClosed = false;
    idle.socket.on("close", () => void (idleClosed = true));
    for (let i = 0; i < 4; i++) {
      expect(await busy.echo(`x${i}`)).toBe(`x${i}`);
      t.advance(10_000); // 10 s steps: busy is seen every step, idle never
    }
    await until(() => idleClosed, 2000, "the idle client to be closed", { intervalMs: 10 });
    expect(busy.socket.destroyed).toBe(false);
    expect(await busy.echo("still")).toBe("still");
    const states = (await t.engine.connections({ offset: 0, limit: 10 })).entries.map((e) => e.state).sort();
    expect(states).toEqual(["CLOSE", "ESTABLISHED"]);
    await busy.close();
  });

  it("UDP: a flow is state UDP (inactive) and expires after the udp timeout; the client is then scheduled anew", async () => {
    const t = await engineWith({ udp: 5 });
    const vip = `127.0.40.${seq++}`;
    const port = await freePort(vip, "udp");
    const u = [await startUdpBackend("u1", "127.0.43.1"), await startUdpBackend("u2", "127.0.43.2")];
    t.backends.push(...u);
    await t.engine.apply({ services: [service("udp", vip, port, "rr", u.map((b) => ({ address: b.address, port: b.port })))] });
    const client = dgram.createSocket("udp4");
    cleanup.push(() => new Promise((r) => client.close(() => r())));
    await new Promise<void>((r) => client.bind(0, "127.0.44.1", () => r()));
    const replies: string[] = [];
    client.on("message", (m) => replies.push(m.toString()));
    const ask = async (text: string): Promise<string> => {
      const n = replies.length;
      client.send(text, port, vip);
      await until(() => replies.length > n, 2000, `a reply to ${text}`, { intervalMs: 10 });
      return replies.at(-1)!.split(":")[0]!;
    };
    const first = await ask("a");
    let e = (await t.engine.connections({ offset: 0, limit: 10 })).entries;
    expect(e.map((x) => [x.protocol, x.state, x.expiresIn])).toEqual([["udp", "UDP", 5]]);
    t.advance(3_000);
    expect(await ask("b")).toBe(first); // traffic refreshes the flow
    t.advance(3_000);
    expect((await t.engine.connections({ offset: 0, limit: 10 })).total).toBe(1);
    t.advance(5_000);
    e = (await t.engine.connections({ offset: 0, limit: 10 })).entries;
    expect(e).toEqual([]);
    const s = (await t.engine.stats()).services[0]!;
    expect(s.destinations.map((d) => d.inactConns + d.activeConns)).toEqual([0, 0]);
    const second = await ask("c");
    expect(second).not.toBe(first); // rr moved on: a new connection, scheduled again
    expect((await t.engine.stats()).services[0]!.counters.conns).toBe(2);
  });
});

describe("persistence templates in the connection table", () => {
  it("a template is NONE until a connection it controls is established, then ASSURED (Linux 6.1)", async () => {
    const t = await engineWith();
    const vip = `127.0.40.${seq++}`;
    const port = await freePort(vip);
    const dead = await freePort("127.0.41.9"); // nothing listens: the connect fails
    await t.engine.apply({ services: [service("tcp", vip, port, "rr", [{ address: "127.0.41.9", port: dead }], { persistence: { timeout: 300, netmask: null } })] });
    await connect(vip, port).catch(() => undefined);
    const template = async () => (await t.engine.connections({ offset: 0, limit: 10 })).entries.find((e) => e.client.port === 0);
    await until(async () => (await template()) !== undefined, 2000, "the template", { intervalMs: 10 });
    expect((await template())!.state).toBe("NONE");
    t.backends.push(await startBackend("rs9", "127.0.41.9"));
    const live = t.backends[0]!;
    await t.engine.apply({ services: [service("tcp", vip, port, "rr", [{ address: "127.0.41.9", port: live.port }], { persistence: { timeout: 300, netmask: null } })] });
    const c = await connect(vip, port);
    expect((await template())!.state).toBe("ASSURED");
    await c.close();
  });
});

describe("relay read buffers", () => {
  it("closed connections return their buffers to the pool; reused buffers carry exactly the new bytes", async () => {
    const t = await engineWith();
    const vip = `127.0.40.${seq++}`;
    const port = await freePort(vip);
    t.backends.push(await startBackend("rs1", "127.0.41.4"));
    await t.engine.apply({ services: [service("tcp", vip, port, "rr", [{ address: "127.0.41.4", port: t.backends[0]!.port }])] });
    let sent = 0;
    for (let i = 0; i < 20; i++) {
      const payload = String.fromCharCode(97 + (i % 26)).repeat(50 + ((i * 7919) % 3000));
      const c = await connect(vip, port);
      expect(await c.echo(payload)).toBe(payload);
      sent += payload.length;
      await c.close();
      await until(async () => (await t.engine.connections({ offset: 0, limit: 100 })).entries.filter((e) => e.state === "TIME_WAIT").length === i + 1, 2000, "TIME_WAIT", { intervalMs: 10 });
      expect(pooledRelayBuffers()).toBeGreaterThan(0);
    }
    expect(pooledRelayBuffers()).toBeLessThanOrEqual(RELAY_POOL_MAX);
    expect((await t.engine.stats()).services[0]!.counters.inBytes).toBe(sent);
  });
});

describe("rate estimator (ip_vs_est.c)", () => {
  const counters = (conns: number, bytes: number): Counters => ({ conns, inPkts: conns * 2, outPkts: conns, inBytes: bytes, outBytes: bytes * 3 });

  it("a steady 5 conn/s and 1000 B/s converge like the kernel's EWMA (weight 1/4, 2 s samples)", () => {
    const est = new RateEstimator();
    est.reset(counters(0, 0));
    const cps: number[] = [];
    const bps: number[] = [];
    for (let i = 1; i <= 12; i++) {
      est.sample(counters(10 * i, 2000 * i));
      const r = est.rates();
      cps.push(r.cps);
      bps.push(r.inBps);
    }
    // avg += ((delta << 9) - avg) >> 2 with delta << 9 = 5120 (5/s << 10); read (avg + 0x1FF) >> 10
    // avg: 1280 2240 2960 3500 3905 4208 4436 4607 4735 4831 4903 4957
    expect(cps).toEqual([1, 2, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5]);
    // bytes: avg += ((delta << 4) - avg) >> 2 with 2000 << 4 = 32000 (1000/s << 5); read (avg + 0xF) >> 5
    // avg: 8000 14000 18500 21875 24406 26304 27728 28796 29597 30197 30647 30985
    expect(bps).toEqual([250, 437, 578, 684, 763, 822, 866, 900, 925, 944, 958, 968]);
    // 3000 B/s out: the same recurrence towards 96000 ends at avg 92958 -> (92958 + 15) >> 5
    expect(est.rates().outBps).toBe(2905);
  });

  it("the engine samples every 2 s of its clock; --stats and --rate figures come from real traffic", async () => {
    const t = await engineWith();
    const vip = `127.0.40.${seq++}`;
    const port = await freePort(vip);
    t.backends.push(await startBackend("rs1", "127.0.41.3"));
    await t.engine.apply({ services: [service("tcp", vip, port, "rr", [{ address: "127.0.41.3", port: t.backends[0]!.port }])] });
    const payload = "y".repeat(4000);
    for (let i = 0; i < 4; i++) {
      const c = await connect(vip, port);
      expect(await c.echo(payload)).toBe(payload);
      await c.close();
    }
    let s = (await t.engine.stats()).services[0]!;
    expect(s.counters.conns).toBe(4);
    expect(s.counters.inBytes).toBe(16000);
    expect(s.counters.outBytes).toBe(16000 + 4 * "rs1\n".length);
    expect(s.rates).toEqual({ cps: 0, inPps: 0, outPps: 0, inBps: 0, outBps: 0 }); // no sample yet
    t.advance(1_999);
    expect((await t.engine.stats()).services[0]!.rates.inBps).toBe(0);
    t.advance(1);
    s = (await t.engine.stats()).services[0]!;
    const ref = new RateEstimator();
    ref.reset({ conns: 0, inPkts: 0, outPkts: 0, inBytes: 0, outBytes: 0 });
    ref.sample(s.counters);
    expect(s.rates).toEqual(ref.rates());
    // 16000 B in 2 s: avg = (16000 << 4) >> 2 = 64000 -> (64000 + 15) >> 5 = 2000 B/s
    expect(s.rates.inBps).toBe(2000);
    expect(s.rates.cps).toBe(Math.floor(((4 << 9) / 4 + 0x1ff) / 1024)); // 512 -> 0 conn/s, like the kernel
    expect(s.destinations[0]!.rates).toEqual(s.rates);
  });
});
