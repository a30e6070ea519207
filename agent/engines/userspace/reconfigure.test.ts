/**
 * Live reconfiguration over loopback: editing a service (scheduler, persistence) keeps its listener,
 * its counters and its established connections; removing a service stops new connections at once
 * while established ones keep forwarding until they close; adding it back listens again.
 */
import { afterEach, describe, expect, it } from "vitest";
import net from "node:net";
import { UserspaceEngine } from "./userspaceEngine.ts";
import { connect, freePort, service, startBackend, type Backend } from "./testing.ts";

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
});
