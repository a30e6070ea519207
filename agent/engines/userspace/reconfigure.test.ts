/**
 * Live reconfiguration over loopback: editing a service (scheduler, persistence) keeps its listener,
 * its counters and its established connections; removing a service stops new connections at once
 * while established ones keep forwarding until they close; adding it back listens again.
 */
import { afterEach, describe, expect, it } from "vitest";
import net from "node:net";
import dgram from "node:dgram";
import { UserspaceEngine } from "./userspaceEngine.ts";
import { connect, freePort, service, sleep, startBackend, startUdpBackend, type Backend } from "./testing.ts";

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

const refused = (host: string, port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const s = net.connect({ host, port });
    s.once("connect", () => {
      s.destroy();
      resolve(false);
    });
    s.once("error", (e: NodeJS.ErrnoException) => resolve(e.code === "ECONNREFUSED"));
  });

describe("UserspaceEngine live reconfiguration", () => {
  it("scheduler and persistence edits keep the listener, the counters and established connections", async () => {
    const backends: Backend[] = [await startBackend("a", "127.0.50.1"), await startBackend("b", "127.0.50.2")];
    const engine = new UserspaceEngine({ tickMs: 0 });
    cleanup.push(async () => {
      await engine.close();
      for (const b of backends) await b.close();
    });
    const vip = "127.0.51.1";
    const port = await freePort(vip);
    const dests = backends.map((b) => ({ address: b.address, port: b.port }));
    await engine.apply({ services: [service("tcp", vip, port, "rr", dests)] });
    const held = [await connect(vip, port), await connect(vip, port)];
    const r = await engine.apply({ services: [service("tcp", vip, port, "wlc", dests, { persistence: { timeout: 60, netmask: null } })] });
    expect(r.ok).toBe(true);
    expect(r.ops.map((o) => o.op).join("\n")).not.toMatch(/^listen|^close/m);
    for (const c of held) expect(await c.echo("after-edit")).toBe("after-edit");
    const s = (await engine.stats()).services[0]!;
    expect(s.counters.conns).toBe(2);
    expect(s.destinations.map((d) => d.activeConns)).toEqual([1, 1]);
    // wlc with one active each: the newest (b) wins the tie; persistence then keeps the client there
    const next = [await connect(vip, port), await connect(vip, port)];
    expect(next.map((c) => c.name)).toEqual(["b", "b"]);
    for (const c of [...held, ...next]) await c.close();
  });

  it("a removed service refuses new connections while established ones keep forwarding; adding it back listens again", async () => {
    const backend = await startBackend("a", "127.0.50.3");
    const engine = new UserspaceEngine({ tickMs: 0 });
    cleanup.push(async () => {
      await engine.close();
      await backend.close();
    });
    const vip = "127.0.51.2";
    const port = await freePort(vip);
    const table = { services: [service("tcp", vip, port, "rr", [{ address: backend.address, port: backend.port }])] };
    await engine.apply(table);
    const old = await connect(vip, port);
    const r = await engine.apply({ services: [] });
    expect(r.ops.map((o) => o.op)).toEqual([`close tcp ${vip}:${port}`]);
    expect(await refused(vip, port)).toBe(true);
    expect(await old.echo("still here")).toBe("still here");
    await engine.apply(table);
    const fresh = await connect(vip, port);
    expect(fresh.name).toBe("a");
    expect(await old.echo("and now")).toBe("and now");
    await old.close();
    await fresh.close();
  });

  it("a removed UDP service keeps forwarding its existing flows until they expire, and takes no new client", async () => {
    let now = 1_000_000;
    const rs = await startUdpBackend("u1", "127.0.50.4");
    const engine = new UserspaceEngine({ tickMs: 0, clock: () => now, timeouts: { udp: 10 } });
    const clients: dgram.Socket[] = [];
    cleanup.push(async () => {
      await engine.close();
      await rs.close();
      for (const c of clients) c.close();
    });
    const vip = "127.0.51.3";
    const port = await freePort(vip, "udp");
    const table = { services: [service("udp", vip, port, "rr", [{ address: rs.address, port: rs.port }])] };
    await engine.apply(table);
    const client = async (address: string) => {
      const c = dgram.createSocket("udp4");
      clients.push(c);
      await new Promise<void>((r) => c.bind(0, address, () => r()));
      const replies: string[] = [];
      c.on("message", (m) => replies.push(m.toString()));
      return {
        ask: async (text: string): Promise<string | null> => {
          const n = replies.length;
          c.send(text, port, vip);
          for (let i = 0; i < 30 && replies.length === n; i++) await sleep(10);
          return replies.length > n ? replies.at(-1)! : null;
        },
      };
    };
    const old = await client("127.0.52.1");
    expect(await old.ask("a")).toBe("u1:a");
    await engine.apply({ services: [] });
    expect(await old.ask("b")).toBe("u1:b");
    const stranger = await client("127.0.52.2");
    expect(await stranger.ask("x")).toBeNull();
    // the service comes back while its flow lives: same socket, new clients scheduled again
    await engine.apply(table);
    expect(await stranger.ask("y")).toBe("u1:y");
    await engine.apply({ services: [] });
    now += 1_000;
    engine.tick(); // the ticker turns "traffic seen" into the start of the idle time
    now += 10_000; // both flows idle for the udp timeout: the socket closes with the last one
    engine.tick();
    expect(await old.ask("c")).toBeNull();
    // the port is free again: adding the service binds it anew
    const r = await engine.apply(table);
    expect(r.ok).toBe(true);
    expect(await old.ask("d")).toBe("u1:d");
  });
});
