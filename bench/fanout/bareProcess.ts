/**
 * Child process: the baseline — a bare `ws` server that relays each agent frame as received
 * (no parsing, no state) to every socket that asked for that agent's topic (?t=<topic> on the URL;
 * agents connect with ?agent=<topic>). Same payload, same socket counts as the control plane.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { WebSocketServer, type WebSocket } from "ws";

const server = http.createServer();
const wss = new WebSocketServer({ server, maxPayload: 64 * 1024 * 1024 });
const byTopic = new Map<string, Set<WebSocket>>();
let cpu0 = process.cpuUsage();
wss.on("connection", (ws, req) => {
  const u = new URL(req.url ?? "/", "http://x");
  const agent = u.searchParams.get("agent");
  if (agent) {
    ws.on("message", (data: Buffer) => {
      for (const s of byTopic.get(agent) ?? []) s.send(data, { binary: false });
    });
    return;
  }
  const t = u.searchParams.get("t") ?? "";
  if (!byTopic.has(t)) byTopic.set(t, new Set());
  byTopic.get(t)!.add(ws);
  ws.on("close", () => byTopic.get(t)!.delete(ws));
});
server.listen(0, "127.0.0.1", () => process.send!({ ready: true, url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}` }));
process.on("message", (m: { cmd: string }) => {
  if (m.cmd === "cpu-start") {
    cpu0 = process.cpuUsage();
    process.send!({ ok: true });
  } else if (m.cmd === "cpu") process.send!({ cpu: process.cpuUsage(cpu0), rss: process.memoryUsage().rss });
  else if (m.cmd === "exit") process.exit(0);
});
