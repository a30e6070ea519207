/**
 * IPv6 through the userspace engine over ::1 (real sockets): TCP with NAT port mapping, UDP flows and
 * one-packet scheduling, and persistence templates keyed by the client's -M prefix.
 */
import { afterEach, describe, expect, it } from "vitest";
import dgram from "node:dgram";
import net from "node:net";
import { UserspaceEngine } from "./userspaceEngine.ts";
import { maskedClient } from "./persistence.ts";
import { connect, service, sleep, startBackend, type Backend } from "./testing.ts";

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

async function freePort6(type: "tcp" | "udp"): Promise<number> {
  if (type === "udp") {
    const s = dgram.createSocket("udp6");
    await new Promise<void>((r) => s.bind(0, "::1", () => r()));
    const p = s.address().port;
    await new Promise<void>((r) => s.close(() => r()));
    return p;
  }
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, "::1", () => r()));
  const p = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return p;
}

async function udp6Backend(name: string): Promise<{ port: number; datagrams: number; close(): Promise<void> }> {
  const sock = dgram.createSocket("udp6");
  const b = { port: 0, datagrams: 0, close: () => new Promise<void>((r) => sock.close(() => r())) };
  sock.on("message", (m, r) => {
    b.datagrams++;
    sock.send(`${name}:${m.toString()}`, r.port, r.address);
  });
  await new Promise<void>((r) => sock.bind(0, "::1", () => r()));
  b.port = sock.address().port;
  return b;
}

const v6 = <T extends object>(s: T): T => ({ ...s, family: "inet6" });

describe("UserspaceEngine over IPv6 (::1)", () => {
  it("TCP: rr between two real servers on other ports (NAT port mapping), -Lnc and counters in IPv6", async () => {
    const backends: Backend[] = [await startBackend("a", "::1"), await startBackend("b", "::1")];
    const engine = new UserspaceEngine({ tickMs: 0 });
    cleanup.push(async () => {
      await engine.close();
      for (const b of backends) await b.close();
    });
    const port = await freePort6("tcp");
    const r = await engine.apply({ services: [v6(service("tcp", "::1", port, "rr", backends.map((b) => ({ address: "::1", port: b.port }))))] });
    expect(r.ok).toBe(true);
    const names: string[] = [];
    for (let i = 0; i < 4; i++) {
      const c = await connect("::1", port);
      names.push(c.name);
      expect(await c.echo("hello")).toBe("hello");
      await c.close();
    }
    // newest first: b was added after a
    expect(names).toEqual(["b", "a", "b", "a"]);
    const s = (await engine.stats()).services[0]!;
    expect(s.key).toMatchObject({ family: "inet6", address: "::1", port });
    expect(s.counters.conns).toBe(4);
    expect(s.counters.inBytes).toBe(4 * 5);
    expect(s.counters.outBytes).toBe(4 * (5 + 2));
    const conns = await engine.connections({ offset: 0, limit: 10, virtual: `[::1]:${port}` });
    expect(conns.total).toBe(4);
    expect(new Set(conns.entries.map((e) => e.state))).toEqual(new Set(["TIME_WAIT"]));
    expect(conns.entries.map((e) => e.destination.port).sort()).toEqual([...backends.map((b) => b.port), ...backends.map((b) => b.port)].sort());
  });

  it("UDP: a flow sticks to one server, -o spreads every datagram", async () => {
    const u = [await udp6Backend("u1"), await udp6Backend("u2")];
    const engine = new UserspaceEngine({ tickMs: 0 });
    const client = dgram.createSocket("udp6");
    cleanup.push(async () => {
      await engine.close();
      for (const b of u) await b.close();
      await new Promise<void>((r) => client.close(() => r()));
    });
    const port = await freePort6("udp");
    const dests = u.map((b) => ({ address: "::1", port: b.port }));
    await engine.apply({ services: [v6(service("udp", "::1", port, "rr", dests))] });
    await new Promise<void>((r) => client.bind(0, "::1", () => r()));
    const replies: string[] = [];
    client.on("message", (m) => replies.push(m.toString().split(":")[0]!));
    const send = async (n: number): Promise<void> => {
      const want = replies.length + n;
      for (let i = 0; i < n; i++) {
        client.send(`m${i}`, port, "::1");
        await sleep(5);
      }
      for (let i = 0; i < 200 && replies.length < want; i++) await sleep(10);
      expect(replies).toHaveLength(want);
    };
    await send(4);
    expect(new Set(replies).size).toBe(1);
    expect((await engine.stats()).services[0]!.counters).toMatchObject({ conns: 1, inPkts: 4, outPkts: 4 });
    await engine.apply({ services: [v6(service("udp", "::1", port, "rr", dests, { onePacket: true }))] });
    replies.length = 0;
    await send(4);
    expect([...replies].sort()).toEqual(["u1", "u1", "u2", "u2"]);
  });

  it("persistence masks IPv6 clients by prefix length (-M 64) and IPv4 by netmask", () => {
    expect(maskedClient("inet6", "2001:db8:1:2:aaaa::5", "64")).toBe("2001:db8:1:2::");
    expect(maskedClient("inet6", "2001:db8:1:2:bbbb::9", "64")).toBe(maskedClient("inet6", "2001:db8:1:2:aaaa::5", "64"));
    expect(maskedClient("inet6", "2001:db8:1:3::5", "64")).not.toBe(maskedClient("inet6", "2001:db8:1:2::5", "64"));
    expect(maskedClient("inet6", "2001:db8:1:2:aaaa::5", "56")).toBe("2001:db8:1::");
    expect(maskedClient("inet6", "2001:db8:ffff::1", "24")).toBe("2001:d00::");
    expect(maskedClient("inet6", "2001:db8::1", null)).toBe("2001:db8::1");
    expect(maskedClient("inet", "10.1.2.3", "255.255.255.0")).toBe("10.1.2.0");
    expect(maskedClient("inet", "::ffff:10.1.2.3", "255.255.0.0")).toBe("10.1.0.0");
  });

  it("persistence over ::1: one template, every connection to the same server until it expires", async () => {
    let now = 5_000_000;
    const backends: Backend[] = [await startBackend("a", "::1"), await startBackend("b", "::1")];
    const engine = new UserspaceEngine({ tickMs: 0, clock: () => now });
    cleanup.push(async () => {
      await engine.close();
      for (const b of backends) await b.close();
    });
    const port = await freePort6("tcp");
    await engine.apply({
      services: [v6(service("tcp", "::1", port, "rr", backends.map((b) => ({ address: "::1", port: b.port })), { persistence: { timeout: 30, netmask: "64" } }))],
    });
    const names: string[] = [];
    for (let i = 0; i < 3; i++) {
      const c = await connect("::1", port);
      names.push(c.name);
      await c.close();
    }
    expect(new Set(names).size).toBe(1);
    const list = await engine.connections({ offset: 0, limit: 10 });
    const templates = list.entries.filter((e) => e.client.port === 0);
    expect(templates.map((e) => e.state)).toEqual(["ASSURED"]); // its connections were established
    expect(templates).toHaveLength(1);
    expect(templates[0]!.client.address).toBe("::"); // ::1 masked to its /64, in inet_ntop form like ipvsadm -Lnc
    expect((await engine.stats()).services[0]!.destinations.reduce((n, d) => n + d.persistConns, 0)).toBe(1);
    now += 200_000; // TIME_WAITs (120 s) and then the template (30 s after them) expire
    engine.tick();
    now += 31_000;
    engine.tick();
    expect((await engine.connections({ offset: 0, limit: 10 })).total).toBe(0);
    const next = await connect("::1", port);
    expect(next.name).not.toBe(names[0]); // rr moved on once the template was gone
    await next.close();
  });
});
