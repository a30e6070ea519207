/**
 * The native data path (native/lvs-tcp-relay.c + tcpRelay.ts) over real loopback sockets: connections
 * handed to the relay keep the JS relay's semantics (half-close both ways, errors, backpressure),
 * their counters and table entries stay exact, idle timeouts and crashes end them cleanly, and a
 * missing binary or hostile channel input leaves the engine working.
 */
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { spawn } from "node:child_process";
import { freePort, service } from "./testing.ts";
import { until } from "../../../it/helpers.ts";
import { UserspaceEngine } from "./userspaceEngine.ts";
import { buildTcpRelay } from "./native/buildRelay.ts";
import { tcpRelayPath } from "./tcpRelay.ts";

let relayBin = "";
beforeAll(() => {
  relayBin = buildTcpRelay(path.join(os.tmpdir(), `lvs-tcp-relay-test-${process.getuid?.() ?? 0}`, "lvs-tcp-relay"));
});

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

let seq = 1;
const wait = { intervalMs: 10 };

/** A real server whose behaviour per connection is `onConn` (allowHalfOpen: FINs are seen as 'end'). */
async function backend(onConn: (s: net.Socket) => void): Promise<{ address: string; port: number }> {
  const address = "127.0.63.1";
  const server = net.createServer({ allowHalfOpen: true }, (s) => {
    s.on("error", () => undefined);
    onConn(s);
  });
  const open = new Set<net.Socket>();
  server.on("connection", (s) => {
    open.add(s);
    s.on("close", () => open.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, address, () => r()));
  cleanup.push(() => new Promise<void>((r) => {
    for (const s of open) s.destroy();
    server.close(() => r());
  }));
  return { address, port: (server.address() as net.AddressInfo).port };
}

/** An echo server (every byte back). */
const echo = (): ReturnType<typeof backend> => backend((s) => s.on("data", (d) => s.write(d)).on("end", () => s.end()));

async function engineFor(b: { address: string; port: number }, o: { relay?: string | null; clock?: () => number; broken?: boolean } = {}) {
  const vip = `127.0.64.${seq++}`;
  const port = await freePort(vip);
  const logs: string[] = [];
  const engine = new UserspaceEngine({ tickMs: 0, tcpRelay: o.relay === undefined ? relayBin : o.relay, relayAfterReads: 1, log: (l) => logs.push(l), ...(o.clock ? { clock: o.clock } : {}) });
  cleanup.push(() => engine.close());
  if (engine.tcpRelay && !o.broken) await until(() => engine.tcpRelay!.isReady, 3000, "the relay to start", wait);
  await engine.apply({ services: [service("tcp", vip, port, "rr", [{ address: b.address, port: b.port }])] });
  const states = async (): Promise<string> => (await engine.connections({ offset: 0, limit: 10 })).entries.map((e) => e.state).join();
  const dest = async () => (await engine.stats()).services[0]!.destinations[0]!;
  return { vip, port, engine, logs, states, dest };
}

/** A client collecting what it reads; `sent` counts what it wrote. */
function client(vip: string, port: number) {
  const s = net.connect({ host: vip, port, allowHalfOpen: true });
  const c = { s, got: "", sent: 0, ended: false, closed: false, error: "" as string };
  s.on("data", (d) => (c.got += d.toString()));
  s.on("end", () => (c.ended = true));
  s.on("error", (e) => (c.error = (e as NodeJS.ErrnoException).code ?? e.message));
  s.on("close", () => (c.closed = true));
  const write = (text: string): void => {
    c.sent += Buffer.byteLength(text);
    s.write(text);
  };
  cleanup.push(() => void s.destroy());
  return Object.assign(c, { write });
}

/** a connection that has been handed to the relay (after one echoed exchange) */
async function relayed(t: Awaited<ReturnType<typeof engineFor>>) {
  const c = client(t.vip, t.port);
  c.write("first");
  await until(() => c.got === "first" && t.engine.tcpRelay!.size === 1, 3000, "the hand-off", wait);
  return c;
}

describe("native TCP relay", () => {
  it("carries a keep-alive connection: bytes, counters equal to the bytes sent, TIME_WAIT after FIN both ways", async () => {
    const t = await engineFor(await echo());
    const c = await relayed(t);
    const pid = t.engine.tcpRelay!.pid;
    expect(pid).toBeGreaterThan(0);
    const big = "y".repeat(300_000);
    c.write(big);
    await until(() => c.got.length === 5 + big.length, 5000, "the echo of 300 kB", wait);
    expect(c.got).toBe("first" + big);
    expect(await t.states()).toBe("ESTABLISHED");
    const live = await t.dest(); // exact while the connection lives: stats() flushes the relay's counters
    expect([live.counters.inBytes, live.counters.outBytes]).toEqual([c.sent, c.got.length]);
    c.s.end();
    await until(async () => (await t.states()) === "TIME_WAIT" && c.closed, 3000, "TIME_WAIT", wait);
    const d = await t.dest();
    expect(d.counters.inBytes).toBe(c.sent);
    expect(d.counters.outBytes).toBe(c.got.length);
    expect(d.counters.inPkts).toBeGreaterThanOrEqual(2);
    expect([d.activeConns, d.inactConns]).toEqual([0, 1]);
    expect(t.engine.tcpRelay!.size).toBe(0);
    expect(t.logs).toEqual([]);
  });

  it("client half-closes: the real server still answers after the FIN, then both close", async () => {
    let received = "";
    const t = await engineFor(await backend((s) => {
      s.on("data", (d) => {
        received += d.toString();
        if (received === "first") s.write("first");
      });
      s.on("end", () => s.end(`got ${received.length}`));
    }));
    const c = await relayed(t);
    c.s.end("more");
    await until(() => c.closed, 3000, "the close", wait);
    expect(c.got).toBe("firstgot 9");
    expect(received).toBe("firstmore");
    await until(async () => (await t.states()) === "TIME_WAIT", 3000, "TIME_WAIT", wait);
  });

  it("real server half-closes first: the client keeps sending and everything arrives, CLOSE_WAIT meanwhile", async () => {
    let received = "";
    let serverEnded = false;
    const t = await engineFor(await backend((s) => {
      s.on("data", (d) => {
        received += d.toString();
        if (received === "first") s.end("first"); // answer, then the server's FIN
      });
      s.on("end", () => (serverEnded = true));
    }));
    const c = await relayed(t);
    await until(() => c.ended, 3000, "the server's FIN at the client", wait);
    await until(async () => (await t.states()) === "CLOSE_WAIT", 3000, "CLOSE_WAIT", wait);
    expect((await t.dest()).activeConns).toBe(0);
    c.write("z".repeat(200_000));
    c.s.end();
    await until(() => serverEnded && c.closed, 3000, "the client's FIN at the server", wait);
    expect(received.length).toBe(5 + 200_000);
    await until(async () => (await t.states()) === "TIME_WAIT", 3000, "TIME_WAIT", wait);
  });

  it("a real server reset closes the client; the entry is CLOSE", async () => {
    let server: net.Socket | null = null;
    const t = await engineFor(await backend((s) => {
      server = s;
      s.on("data", (d) => s.write(d));
    }));
    const c = await relayed(t);
    server!.resetAndDestroy();
    await until(() => c.ended || c.closed, 3000, "the proxy to close the client", wait);
    await until(async () => (await t.states()) === "CLOSE", 3000, "CLOSE", wait);
    expect((await t.dest()).activeConns).toBe(0);
  });

  it("backpressure: 8 MB to a client that does not read arrive complete once it reads", async () => {
    const total = 8 * 1024 * 1024;
    const t = await engineFor(await backend((s) => {
      s.once("data", () => {
        s.write("first");
        s.once("data", () => s.end(Buffer.alloc(total, 0x61)));
      });
    }));
    const c = await relayed(t);
    c.s.pause();
    c.write("go");
    await new Promise((r) => setTimeout(r, 200)); // the relay's buffers and both kernels' fill up
    let n = 0;
    c.s.removeAllListeners("data");
    c.s.on("data", (d: Buffer) => (n += d.length));
    c.s.resume();
    await until(() => c.ended, 10_000, "the whole 8 MB", wait);
    expect(n).toBe(total);
    c.s.end();
    await until(async () => (await t.states()) === "TIME_WAIT", 3000, "TIME_WAIT", wait);
    expect((await t.dest()).counters.outBytes).toBe(5 + total);
  });

  it("an idle timeout aborts a relayed connection: both sockets close, entry CLOSE", async () => {
    let now = 1_000_000;
    const t = await engineFor(await echo(), { clock: () => now });
    await t.engine.apply({ timeouts: { tcp: 5, tcpfin: 5, udp: 5 }, services: (await t.engine.read()).services });
    const c = await relayed(t);
    t.engine.tick(); // flushes the relay's counters first: seen, idle from now
    await new Promise((r) => setTimeout(r, 100));
    now += 6000;
    t.engine.tick();
    await until(() => c.ended || c.closed, 3000, "the proxy to close the client", wait);
    expect(await t.states()).toBe("CLOSE");
    expect(t.engine.tcpRelay!.size).toBe(0);
  });

  it("a relay crash fails its connections cleanly; the next connection starts a new relay", async () => {
    const t = await engineFor(await echo());
    const c = await relayed(t);
    const pid = t.engine.tcpRelay!.pid!;
    process.kill(pid, "SIGKILL");
    await until(() => c.ended || c.closed, 3000, "the proxy to close the client", wait);
    await until(async () => (await t.states()) === "CLOSE", 3000, "CLOSE", wait);
    expect((await t.dest()).activeConns).toBe(0);
    expect(t.logs.join("\n")).toMatch(/tcp relay exited \(SIGKILL\); 1 relayed connection/);
    await until(() => t.engine.tcpRelay!.isReady, 3000, "the restarted relay", wait);
    const c2 = await relayed(t);
    expect(t.engine.tcpRelay!.pid).not.toBe(pid);
    c2.write("again");
    await until(() => c2.got === "firstagain", 3000, "the echo through the new relay", wait);
  });

  it("a relay that dies at start never takes a connection; after 5 restarts the engine stays on the JS relay", async () => {
    const bin = path.join(os.tmpdir(), `lvs-tcp-relay-broken-${process.pid}`);
    fs.writeFileSync(bin, "#!/bin/sh\nexit 3\n", { mode: 0o755 });
    cleanup.push(() => fs.rmSync(bin, { force: true }));
    const t = await engineFor(await echo(), { relay: bin, broken: true });
    await until(() => !t.engine.tcpRelay!.available, 5000, "the relay to be given up", wait);
    const c = client(t.vip, t.port);
    for (const w of ["a", "b", "c"]) {
      c.write(w);
      await until(() => c.got.endsWith(w), 3000, `echo ${w}`, wait);
    }
    expect(c.got).toBe("abc");
    expect(t.logs.filter((l) => l.includes("exited (code 3)"))).toHaveLength(6);
    expect(t.logs.at(-1)).toBe("tcp relay: restarted 5 times; established connections stay on the JS relay");
  });

  it("without the binary the engine says so once and relays in JS", async () => {
    const t = await engineFor(await echo(), { relay: "/nonexistent/lvs-tcp-relay" });
    expect(t.engine.tcpRelay).toBeNull();
    const c = client(t.vip, t.port);
    c.write("a");
    await until(() => c.got === "a", 3000, "echo", wait);
    c.write("b");
    await until(() => c.got === "ab", 3000, "echo", wait);
    expect(t.logs).toEqual(["tcp relay: /nonexistent/lvs-tcp-relay not found; established connections stay on the JS relay"]);
  });

  it("ignores hostile or short channel input and refuses a hand-off without descriptors", async () => {
    // fd 3 is a plain socketpair here (Node's "pipe" stdio): raw lines, no descriptors
    const p = spawn(relayBin, [], { stdio: ["ignore", "ignore", "pipe", "pipe"] });
    const ch = p.stdio[3] as net.Socket;
    let out = "";
    let err = "";
    ch.on("data", (d) => (out += d.toString()));
    p.stderr!.on("data", (d) => (err += d.toString()));
    ch.write("H 7\n"); // no descriptors queued
    ch.write("K 99\nF\n"); // unknown id; a descriptor-only line without one
    ch.write(Buffer.from([0, 1, 2, 0xff, 10]));
    ch.write("H 18446744073709551616\nH -1\nHx\n" + "q".repeat(5000) + "\nH 8\n");
    await until(() => out.includes("R 8\n"), 3000, "R 8", wait);
    expect(out).toBe("Q 0\nR 7\nR 8\n"); // ready, then the two refusals
    expect(err).toMatch(/bad line/);
    expect(err).toMatch(/over-long line/);
    const code = await new Promise<number | null>((r) => {
      p.on("exit", (c) => r(c));
      ch.end();
    });
    expect(code).toBe(0); // the engine's side closed: the relay ends
  });

  it("tcpRelayPath: the env wins, none turns it off, else the installed binary when present", () => {
    expect(tcpRelayPath({ LVS_AGENT_TCP_RELAY: "/x" }, () => false)).toBe("/x");
    expect(tcpRelayPath({ LVS_AGENT_TCP_RELAY: "none" }, () => true)).toBeNull();
    expect(tcpRelayPath({}, () => true)).toBe("/usr/lib/lvs-agent/lvs-tcp-relay");
    expect(tcpRelayPath({}, () => false)).toBeNull();
  });
});
