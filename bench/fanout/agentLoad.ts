/**
 * Synthetic agents for the fan-out benchmark: each holds `services` x `destinations` and sends a
 * full `stats` frame once a second (like the real agent), every counter moving, `at` = send time.
 */
import WebSocket from "ws";
import { PROTOCOL_VERSION } from "../../lvs/protocol/agent.ts";
import type { StatsSnapshot } from "../../lvs/model.ts";

export function makeSnapshot(director: number, services: number, destinations: number): StatsSnapshot {
  const zero = () => ({ conns: 0, inPkts: 0, outPkts: 0, inBytes: 0, outBytes: 0 });
  const rz = () => ({ cps: 0, inPps: 0, outPps: 0, inBps: 0, outBps: 0 });
  return {
    at: 0,
    services: Array.from({ length: services }, (_, s) => ({
      key: { protocol: "tcp" as const, family: "inet" as const, address: `127.${10 + director}.${s >> 8}.${s & 255}`, port: 80 },
      counters: zero(), rates: rz(),
      destinations: Array.from({ length: destinations }, (_, d) => ({
        address: `127.${100 + director}.${s >> 2}.${((s & 3) << 6) | d}`, port: 8080, weight: 1 + (d % 3),
        activeConns: 0, inactConns: 0, persistConns: 0, counters: zero(), rates: rz(),
      })),
    })),
  };
}

/** advances every counter as if each real server took 1..20 conns/s */
export function tick(snap: StatsSnapshot, n: number): void {
  for (const s of snap.services) {
    let c = 0;
    for (const [i, d] of s.destinations.entries()) {
      const cps = 1 + ((i * 7 + n) % 20);
      d.counters.conns += cps;
      d.counters.inPkts += cps * 6;
      d.counters.outPkts += cps * 5;
      d.counters.inBytes += cps * 700;
      d.counters.outBytes += cps * 9000;
      d.rates = { cps, inPps: cps * 6, outPps: cps * 5, inBps: cps * 700, outBps: cps * 9000 };
      d.activeConns = cps * 2;
      d.inactConns = cps;
      c += cps;
    }
    s.counters.conns += c;
    s.counters.inPkts += c * 6;
    s.counters.outPkts += c * 5;
    s.counters.inBytes += c * 700;
    s.counters.outBytes += c * 9000;
    s.rates = { cps: c, inPps: c * 6, outPps: c * 5, inBps: c * 700, outBps: c * 9000 };
  }
}

export interface AgentConn {
  ws: WebSocket;
  snap: StatsSnapshot;
}

export async function connectAgent(url: string, token: string | null, snap: StatsSnapshot): Promise<AgentConn> {
  const ws = new WebSocket(url, token ? { headers: { authorization: `Bearer ${token}` } } : {});
  await new Promise<void>((res, rej) => (ws.once("open", () => res()), ws.once("error", rej)));
  ws.on("error", () => {});
  if (token) {
    ws.send(JSON.stringify({ v: PROTOCOL_VERSION, type: "hello", agentVersion: "bench", engine: "fake", hostname: "bench", appliedRevision: null, table: { services: [] } }));
    await new Promise<void>((res) => ws.once("message", () => res())); // welcome
  }
  return { ws, snap };
}

/** one frame per agent per second, staggered over the second; returns a stop function */
export function drive(agents: AgentConn[], onSent: (bytes: number) => void): () => void {
  let n = 0;
  const timers: NodeJS.Timeout[] = [];
  agents.forEach((a, i) => {
    const first = setTimeout(() => {
      const send = () => {
        tick(a.snap, n++);
        a.snap.at = Date.now();
        const text = JSON.stringify({ v: PROTOCOL_VERSION, type: "stats", snapshot: a.snap });
        if (a.ws.readyState === a.ws.OPEN) a.ws.send(text);
        onSent(text.length);
      };
      send();
      timers.push(setInterval(send, 1000));
    }, Math.floor((1000 * i) / agents.length));
    timers.push(first);
  });
  return () => timers.forEach((t) => clearTimeout(t));
}
