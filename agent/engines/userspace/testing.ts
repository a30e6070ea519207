/** Loopback helpers for the engine tests and benchmarks: tiny named backends and clients. */
import net from "node:net";
import dgram from "node:dgram";
import type { IpvsDestination, IpvsService } from "../../../lvs/model.ts";

export interface Backend {
  name: string;
  address: string;
  port: number;
  /** connections currently open on this backend */
  open: Set<net.Socket>;
  received: number;
  close(): Promise<void>;
}

/** A TCP backend that greets every connection with `name\n` and echoes what it receives. */
export async function startBackend(name: string, address: string): Promise<Backend> {
  const open = new Set<net.Socket>();
  const b: Backend = { name, address, port: 0, open, received: 0, close: async () => undefined };
  const server = net.createServer({ allowHalfOpen: false }, (s) => {
    open.add(s);
    s.on("close", () => open.delete(s));
    s.on("error", () => undefined);
    s.write(`${name}\n`);
    s.on("data", (d) => {
      b.received += d.length;
      s.write(d);
    });
  });
  await new Promise<void>((r) => server.listen(0, address, () => r()));
  b.port = (server.address() as net.AddressInfo).port;
  b.close = () =>
    new Promise<void>((r) => {
      for (const s of open) s.destroy();
      server.close(() => r());
    });
  return b;
}

/** A UDP backend replying `name:payload` to every datagram. */
export async function startUdpBackend(name: string, address: string): Promise<Backend & { datagrams: number }> {
  const sock = dgram.createSocket("udp4");
  const b = { name, address, port: 0, open: new Set<net.Socket>(), received: 0, datagrams: 0, close: async (): Promise<void> => undefined };
  sock.on("message", (m, r) => {
    b.datagrams++;
    b.received += m.length;
    sock.send(`${name}:${m.toString()}`, r.port, r.address);
  });
  await new Promise<void>((r) => sock.bind(0, address, () => r()));
  b.port = sock.address().port;
  b.close = () => new Promise<void>((r) => sock.close(() => r()));
  return b;
}

export { freePort } from "../../../it/helpers.ts";

export interface Client {
  socket: net.Socket;
  /** the backend name greeting */
  name: string;
  /** send and wait for the echo of exactly these bytes */
  echo(text: string): Promise<string>;
  close(): Promise<void>;
}

/** Connect through the VIP and read the backend's greeting. */
export function connect(host: string, port: number, localAddress?: string, timeoutMs = 3000): Promise<Client> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port, localAddress });
    let buf = "";
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error("timeout waiting for greeting"));
    }, timeoutMs);
    const onData = (d: Buffer): void => {
      buf += d.toString();
      const nl = buf.indexOf("\n");
      if (nl < 0) return;
      clearTimeout(timer);
      socket.off("data", onData);
      const name = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      resolve({
        socket,
        name,
        echo: (text) =>
          new Promise((res, rej) => {
            let got = buf;
            buf = "";
            const h = (x: Buffer): void => {
              got += x.toString();
              if (got.length >= text.length) {
                socket.off("data", h);
                res(got);
              }
            };
            socket.on("data", h);
            socket.once("error", rej);
            socket.write(text);
          }),
        close: () =>
          new Promise((res) => {
            if (socket.destroyed) return res();
            socket.once("close", () => res());
            socket.end();
          }),
      });
    };
    socket.on("data", onData);
    socket.once("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    socket.once("close", () => {
      clearTimeout(timer);
      reject(new Error("closed before greeting"));
    });
  });
}

export function service(
  protocol: "tcp" | "udp",
  address: string,
  port: number,
  scheduler: string,
  destinations: Partial<IpvsDestination>[],
  extra: Partial<IpvsService> = {},
): IpvsService {
  return {
    protocol,
    family: "inet",
    address,
    port,
    scheduler,
    flags: [],
    persistence: null,
    persistenceEngine: null,
    onePacket: false,
    destinations: destinations.map((d) => ({
      address: d.address ?? "127.0.0.1",
      port: d.port ?? 0,
      method: d.method ?? "nat",
      weight: d.weight ?? 1,
      upperThreshold: d.upperThreshold ?? 0,
      lowerThreshold: d.lowerThreshold ?? 0,
      tunnel: null,
    })),
    ...extra,
  } as IpvsService;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
