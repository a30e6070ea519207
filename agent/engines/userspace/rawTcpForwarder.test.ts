/**
 * The handle-level TCP path (rawTcpForwarder.ts) over real loopback sockets: half-close both ways,
 * resets, and that it really replaced net.Socket on the connection path. The same scenarios run on
 * the net.Socket fallback (LVS_ENGINE_NET_SOCKETS=1) so both paths keep one behaviour.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import net from "node:net";
import { execFileSync } from "node:child_process";
import { freePort, service } from "./testing.ts";
import { until } from "../../../it/helpers.ts";
import type { UserspaceEngine as Engine } from "./userspaceEngine.ts";

type EngineClass = typeof Engine;
const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

let seq = 1;

/** A backend that records what it received, and on the client's FIN answers `got N` and closes. */
async function halfCloseBackend(address: string, onConn?: (s: net.Socket) => void): Promise<{ port: number; received: string[] }> {
  const received: string[] = [];
  const server = net.createServer({ allowHalfOpen: true }, (s) => {
    let got = "";
    s.on("error", () => undefined);
    s.on("data", (d) => (got += d.toString()));
    s.on("end", () => {
      received.push(got);
      s.end(`got ${got.length}`);
    });
    onConn?.(s);
  });
  await new Promise<void>((r) => server.listen(0, address, () => r()));
  cleanup.push(() => new Promise<void>((r) => server.close(() => r())));
  return { port: (server.address() as net.AddressInfo).port, received };
}

async function engineFor(Cls: EngineClass, backendPort: number, backendAddress: string) {
  const vip = `127.0.61.${seq++}`;
  const port = await freePort(vip);
  const engine = new Cls({ tickMs: 0 });
  cleanup.push(() => engine.close());
  await engine.apply({ services: [service("tcp", vip, port, "rr", [{ address: backendAddress, port: backendPort }])] });
  const states = async (): Promise<string[]> => (await engine.connections({ offset: 0, limit: 10 })).entries.map((e) => e.state);
  return { vip, port, engine, states };
}

/** client: write, half-close, read the answer until the proxy closes */
function sendAndHalfClose(vip: string, port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: vip, port, allowHalfOpen: true }, () => s.end(text));
    let got = "";
    s.on("data", (d) => (got += d.toString()));
    s.on("error", reject);
    s.on("close", () => resolve(got));
  });
}

/**
 * TCP sockets of this process with their TCP_NODELAY, read from outside (Node has no getsockopt):
 * python3 duplicates each descriptor with pidfd_getfd(2) and asks the kernel.
 */
function tcpNoDelay(): { local: string; peer: string; nodelay: number }[] {
  const py = `
import os, sys, socket, ctypes, json
pid = int(sys.argv[1]); libc = ctypes.CDLL(None, use_errno=True); pfd = os.pidfd_open(pid); out = []
for fd in os.listdir(f"/proc/{pid}/fd"):
    try: link = os.readlink(f"/proc/{pid}/fd/{fd}")
    except OSError: continue
    if not link.startswith("socket:"): continue
    nfd = libc.syscall(438, pfd, int(fd), 0)
    if nfd < 0: continue
    s = socket.socket(fileno=nfd)
    try:
        if s.type == socket.SOCK_STREAM and s.family == socket.AF_INET:
            try: peer = "%s:%d" % s.getpeername()
            except OSError: peer = ""
            out.append({"local": "%s:%d" % s.getsockname(), "peer": peer, "nodelay": s.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)})
    except OSError: pass
    s.detach(); os.close(nfd)
print(json.dumps(out))
`;
  return JSON.parse(execFileSync("python3", ["-c", py, String(process.pid)], { encoding: "utf8" })) as { local: string; peer: string; nodelay: number }[];
}

function scenarios(load: () => Promise<EngineClass>): void {
  it("client half-closes: the real server still answers after the FIN, then both close (TIME_WAIT)", async () => {
    const Cls = await load();
    const b = await halfCloseBackend("127.0.62.1");
    const t = await engineFor(Cls, b.port, "127.0.62.1");
    expect(await sendAndHalfClose(t.vip, t.port, "hello")).toBe("got 5");
    expect(b.received).toEqual(["hello"]);
    await until(async () => (await t.states()).join() === "TIME_WAIT", 3000, "TIME_WAIT", { intervalMs: 10 });
  });

  it("real server half-closes first: the client keeps sending afterwards and everything arrives", async () => {
    const Cls = await load();
    const b = await halfCloseBackend("127.0.62.2", (s) => {
      s.removeAllListeners("end");
      let got = "";
      s.on("data", (d) => (got += d.toString()));
      s.on("end", () => b.received.push(got));
      s.end("bye"); // the server's FIN first
    });
    const t = await engineFor(Cls, b.port, "127.0.62.2");
    const answer = await new Promise<string>((resolve, reject) => {
      const s = net.connect({ host: t.vip, port: t.port, allowHalfOpen: true });
      let got = "";
      s.on("data", (d) => (got += d.toString()));
      s.on("end", () => {
        // the server's FIN arrived; the client's direction is still open
        s.write("x".repeat(200_000));
        s.end("tail");
      });
      s.on("error", reject);
      s.on("close", () => resolve(got));
    });
    expect(answer).toBe("bye");
    await until(() => b.received.length === 1, 3000, "the server to read the client's FIN", { intervalMs: 10 });
    expect(b.received[0]).toBe("x".repeat(200_000) + "tail");
    await until(async () => (await t.states()).join() === "TIME_WAIT", 3000, "TIME_WAIT", { intervalMs: 10 });
  });

  it("both sockets of a forwarded connection have TCP_NODELAY (the client's inherited from the listening socket)", async () => {
    const Cls = await load();
    let backendSide: net.Socket | null = null;
    const b = await halfCloseBackend("127.0.62.5", (s) => (backendSide = s));
    const t = await engineFor(Cls, b.port, "127.0.62.5");
    const s = net.connect({ host: t.vip, port: t.port });
    cleanup.push(() => void s.destroy());
    await new Promise<void>((r) => s.once("connect", () => r()));
    await until(() => backendSide !== null, 3000, "the real server to accept", { intervalMs: 10 });
    const socks = tcpNoDelay();
    const client = socks.find((x) => x.local === `${t.vip}:${t.port}` && x.peer === `${s.localAddress}:${s.localPort}`);
    const backend = socks.find((x) => x.peer === `127.0.62.5:${b.port}` && x.local === `${backendSide!.remoteAddress}:${backendSide!.remotePort}`);
    expect(client).toMatchObject({ nodelay: 1 });
    expect(backend).toMatchObject({ nodelay: 1 });
  });

  it("reads of the same size on one connection each carry their own bytes, both ways", async () => {
    const Cls = await load();
    const echo = net.createServer((c) => c.on("data", (d) => c.write(d.toString().toUpperCase())));
    await new Promise<void>((r) => echo.listen(0, "127.0.62.6", () => r()));
    cleanup.push(() => new Promise<void>((r) => echo.close(() => r())));
    const t = await engineFor(Cls, (echo.address() as net.AddressInfo).port, "127.0.62.6");
    const s = net.connect({ host: t.vip, port: t.port });
    cleanup.push(() => void s.destroy());
    const answers: string[] = [];
    s.on("data", (d) => answers.push(d.toString()));
    for (const word of ["abcd", "efgh", "ijkl", "mn", "opqr"]) {
      const n = answers.length;
      s.write(word);
      await until(() => answers.length > n, 3000, `the answer to ${word}`, { intervalMs: 5 });
    }
    expect(answers).toEqual(["ABCD", "EFGH", "IJKL", "MN", "OPQR"]);
  });

  it("a client reset closes the real server's side; the entry is CLOSE, not TIME_WAIT", async () => {
    const Cls = await load();
    let backendClosed = false;
    const b = await halfCloseBackend("127.0.62.3", (s) => s.on("close", () => void (backendClosed = true)));
    const t = await engineFor(Cls, b.port, "127.0.62.3");
    const s = net.connect({ host: t.vip, port: t.port });
    await new Promise<void>((r) => s.once("connect", () => r()));
    s.write("partial");
    await until(async () => (await t.states()).join() === "ESTABLISHED", 3000, "ESTABLISHED", { intervalMs: 10 });
    s.resetAndDestroy();
    await until(() => backendClosed, 3000, "the real server's socket to close", { intervalMs: 10 });
    await until(async () => (await t.states()).join() === "CLOSE", 3000, "CLOSE", { intervalMs: 10 });
  });
}

describe("TCP forwarding on libuv handles", () => {
  scenarios(async () => (await import("./userspaceEngine.ts")).UserspaceEngine);

  it("creates no net.Socket for the connections it forwards (the clients' own are the only ones)", async () => {
    const { UserspaceEngine } = await import("./userspaceEngine.ts");
    const b = await halfCloseBackend("127.0.62.4");
    const t = await engineFor(UserspaceEngine, b.port, "127.0.62.4");
    const connect = vi.spyOn(net.Socket.prototype, "connect");
    cleanup.push(() => connect.mockRestore());
    for (let i = 0; i < 5; i++) expect(await sendAndHalfClose(t.vip, t.port, `n${i}`)).toBe("got 2");
    // 5 client sockets; the net.Socket path would add 5 net.connect calls towards the real server
    expect(connect).toHaveBeenCalledTimes(5);
  });
});

describe("TCP forwarding on net.Socket (fallback, LVS_ENGINE_NET_SOCKETS=1)", () => {
  scenarios(async () => {
    vi.resetModules();
    vi.stubEnv("LVS_ENGINE_NET_SOCKETS", "1");
    cleanup.push(() => void vi.unstubAllEnvs());
    const mod = await import("./userspaceEngine.ts");
    const raw = await import("./rawTcpForwarder.ts");
    expect(raw.rawTcpAvailable).toBe(false);
    return mod.UserspaceEngine;
  });
});
