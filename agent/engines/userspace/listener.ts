/** The socket behind one VIP:port of the userspace engine: a TCP server or a UDP socket, or "waiting". */
import net from "node:net";
import dgram from "node:dgram";
import type { ForwarderHost } from "./host.ts";
import type { RuntimeService } from "./runtime.ts";
import { acceptTcp } from "./tcpForwarder.ts";
import { takeOverAccept } from "./rawTcpForwarder.ts";
import { UdpListener } from "./udpForwarder.ts";

/** "waiting": the VIP is not on this host yet (VRRP BACKUP): bound as soon as it appears */
export type Listener = { kind: "tcp"; server: net.Server } | { kind: "udp"; udp: UdpListener } | { kind: "waiting" };

/** Binds VIP:port of the service: a UDP socket or a TCP server that hands connections to the forwarders. */
export function bindListener(host: ForwarderHost, svc: RuntimeService): Promise<Listener> {
  const { address, port, family } = svc.key;
  if (svc.key.protocol === "udp") {
    const sock = dgram.createSocket({ type: family === "inet6" ? "udp6" : "udp4" });
    return new Promise((resolve, reject) => {
      sock.once("error", reject);
      sock.bind(port, address, () => {
        sock.off("error", reject);
        sock.on("error", () => undefined);
        resolve({ kind: "udp", udp: new UdpListener(host, svc, sock) });
      });
    });
  }
  const server = net.createServer({ allowHalfOpen: true, noDelay: true, pauseOnConnect: true }, (sock) => acceptTcp(host, svc, sock));
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen({ host: address, port, backlog: 4096 }, () => {
      server.off("error", reject);
      server.on("error", () => undefined);
      takeOverAccept(server, host, svc); // handle-level forwarding; net.Socket (acceptTcp) if unavailable
      resolve({ kind: "tcp", server });
    });
  });
}

export function closeListener(l: Listener): void {
  if (l.kind === "tcp") l.server.close();
  else if (l.kind === "udp") l.udp.close();
}
