import { afterEach, describe, expect, it } from "vitest";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { WebSocketServer } from "ws";
import { AgentLink, agentUrl, backoffDelay, serverUrls } from "./link.ts";
import { AGENT_VERSION } from "./version.ts";
import { memoryLog } from "./log.ts";
import { realTimers } from "./health/monitor.ts";
import { PROTOCOL_VERSION } from "../lvs/protocol/agent.ts";

describe("link helpers", () => {
  it("maps the --server URL onto the agent endpoint", () => {
    expect(agentUrl("http://cp:3000")).toBe("ws://cp:3000/api/agent");
    expect(agentUrl("https://cp.example/")).toBe("wss://cp.example/api/agent");
    expect(agentUrl("wss://cp/custom/agent")).toBe("wss://cp/custom/agent");
    expect(() => agentUrl("ftp://cp")).toThrow(/unsupported scheme ftp:/);
  });
  it("takes several control-plane URLs, repeated or comma-separated, in order and without duplicates", () => {
    expect(serverUrls(["http://a:3000,http://b:3000", "https://c/", "http://a:3000/"])).toEqual(["ws://a:3000/api/agent", "ws://b:3000/api/agent", "wss://c/api/agent"]);
    expect(serverUrls("http://a:1")).toEqual(["ws://a:1/api/agent"]);
    expect(() => serverUrls([" , "])).toThrow(/no URL/);
    expect(() => serverUrls(["http://a:1,ftp://b"])).toThrow(/unsupported scheme ftp:/);
  });
  it("backs off exponentially with equal jitter, capped", () => {
    const b = { initialMs: 500, maxMs: 30000 };
    expect([0, 1, 2, 3].map((a) => backoffDelay(a, b, () => 0))).toEqual([250, 500, 1000, 2000]);
    expect([0, 1, 2, 3].map((a) => backoffDelay(a, b, () => 1))).toEqual([500, 1000, 2000, 4000]);
    expect(backoffDelay(20, b, () => 0)).toBe(15000);
    expect(backoffDelay(1000, b, () => 1)).toBe(30000);
  });
});

describe("link against a control plane that sends bad frames", () => {
  const cleanup: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0)) await c();
  });

  /** a server that answers the agent's hello with `reply`, and records how each connection closed */
  async function server(reply: string | Buffer) {
    const closes: Array<{ code: number; reason: string }> = [];
    const http1 = http.createServer();
    const wss = new WebSocketServer({ server: http1 });
    wss.on("connection", (ws) => {
      ws.once("message", () => ws.send(reply));
      ws.on("close", (code, reason) => closes.push({ code, reason: reason.toString() }));
    });
    await new Promise<void>((r) => http1.listen(0, "127.0.0.1", r));
    cleanup.push(async () => { wss.close(); http1.closeAllConnections(); await new Promise((r) => http1.close(r)); });
    return { url: `http://127.0.0.1:${(http1.address() as AddressInfo).port}`, closes };
  }

  async function run(reply: string | Buffer, silenceMs?: number) {
    const s = await server(reply);
    const log = memoryLog();
    const received: unknown[] = [];
    const link = new AgentLink({
      server: s.url, token: "t".repeat(20), log, timers: realTimers, random: () => 0.5, backoff: { initialMs: 20, maxMs: 40 },
      hello: async () => ({ v: PROTOCOL_VERSION, type: "hello", agentVersion: "t", engine: "fake", hostname: "h", appliedRevision: null, table: { services: [] } }),
      onMessage: (m) => received.push(m),
      ...(silenceMs ? { silenceMs } : {}),
    });
    cleanup.push(() => link.stop());
    link.start();
    const end = Date.now() + 3000;
    while (s.closes.length < 2 && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
    return { log, closes: s.closes, received, link };
  }

  it.each([
    ["an unknown type", JSON.stringify({ v: 1, type: "reboot" }), /bad frame from control plane: .*type/],
    ["a wrong shape", JSON.stringify({ v: 1, type: "welcome", directorId: 5 }), /bad frame from control plane: message type "welcome": directorId: /],
    ["a binary frame", Buffer.from([1, 2, 3]), /bad frame from control plane: binary frame/],
  ])("closes on %s with the reason logged, hands nothing on and reconnects", async (_name, reply, re) => {
    const { log, closes, received } = await run(reply);
    expect(log.lines.join("\n")).toMatch(re);
    expect(closes.length).toBeGreaterThanOrEqual(2); // closed, then came back (and was closed again)
    expect(closes[0]!.code).toBe(4400);
    expect(received).toEqual([]);
    expect(log.lines.some((l) => /reconnecting in \d+ ms \(attempt \d+\) to ws:\/\/127\.0\.0\.1:\d+\/api\/agent/.test(l))).toBe(true);
  });

  it("a control plane of another protocol: logs the versions and the command that installs the agent it serves, closes 4426, retries", async () => {
    const { log, closes, received, link } = await run(JSON.stringify({ v: 2, type: "welcome", directorId: "d", directorName: "d", serverTime: 0, heartbeatMs: 1000, flags: {} }));
    const consoleUrl = link.url.replace(/^ws/, "http").replace(/\/api\/agent$/, "");
    expect(log.lines).toContain(`ERROR the control plane speaks agent protocol 2, this agent (lvs-agent ${AGENT_VERSION}) speaks 1: upgrade from this console: curl -fsSL ${consoleUrl}/agent/install.sh | sudo sh -s -- --server ${consoleUrl}`);
    expect(closes[0]).toEqual({ code: 4426, reason: "agent protocol 1 cannot read protocol 2" });
    expect(closes.length).toBeGreaterThanOrEqual(2); // it keeps trying: the console may be upgraded meanwhile
    expect(received).toEqual([]);
  });

  it("a refusal for its protocol (an error frame of any version) is logged with the console's message and the upgrade command", async () => {
    const message = "lvs-agent 0.1.0+gaaaaaaaaaaaa speaks agent protocol 1; this console accepts protocol 2: install lvs-agent 0.5.0+gbbbbbbbbbbbb (protocol 2)";
    const { log, received, closes } = await run(JSON.stringify({ v: 2, type: "error", code: "protocol.incompatible", message }));
    expect(log.lines.find((l) => l.startsWith("ERROR control plane refused"))).toMatch(
      new RegExp(`^ERROR control plane refused the agent \\(protocol\\.incompatible\\): ${message.replace(/[.+()]/g, "\\$&")}; upgrade from this console: curl -fsSL http://127\\.0\\.0\\.1:\\d+/agent/install\\.sh \\| sudo sh -s -- --server http://127\\.0\\.0\\.1:\\d+$`),
    );
    expect(received).toEqual([]);
    expect(closes[0]).toEqual({ code: 4426, reason: "refused: agent protocol 1" });
    expect(closes.length).toBeGreaterThanOrEqual(2); // and retries with its backoff
  });

  it("gives up on a control plane that welcomed it and then went silent (half-open link), and reconnects", async () => {
    const welcome = JSON.stringify({ v: 1, type: "welcome", directorId: "d", directorName: "d", serverTime: 0, heartbeatMs: 100 });
    const { log, closes, received } = await run(welcome, 300);
    expect(received.length).toBeGreaterThanOrEqual(2); // welcomed again after each reconnect
    expect(received.every((m) => (m as { type: string }).type === "welcome")).toBe(true);
    expect(log.lines.filter((l) => l.includes("WARN no frame from the control plane for 300 ms")).length).toBeGreaterThanOrEqual(1);
    expect(closes.length).toBeGreaterThanOrEqual(2);
    expect(log.lines.some((l) => /reconnecting in \d+ ms \(attempt \d+\) to ws:\/\/127\.0\.0\.1:\d+\/api\/agent/.test(l))).toBe(true);
  });
});

describe("link with several control-plane URLs", () => {
  it("moves on to the next URL when one is dead, and back when the live one goes away", async () => {
    // a port with nothing listening: bind, note the port, close
    const dead = http.createServer();
    await new Promise<void>((r) => dead.listen(0, "127.0.0.1", r));
    const deadUrl = `http://127.0.0.1:${(dead.address() as AddressInfo).port}`;
    await new Promise((r) => dead.close(r));

    const http1 = http.createServer();
    const wss = new WebSocketServer({ server: http1 });
    let hellos = 0;
    wss.on("connection", (ws) => ws.once("message", () => {
      hellos++;
      ws.send(JSON.stringify({ v: PROTOCOL_VERSION, type: "welcome", directorId: "d", directorName: "d", serverTime: 0, heartbeatMs: 1000 }));
    }));
    await new Promise<void>((r) => http1.listen(0, "127.0.0.1", r));
    const liveUrl = `http://127.0.0.1:${(http1.address() as AddressInfo).port}`;

    const log = memoryLog();
    const link = new AgentLink({
      server: [deadUrl, liveUrl], token: "t".repeat(20), log, timers: realTimers, random: () => 0.5, backoff: { initialMs: 20, maxMs: 40 },
      hello: async () => ({ v: PROTOCOL_VERSION, type: "hello", agentVersion: "t", engine: "fake", hostname: "h", appliedRevision: null, table: { services: [] } }),
      onMessage: () => {},
    });
    try {
      link.start();
      const end = Date.now() + 5000;
      while (!link.connected && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
      expect(link.connected).toBe(true);
      expect(link.url).toBe(`${liveUrl.replace("http", "ws")}/api/agent`);
      expect(hellos).toBe(1);
      // the live instance goes away: the next attempt goes to the other URL first
      for (const c of wss.clients) c.terminate();
      const end2 = Date.now() + 5000;
      while (!log.lines.some((l) => l.endsWith(`to ${deadUrl.replace("http", "ws")}/api/agent`)) && Date.now() < end2) await new Promise((r) => setTimeout(r, 10));
      expect(log.lines.some((l) => l.endsWith(`to ${deadUrl.replace("http", "ws")}/api/agent`))).toBe(true);
      const end3 = Date.now() + 5000;
      while (hellos < 2 && Date.now() < end3) await new Promise((r) => setTimeout(r, 10));
      expect(hellos).toBe(2);
    } finally {
      await link.stop();
      wss.close();
      http1.closeAllConnections();
      await new Promise((r) => http1.close(r));
    }
  });
});
