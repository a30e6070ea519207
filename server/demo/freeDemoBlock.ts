/**
 * Which loopback block the demo runs on: the first of 127.0.100.x (the classic layout), 127.101.x.x,
 * 127.102.x.x, ... whose every address and port can be bound right now (TCP for the HTTP VIP and
 * backends, UDP for the UDP VIP and backends). Another console, a test run or any program holding one
 * of them makes the demo move on instead of silently not starting.
 */
import dgram from "node:dgram";
import net from "node:net";
import { DEFAULT_DEMO_BLOCK, demoAddresses, type DemoAddresses } from "./demoTopology.ts";

export type BindProbe = (kind: "tcp" | "udp", address: string, port: number) => Promise<boolean>;

/** Can this address:port be bound now? (bound and closed again at once) */
export const bindProbe: BindProbe = (kind, address, port) =>
  new Promise((resolve) => {
    if (kind === "tcp") {
      const s = net.createServer();
      s.once("error", () => resolve(false));
      s.listen({ host: address, port, exclusive: true }, () => s.close(() => resolve(true)));
    } else {
      const s = dgram.createSocket("udp4");
      s.once("error", () => { s.close(); resolve(false); });
      s.bind(port, address, () => s.close(() => resolve(true)));
    }
  });

/** Every endpoint the demo listens on in this block. */
export function demoEndpoints(a: DemoAddresses): { kind: "tcp" | "udp"; address: string; port: number }[] {
  return [
    { kind: "tcp", address: a.http.vip, port: a.http.port },
    ...a.http.backends.map((address) => ({ kind: "tcp" as const, address, port: a.http.backendPort })),
    { kind: "udp", address: a.udp.vip, port: a.udp.port },
    ...a.udp.backends.map((address) => ({ kind: "udp" as const, address, port: a.udp.backendPort })),
  ];
}

/** The first block (from `preferred`, then 100, 101, ... 199) whose endpoints are all free; null if none is. */
export async function freeDemoBlock(probe: BindProbe = bindProbe, preferred: number = DEFAULT_DEMO_BLOCK): Promise<DemoAddresses | null> {
  const order = [preferred, ...Array.from({ length: 100 }, (_, i) => DEFAULT_DEMO_BLOCK + i).filter((b) => b !== preferred)];
  for (const block of order) {
    const a = demoAddresses(block);
    let free = true;
    for (const e of demoEndpoints(a)) {
      if (!(await probe(e.kind, e.address, e.port))) { free = false; break; }
    }
    if (free) return a;
  }
  return null;
}
