/**
 * PROXY protocol v2 towards real servers, checked by a real decoder: HAProxy with `accept-proxy`
 * answers every HTTP request with the source and destination it read from our header (IPv4 and IPv6).
 * UDP (one header per datagram) is checked against the byte layout of haproxy doc/proxy-protocol.txt.
 */
import { afterEach, describe, expect, it } from "vitest";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import dgram from "node:dgram";
import net from "node:net";
import { UserspaceEngine } from "./userspaceEngine.ts";
import { proxyV2Header } from "./proxyProtocol.ts";
import { freePort, service, sleep } from "./testing.ts";

const HAVE_HAPROXY = spawnSync("haproxy", ["-v"]).status === 0;
const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

async function startHaproxy(v4: { address: string; port: number }, v6port: number): Promise<ChildProcess> {
  const dir = mkdtempSync(path.join(tmpdir(), "pp2-"));
  const cfg = path.join(dir, "haproxy.cfg");
  writeFileSync(cfg, `global
  nbthread 1
defaults
  mode http
  timeout connect 5s
  timeout client 5s
  timeout server 5s
frontend f
  bind ${v4.address}:${v4.port} accept-proxy
  bind [::1]:${v6port} accept-proxy
  http-request return status 200 content-type text/plain lf-string "%[src] %[src_port] %[dst] %[dst_port]\\n"
`);
  const child = spawn("haproxy", ["-f", cfg, "-db"], { stdio: "ignore" });
  cleanup.push(() => void child.kill("SIGTERM"));
  for (let i = 0; i < 200; i++) {
    const up = await new Promise<boolean>((r) => {
      const s = net.connect({ host: v4.address, port: v4.port }, () => (s.destroy(), r(true)));
      s.once("error", () => r(false));
    });
    if (up) return child;
    await sleep(25);
  }
  throw new Error("haproxy did not start");
}

function httpGet(host: string, port: number, localAddress?: string): Promise<{ body: string; localPort: number }> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host, port, localAddress });
    let data = "";
    let localPort = 0;
    s.on("connect", () => {
      localPort = s.localPort ?? 0;
      s.write("GET / HTTP/1.0\r\n\r\n");
    });
    s.on("data", (d) => (data += d.toString()));
    s.on("error", reject);
    s.on("close", () => resolve({ body: data.split("\r\n\r\n")[1] ?? "", localPort }));
  });
}

describe.skipIf(!HAVE_HAPROXY)("PROXY protocol v2 decoded by HAProxy (accept-proxy)", () => {
  it("IPv4 and IPv6 services: the real server sees the client's address and port and the VIP", async () => {
    const backend = { address: "127.0.60.1", port: await freePort("127.0.60.1") };
    const v6port = await freePort("::1");
    await startHaproxy(backend, v6port);
    const engine = new UserspaceEngine({ tickMs: 0, proxyProtocol: () => true });
    cleanup.push(() => engine.close());
    const vip = "127.0.61.1";
    const port = await freePort(vip);
    const port6 = await freePort("::1");
    await engine.apply({
      services: [
        service("tcp", vip, port, "rr", [backend]),
        { ...service("tcp", "::1", port6, "rr", [{ address: "::1", port: v6port }]), family: "inet6" },
      ],
    });
    const r4 = await httpGet(vip, port, "127.0.62.5");
    expect(r4.body).toBe(`127.0.62.5 ${r4.localPort} ${vip} ${port}\n`);
    const r6 = await httpGet("::1", port6);
    expect(r6.body).toBe(`::1 ${r6.localPort} ::1 ${port6}\n`);
    // switched off per service: HAProxy then rejects the connection (no header), which proves it was sent before
    engine.setServiceOptions({ protocol: "tcp", family: "inet", address: vip, port }, { proxyProtocol: false });
    expect((await httpGet(vip, port)).body).toBe("");
  });
});

describe("PROXY protocol v2 over UDP", () => {
  it("prefixes every datagram with a v2 header for the client and the VIP", async () => {
    const seen: Buffer[] = [];
    const rs = dgram.createSocket("udp4");
    rs.on("message", (m, r) => {
      seen.push(m);
      rs.send("ok", r.port, r.address);
    });
    await new Promise<void>((r) => rs.bind(0, "127.0.63.1", () => r()));
    const engine = new UserspaceEngine({ tickMs: 0, proxyProtocol: () => true });
    const client = dgram.createSocket("udp4");
    cleanup.push(async () => {
      await engine.close();
      rs.close();
      client.close();
    });
    const vip = "127.0.64.1";
    const port = await freePort(vip, "udp");
    await engine.apply({ services: [service("udp", vip, port, "rr", [{ address: "127.0.63.1", port: rs.address().port }])] });
    await new Promise<void>((r) => client.bind(0, "127.0.65.9", () => r()));
    let replies = 0;
    client.on("message", () => replies++);
    for (const text of ["one", "two"]) client.send(text, port, vip);
    for (let i = 0; i < 200 && replies < 2; i++) await sleep(10);
    expect(seen).toHaveLength(2);
    const cport = client.address().port;
    for (const [i, m] of seen.entries()) {
      expect(m.subarray(0, 12).toString("hex")).toBe("0d0a0d0a000d0a515549540a");
      expect(m[12]).toBe(0x21); // version 2, PROXY command
      expect(m[13]).toBe(0x12); // AF_INET, DGRAM
      expect(m.readUInt16BE(14)).toBe(12);
      expect([...m.subarray(16, 20)].join(".")).toBe("127.0.65.9");
      expect([...m.subarray(20, 24)].join(".")).toBe(vip);
      expect(m.readUInt16BE(24)).toBe(cport);
      expect(m.readUInt16BE(26)).toBe(port);
      expect(m.subarray(28).toString()).toBe(["one", "two"][i]);
    }
  });

  it("IPv6 header layout: 36 address bytes, AF_INET6", () => {
    const h = proxyV2Header("tcp", "inet6", { address: "2001:db8::1", port: 40000 }, { address: "2001:db8::80", port: 443 });
    expect(h[13]).toBe(0x21);
    expect(h.readUInt16BE(14)).toBe(36);
    expect(h.subarray(16, 32).toString("hex")).toBe("20010db8000000000000000000000001");
    expect(h.subarray(32, 48).toString("hex")).toBe("20010db8000000000000000000000080");
    expect([h.readUInt16BE(48), h.readUInt16BE(50)]).toEqual([40000, 443]);
  });
});
