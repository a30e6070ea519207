import { afterAll, beforeAll, describe, expect, it } from "vitest";
import http from "node:http";
import net from "node:net";
import dgram from "node:dgram";
import type { AddressInfo } from "node:net";
import { tcpChecker } from "./tcp.ts";
import { httpChecker } from "./http.ts";
import { udpChecker } from "./udp.ts";
import type { HealthCheck } from "../../lvs/model.ts";

const timing = { intervalMs: 1000, timeoutMs: 500, rise: 1, fall: 1, onFailure: "quiesce" as const };
const A = "127.0.40.1";

describe("health checkers against real loopback servers", () => {
  let web: http.Server;
  let webPort: number;
  let udp: dgram.Socket;
  let udpPort: number;
  let closedPort: number;
  let silent: net.Server;
  let silentPort: number;

  beforeAll(async () => {
    web = http.createServer((req, res) => {
      if (req.url === "/ok") res.end("all good here");
      else if (req.url === "/slow") setTimeout(() => res.end("late"), 2000).unref();
      else { res.statusCode = 503; res.end("down"); }
    });
    await new Promise<void>((r) => web.listen(0, A, r));
    webPort = (web.address() as AddressInfo).port;
    udp = dgram.createSocket("udp4");
    udp.on("message", (m, rinfo) => udp.send(m.toString() === "ping" ? "pong" : "what", rinfo.port, rinfo.address));
    await new Promise<void>((r) => udp.bind(0, A, r));
    udpPort = udp.address().port;
    const tmp = net.createServer();
    await new Promise<void>((r) => tmp.listen(0, A, r));
    closedPort = (tmp.address() as AddressInfo).port;
    await new Promise((r) => tmp.close(r));
    silent = net.createServer(() => {});
    await new Promise<void>((r) => silent.listen(0, A, r));
    silentPort = (silent.address() as AddressInfo).port;
  });
  afterAll(async () => {
    web.closeAllConnections();
    await new Promise((r) => web.close(r));
    udp.close();
    silent.close();
  });

  const httpCheck = (path: string, over: Partial<Extract<HealthCheck, { kind: "http" | "https" }>> = {}): HealthCheck =>
    ({ kind: "http", port: null, path, host: null, status: [200, 299], bodyMatch: null, ...timing, ...over });

  it("tcp: connect ok, refused, and the check's own port overrides the real server's", async () => {
    expect(await tcpChecker.check({ address: A, port: webPort }, { kind: "tcp", port: null, ...timing }, 500)).toEqual({ ok: true, message: "connected" });
    expect(await tcpChecker.check({ address: A, port: closedPort }, { kind: "tcp", port: null, ...timing }, 500)).toEqual({ ok: false, message: "ECONNREFUSED" });
    expect((await tcpChecker.check({ address: A, port: closedPort }, { kind: "tcp", port: webPort, ...timing }, 500)).ok).toBe(true);
  });

  it("http: status range, body match, timeout", async () => {
    expect(await httpChecker.check({ address: A, port: webPort }, httpCheck("/ok"), 500)).toEqual({ ok: true, message: "HTTP 200" });
    expect(await httpChecker.check({ address: A, port: webPort }, httpCheck("/bad"), 500)).toEqual({ ok: false, message: "HTTP 503" });
    expect((await httpChecker.check({ address: A, port: webPort }, httpCheck("/bad", { status: [500, 599] }), 500)).ok).toBe(true);
    expect(await httpChecker.check({ address: A, port: webPort }, httpCheck("/ok", { bodyMatch: "good" }), 500)).toEqual({ ok: true, message: "HTTP 200, body matched" });
    expect(await httpChecker.check({ address: A, port: webPort }, httpCheck("/ok", { bodyMatch: "nope" }), 500)).toEqual({ ok: false, message: "HTTP 200, body did not match" });
    expect(await httpChecker.check({ address: A, port: webPort }, httpCheck("/slow"), 200)).toEqual({ ok: false, message: "timeout after 200 ms" });
  });

  it("udp: expected reply, wrong reply, ICMP unreachable", async () => {
    const c = (expect_: string | null): HealthCheck => ({ kind: "udp", port: null, send: "ping", expect: expect_, ...timing });
    expect(await udpChecker.check({ address: A, port: udpPort }, c("pong"), 500)).toEqual({ ok: true, message: "reply" });
    expect(await udpChecker.check({ address: A, port: udpPort }, c("other"), 500)).toEqual({ ok: false, message: "reply did not match" });
    expect(await udpChecker.check({ address: A, port: closedPort }, c(null), 500)).toEqual({ ok: false, message: "ECONNREFUSED" });
  });

  it("tcp: a peer that accepts but never speaks counts as up", async () => {
    expect((await tcpChecker.check({ address: A, port: silentPort }, { kind: "tcp", port: null, ...timing }, 300)).ok).toBe(true);
  });
});
